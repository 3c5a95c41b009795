/**
 * Public keys of verification methods as Node `KeyObject`s (what `jose` and `node:crypto` verify with).
 * Reads `Multikey` / `Ed25519VerificationKey2020` (`publicKeyMultibase`, Ed25519 or P-256),
 * `Ed25519VerificationKey2018` (`publicKeyBase58`) and any `publicKeyJwk` (`JsonWebKey`, `JsonWebKey2020`: RSA, EC, OKP).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { MicrocredError } from '../errors.js';
import { base58btcDecode } from '../lib/multibase.js';
import { multikeyAlgorithm } from './key.js';

// DER SubjectPublicKeyInfo prefixes: Ed25519 (RFC 8410) and P-256 with a compressed point (RFC 5480).
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const P256_COMPRESSED_SPKI = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

function spki(prefix: Buffer, key: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([prefix, Buffer.from(key)]), format: 'der', type: 'spki' });
}

/**
 * The public key of a verification method.
 *
 * @throws MicrocredError `UNSUPPORTED` when the method carries no key microcred can read.
 * @example
 * ```ts
 * const key = publicKeyFromVerificationMethod({ id, type: 'Multikey', controller, publicKeyMultibase: 'z6Mk…' });
 * await jose.jwtVerify(jws, key);
 * ```
 */
export function publicKeyFromVerificationMethod(vm: Record<string, unknown>): KeyObject {
  try {
    if (typeof vm.publicKeyMultibase === 'string') {
      const { alg, key } = multikeyAlgorithm(vm.publicKeyMultibase);
      return spki(alg === 'Ed25519' ? ED25519_SPKI : P256_COMPRESSED_SPKI, key);
    }
    if (vm.publicKeyJwk && typeof vm.publicKeyJwk === 'object') {
      const jwk = vm.publicKeyJwk as Record<string, unknown>;
      if ('d' in jwk) throw new Error('the JWK holds a private key ("d"); a verification method must be public');
      return createPublicKey({ key: jwk as never, format: 'jwk' });
    }
    if (typeof vm.publicKeyBase58 === 'string') {
      return spki(ED25519_SPKI, base58btcDecode(vm.publicKeyBase58));
    }
  } catch (e) {
    throw new MicrocredError('UNSUPPORTED', `Cannot read the public key of ${String(vm.id)}: ${(e as Error).message}.`, { id: vm.id });
  }
  throw new MicrocredError(
    'UNSUPPORTED',
    `The verification method ${String(vm.id)} has no publicKeyMultibase, publicKeyJwk or publicKeyBase58.`,
    { id: vm.id },
  );
}

/** True when two keys are the same public key (compared as JWK, which normalises compressed EC points). */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  const norm = (k: KeyObject) => {
    const jwk = k.export({ format: 'jwk' }) as Record<string, unknown>;
    return JSON.stringify(['kty', 'crv', 'x', 'y', 'n', 'e'].map((f) => jwk[f] ?? null));
  };
  return norm(a) === norm(b);
}
