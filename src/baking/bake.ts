/**
 * Open Badges 3.0 baking (§5.3 "Baked Badge"): a credential carried inside its badge image, PNG or SVG.
 */
import { MicrocredError } from '../errors.js';
import { checkImageSize, credentialText, limits, type SizeLimits } from './payload.js';
import { bakePng, isPng } from './png.js';
import { bakeSvg, looksLikeXml } from './svg.js';

export interface BakeOptions extends SizeLimits {
  /** Replace a credential the image already carries (default: refuse with BADGE_ALREADY_BAKED). */
  replace?: boolean;
}

/**
 * The kind of image, by its bytes: `png`, `svg` (XML text), or undefined for anything else.
 *
 * @example
 * ```ts
 * imageKind(await readFile('badge.png')); // 'png'
 * ```
 */
export function imageKind(bytes: Uint8Array): 'png' | 'svg' | undefined {
  if (isPng(bytes)) return 'png';
  if (looksLikeXml(bytes)) return 'svg';
  return undefined;
}

/** Internal: the image as bytes (SVG may be given as text). */
export function imageBytes(image: Uint8Array | string): Uint8Array {
  if (typeof image === 'string') return new TextEncoder().encode(image);
  if (image instanceof Uint8Array) return image;
  throw new MicrocredError('BADGE_IMAGE_UNSUPPORTED', 'Expected the image as bytes (or SVG text).');
}

/**
 * Bakes a credential into a PNG or SVG badge image and returns the baked image's bytes.
 * - PNG: an `iTXt` chunk with keyword `openbadgecredential` right after `IHDR`; all other bytes unchanged.
 * - SVG: `xmlns:openbadges` on the root and `<openbadges:credential>` directly after its start tag.
 *
 * The credential is a JSON object (baked as its JSON), JSON text (baked byte for byte), or a compact JWT (baked
 * as is: in the chunk text, or in the element's `verify` attribute).
 *
 * @throws MicrocredError `BADGE_IMAGE_UNSUPPORTED` (not PNG/SVG), `BADGE_IMAGE_INVALID` (damaged PNG, malformed
 *   XML), `BADGE_ALREADY_BAKED`, `BADGE_CREDENTIAL_INVALID`, `BADGE_TOO_LARGE`.
 * @example
 * ```ts
 * const png = bake(badgePng(credentialView(signed)), signed);
 * const svg = bake(badgeSvg(credentialView(jwt)), jwt);
 * ```
 */
export function bake(image: Uint8Array | string, credential: Record<string, unknown> | string, options: BakeOptions = {}): Uint8Array {
  const { maxImageBytes, maxCredentialBytes } = limits(options);
  const bytes = imageBytes(image);
  checkImageSize(bytes, maxImageBytes);
  const { format, text } = credentialText(credential, maxCredentialBytes);
  const kind = imageKind(bytes);
  if (kind === 'png') return bakePng(bytes, text, options.replace ?? false);
  if (kind === 'svg') return bakeSvg(bytes, text, format, options.replace ?? false);
  throw new MicrocredError('BADGE_IMAGE_UNSUPPORTED', 'Only PNG and SVG images can carry a credential; this is neither.');
}
