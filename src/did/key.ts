/**
 * did:key documents, built offline from the key in the DID itself.
 * Ed25519 (`z6Mk…`, multicodec 0xed) and P-256 (`zDn…`, multicodec 0x1200, compressed point) keys are both expressed
 * as `Multikey` with `publicKeyMultibase`: the Multikey context is bundled, the Digital Bazaar suites read Ed25519
 * Multikeys directly, and `publicKeyFromVerificationMethod` turns either kind into a Node KeyObject that `jose`
 * accepts for JWT checks.
 */
import { ECDH } from 'node:crypto';
import { MicrocredError } from '../errors.js';
import { base58btcDecode } from '../lib/multibase.js';

export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

export interface VerificationMethod {
  id: string;
  type: string;
  controller: string;
  publicKeyMultibase?: string;
  publicKeyJwk?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface DidDocument {
  '@context': string[];
  id: string;
  verificationMethod: VerificationMethod[];
  authentication: string[];
  assertionMethod: string[];
  capabilityDelegation: string[];
  capabilityInvocation: string[];
}

/** Which key a `publicKeyMultibase` value holds. */
export function multikeyAlgorithm(multibase: string): { alg: 'Ed25519' | 'P-256'; key: Uint8Array } {
  if (!multibase.startsWith('z')) throw new Error('publicKeyMultibase must be base58btc (start with "z")');
  const bytes = base58btcDecode(multibase.slice(1));
  if (bytes.length === 34 && bytes[0] === 0xed && bytes[1] === 0x01) return { alg: 'Ed25519', key: bytes.subarray(2) };
  if (bytes.length === 35 && bytes[0] === 0x80 && bytes[1] === 0x24) return { alg: 'P-256', key: bytes.subarray(2) };
  throw new Error('publicKeyMultibase is neither an Ed25519 (z6Mk…) nor a P-256 (zDn…) Multikey');
}

function onP256Curve(compressed: Uint8Array): boolean {
  try {
    ECDH.convertKey(compressed, 'prime256v1');
    return true;
  } catch {
    return false;
  }
}

/**
 * The DID document of a `did:key` (Ed25519 `z6Mk…` or P-256 `zDn…`), with its one verification method
 * `did:key:X#X` listed for every relationship.
 *
 * @throws MicrocredError `DID_RESOLUTION_FAILED` for any other DID or a malformed key.
 * @example
 * ```ts
 * const doc = didKeyDocument('did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2');
 * doc.verificationMethod[0].publicKeyMultibase; // 'z6MkrJVn…'
 * ```
 */
export function didKeyDocument(did: string): DidDocument {
  const match = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(did.split('#')[0] as string);
  if (!match) {
    throw new MicrocredError('DID_RESOLUTION_FAILED', `${JSON.stringify(did)} is not a did:key (expected did:key:z…).`, { did });
  }
  const fingerprint = match[1] as string;
  try {
    const { alg, key } = multikeyAlgorithm(fingerprint);
    // did:key requires a valid key of its type: a compressed P-256 value whose point is not on the curve is not one.
    if (alg === 'P-256' && !onP256Curve(key)) throw new Error('the P-256 public key is not a point on the curve');
  } catch (e) {
    throw new MicrocredError('DID_RESOLUTION_FAILED', `Cannot read the key in ${did}: ${(e as Error).message}.`, { did });
  }
  const id = `did:key:${fingerprint}`;
  const vmId = `${id}#${fingerprint}`;
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id,
    verificationMethod: [{ id: vmId, type: 'Multikey', controller: id, publicKeyMultibase: fingerprint }],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId],
  };
}
