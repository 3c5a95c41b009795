/**
 * Multikey encodings of public keys (internal): `publicKeyMultibase` = "z" + base58btc(multicodec varint ‖ key bytes).
 * Ed25519 uses multicodec 0xed (bytes 0xed 0x01, fingerprints start "z6Mk"); P-256 uses 0x1200 (bytes 0x80 0x24) with
 * the 33-byte compressed point (fingerprints start "zDn").
 */
import { MicrocredError } from '../errors.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ED25519_PREFIX = Uint8Array.of(0xed, 0x01);
const P256_PREFIX = Uint8Array.of(0x80, 0x24);

export function base58btcEncode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8;
      digits[i] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i] as number];
  return out;
}

export function base58btcDecode(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  const bytes: number[] = [];
  for (const ch of text) {
    let carry = ALPHABET.indexOf(ch);
    if (carry < 0) throw new Error(`invalid base58 character ${JSON.stringify(ch)}`);
    for (let i = 0; i < bytes.length; i++) {
      carry += (bytes[i] as number) * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i] as number;
  return out;
}

function prefixed(prefix: Uint8Array, key: Uint8Array): string {
  const all = new Uint8Array(prefix.length + key.length);
  all.set(prefix);
  all.set(key, prefix.length);
  return 'z' + base58btcEncode(all);
}

/** `publicKeyMultibase` (`z6Mk…`) of a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyMultibase(raw: Uint8Array): string {
  return prefixed(ED25519_PREFIX, raw);
}

/** `publicKeyMultibase` of a public JWK (OKP/Ed25519 or EC/P-256). */
export function jwkToPublicKeyMultibase(jwk: { kty?: string; crv?: string; x?: string; y?: string }): string {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.x) {
    return prefixed(ED25519_PREFIX, Buffer.from(jwk.x, 'base64url'));
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.x && jwk.y) {
    const y = Buffer.from(jwk.y, 'base64url');
    const compressed = new Uint8Array(33);
    compressed[0] = ((y[y.length - 1] as number) & 1) === 1 ? 0x03 : 0x02;
    compressed.set(Buffer.from(jwk.x, 'base64url'), 1);
    return prefixed(P256_PREFIX, compressed);
  }
  throw new MicrocredError(
    'UNSUPPORTED',
    `Only Ed25519 (kty OKP) and P-256 (kty EC) keys are supported; found kty ${JSON.stringify(jwk.kty)} crv ${JSON.stringify(jwk.crv)}.`,
  );
}

/** Raw 32-byte Ed25519 public key from a `z6Mk…` multibase value. */
export function ed25519PublicKeyFromMultibase(multibase: string): Uint8Array {
  if (!multibase.startsWith('z')) throw new Error('publicKeyMultibase must be base58btc ("z" prefix)');
  const bytes = base58btcDecode(multibase.slice(1));
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new Error('publicKeyMultibase is not an Ed25519 multikey (expected z6Mk…)');
  }
  return bytes.subarray(2);
}
