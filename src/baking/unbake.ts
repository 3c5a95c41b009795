/**
 * Reading the credential out of a baked Open Badges 3.0 image (PNG or SVG).
 */
import { MicrocredError } from '../errors.js';
import { imageBytes, imageKind } from './bake.js';
import { checkCredentialSize, checkImageSize, classify, limits, type SizeLimits } from './payload.js';
import { unbakePng } from './png.js';
import { unbakeSvg } from './svg.js';

export type UnbakeOptions = SizeLimits;

interface UnbakedBase {
  /** The carrier. */
  image: 'png' | 'svg';
  /** The carried text exactly as it was in the image (the JSON text or the compact JWS). */
  text: string;
}

/** A credential read out of a badge: `json` with the parsed object, or `jwt` with the compact JWS. */
export type Unbaked =
  | (UnbakedBase & { format: 'json'; credential: Record<string, unknown> })
  | (UnbakedBase & { format: 'jwt'; credential: string });

/**
 * Reads the credential a PNG or SVG badge carries. It is not verified here: pass `credential` to `verify`.
 *
 * @throws MicrocredError `BADGE_IMAGE_UNSUPPORTED`, `BADGE_IMAGE_INVALID`, `BADGE_NOT_BAKED` (no credential, or an
 *   Open Badges 2.0 assertion), `BADGE_MULTIPLE_CREDENTIALS`, `BADGE_CREDENTIAL_INVALID` (neither JSON nor a JWT),
 *   `BADGE_TOO_LARGE`.
 * @example
 * ```ts
 * const { format, credential } = unbake(await readFile('badge.png'));
 * const report = await verify(credential);
 * ```
 */
export function unbake(image: Uint8Array | string, options: UnbakeOptions = {}): Unbaked {
  const { maxImageBytes, maxCredentialBytes } = limits(options);
  const bytes = imageBytes(image);
  checkImageSize(bytes, maxImageBytes);
  const kind = imageKind(bytes);
  if (kind === undefined) {
    throw new MicrocredError('BADGE_IMAGE_UNSUPPORTED', 'Only PNG and SVG images carry baked credentials; this is neither.');
  }
  const text = kind === 'png' ? unbakePng(bytes, maxCredentialBytes) : unbakeSvg(bytes);
  checkCredentialSize(text, maxCredentialBytes);
  const where = kind === 'png' ? 'The PNG\'s credential chunk' : 'The SVG\'s credential element';
  const classified = classify(text.trim(), where);
  return { image: kind, text, ...classified };
}
