/**
 * Internal: the secrets of a claim offer. One random offer secret (256 bits) goes into every link; the values a
 * protocol shows separately are derived from it with HMAC, so the database holds only hashes and can still check
 * each of them, and a value that a wallet may log or display (LCW's one-step challenge, the pre-authorized code)
 * never reveals the secret of the links.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

/**
 * A fresh high-entropy secret, base64url (43 characters, no padding).
 *
 * @example
 * ```ts
 * const secret = newSecret(); // 'kY3…' (256 random bits)
 * ```
 */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The stored form of a secret: sha256, hex (the secrets carry 256 random bits, so a fast hash is enough).
 *
 * @example
 * ```ts
 * await findOffer(db, 'secret', hashSecret(secret));
 * ```
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function derive(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label, 'utf8').digest('base64url');
}

/**
 * The OID4VCI pre-authorized code of an offer (what its credential offer object carries).
 *
 * @example
 * ```ts
 * const code = preAuthorizedCode(secret); // stored as hashSecret(code)
 * ```
 */
export function preAuthorizedCode(secret: string): string {
  return derive(secret, 'microcred oid4vci pre-authorized_code');
}

/**
 * The challenge of LCW's one-step request (in the link, signed into the wallet's presentation).
 *
 * @example
 * ```ts
 * const challenge = directChallenge(secret);
 * ```
 */
export function directChallenge(secret: string): string {
  return derive(secret, 'microcred vcapi direct challenge');
}

/**
 * A numeric PIN (OID4VCI `tx_code`) of `length` digits, uniformly random.
 *
 * @example
 * ```ts
 * newPin(6); // '048213'
 * ```
 */
export function newPin(length: number): string {
  let pin = '';
  for (let i = 0; i < length; i++) pin += String(randomInt(10));
  return pin;
}

/**
 * The stored form of a PIN: salted with the offer id, so equal PINs of two offers hash differently. (A PIN has few
 * values; what protects it is the attempt limit, and the pre-authorized code it goes with, which is stored hashed.)
 *
 * @example
 * ```ts
 * hashPin('offer_x', '048213');
 * ```
 */
export function hashPin(offerId: string, pin: string): string {
  return createHash('sha256').update(`${offerId}\u0000${pin}`, 'utf8').digest('hex');
}
