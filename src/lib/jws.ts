/** The JWS Compact Serialization (RFC 7515 §7.1): three base64url parts, the payload possibly empty. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/**
 * Whether a text (surrounding white space ignored) has the shape of a compact JWS, such as a VC-JWT. Says nothing
 * about the signature.
 *
 * @example
 * ```ts
 * isCompactJws('eyJhbGciOiJFZERTQSJ9.eyJ9.c2ln'); // true
 * isCompactJws('{"@context": []}'); // false
 * ```
 */
export function isCompactJws(text: string): boolean {
  return COMPACT_JWS.test(text.trim());
}
