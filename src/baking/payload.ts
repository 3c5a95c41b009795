/**
 * What a baked image carries (OB 3.0 §5.3): the JSON of a credential with an embedded proof, or the compact JWS of
 * a VC-JWT. Shared by the PNG and SVG carriers: classifying the text, and the size limits.
 */
import { isCompactJws } from '../lib/jws.js';
import { MicrocredError } from '../errors.js';

export type BakedFormat = 'json' | 'jwt';

export interface SizeLimits {
  /** Largest image accepted, in bytes. Default 8 MiB. */
  maxImageBytes?: number;
  /** Largest credential text accepted, in UTF-8 bytes. Default 1 MiB. */
  maxCredentialBytes?: number;
}

export const DEFAULT_MAX_IMAGE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_CREDENTIAL_BYTES = 1024 * 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function limits(options: SizeLimits = {}): Required<SizeLimits> {
  const pick = (v: number | undefined, d: number, name: string): number => {
    if (v === undefined) return d;
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer; found ${v}`);
    return v;
  };
  return {
    maxImageBytes: pick(options.maxImageBytes, DEFAULT_MAX_IMAGE_BYTES, 'maxImageBytes'),
    maxCredentialBytes: pick(options.maxCredentialBytes, DEFAULT_MAX_CREDENTIAL_BYTES, 'maxCredentialBytes'),
  };
}

export function checkImageSize(bytes: Uint8Array, max: number): void {
  if (bytes.length > max) {
    throw new MicrocredError('BADGE_TOO_LARGE', `The image is ${bytes.length} bytes; at most ${max} are accepted.`, { size: bytes.length, max });
  }
}

export function checkCredentialSize(text: string, max: number): void {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > max) {
    throw new MicrocredError('BADGE_TOO_LARGE', `The baked credential is ${size} bytes; at most ${max} are accepted.`, { size, max });
  }
}

export type Classified = { format: 'json'; credential: Record<string, unknown> } | { format: 'jwt'; credential: string };

/** Reads carried text as a compact JWS or a JSON object; anything else is BADGE_CREDENTIAL_INVALID. */
export function classify(text: string, where: string): Classified {
  if (isCompactJws(text)) return { format: 'jwt', credential: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new MicrocredError('BADGE_CREDENTIAL_INVALID', `${where} holds neither a compact JWT nor valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MicrocredError('BADGE_CREDENTIAL_INVALID', `${where} holds JSON that is not a credential object.`);
  }
  return { format: 'json', credential: parsed as Record<string, unknown> };
}

/**
 * The text to bake for a credential: a JSON object is serialised compactly; a string is a compact JWS (surrounding
 * whitespace dropped) or JSON text, kept byte for byte.
 */
export function credentialText(credential: Record<string, unknown> | string, maxBytes: number): { format: BakedFormat; text: string } {
  let text: string;
  if (typeof credential === 'string') {
    const trimmed = credential.trim();
    text = isCompactJws(trimmed) ? trimmed : credential;
    if (LONE_SURROGATE.test(text)) throw new MicrocredError('BADGE_CREDENTIAL_INVALID', 'The credential text is not valid Unicode (a lone surrogate).');
  } else if (credential !== null && typeof credential === 'object' && !Array.isArray(credential)) {
    text = JSON.stringify(credential); // escapes lone surrogates itself
  } else {
    throw new MicrocredError('BADGE_CREDENTIAL_INVALID', 'Expected a credential: a JSON object, its JSON text, or a compact JWT.');
  }
  const { format } = classify(isCompactJws(text) ? text : text.trim(), 'The credential');
  checkCredentialSize(text, maxBytes);
  return { format, text };
}
