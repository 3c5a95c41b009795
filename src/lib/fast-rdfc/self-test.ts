/**
 * Start-up self-test of the fast canonicalizer (internal): canonizes a known credential and a known proof
 * configuration through the fast path and compares SHA-256 of the N-Quads with hashes recorded from the stock
 * pipeline (jsonld 9.0.0 + rdf-canonize 5.0.0 over the pinned contexts). A mismatch, a bail or an error means the
 * fast path must not be trusted: the caller switches to stock and warns. Also warms the compiled states for
 * VC v2 + OB 3.0.3 + the DataIntegrityProof configuration.
 */
import { createHash } from 'node:crypto';
import { sampleCredential } from './sample.js';
import { createDocumentLoader } from '../document-loader.js';
import type { FastCanonizer } from './canonize.js';
import { pinnedVersions } from './internals.js';

const ISSUER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const CREDENTIAL_ID = 'urn:uuid:2f0c2b1e-5a57-4c3e-9d55-0c6a8f1f0b71';

/** sha256 of the stock canonical N-Quads of `sampleCredential(ISSUER, CREDENTIAL_ID)`. */
export const EXPECTED_CREDENTIAL_HASH = 'eb56faefd4ffcd858facf028f87eedee88f4df6b23e4a8ee968f9e9128f5fc1f';
/** sha256 of the stock canonical N-Quads of `selfTestProofConfig()`. */
export const EXPECTED_PROOF_HASH = '55a36a9a57638bcbfcdde9ba93734cef30e887b48ab602f5e2e1ed89a97414a7';

export function selfTestCredential(): Record<string, unknown> {
  return sampleCredential(ISSUER, CREDENTIAL_ID);
}

export function selfTestProofConfig(): Record<string, unknown> {
  return {
    '@context': selfTestCredential()['@context'],
    type: 'DataIntegrityProof',
    created: '2026-01-15T10:00:00Z',
    verificationMethod: `${ISSUER}#${ISSUER.slice('did:key:'.length)}`,
    cryptosuite: 'eddsa-rdfc-2022',
    proofPurpose: 'assertionMethod',
  };
}

/**
 * Known answers the self-test checks: two documents and the SHA-256 (hex) of their stock canonical N-Quads.
 * Callers pass others only to test the fallback (a vector whose recorded answer differs is what a changed jsonld.js
 * or rdf-canonize would look like).
 */
export interface SelfTestVectors {
  credential: Record<string, unknown>;
  credentialHash: string;
  proofConfig: Record<string, unknown>;
  proofHash: string;
}

/** The recorded vectors: the sample credential and proof configuration (both inside the compiled subset). */
export function defaultSelfTestVectors(): SelfTestVectors {
  return {
    credential: selfTestCredential(),
    credentialHash: EXPECTED_CREDENTIAL_HASH,
    proofConfig: selfTestProofConfig(),
    proofHash: EXPECTED_PROOF_HASH,
  };
}

export interface SelfTestResult {
  ok: boolean;
  /** Why it failed (no input data). */
  reason?: string;
  versions: { jsonld: string; rdfCanonize: string };
}

/**
 * Runs the self-test on `canonizer` (which must not be disabled yet): both vectors must take the fast path and
 * hash to their recorded answers.
 */
export async function runSelfTest(canonizer: FastCanonizer, vectors: SelfTestVectors = defaultSelfTestVectors()): Promise<SelfTestResult> {
  const versions = (() => {
    try {
      return pinnedVersions();
    } catch {
      return { jsonld: 'unknown', rdfCanonize: 'unknown' };
    }
  })();
  try {
    const documentLoader = createDocumentLoader();
    const before = canonizer.metrics();
    const c = await canonizer.canonize(structuredClone(vectors.credential), { documentLoader, base: null, safe: true });
    const p = await canonizer.canonize(structuredClone(vectors.proofConfig), { documentLoader, base: null, safe: true });
    const after = canonizer.metrics();
    if (after.fast - before.fast !== 2) return { ok: false, reason: 'the known credential did not take the fast path', versions };
    const hc = createHash('sha256').update(c).digest('hex');
    const hp = createHash('sha256').update(p).digest('hex');
    if (hc !== vectors.credentialHash || hp !== vectors.proofHash) {
      return { ok: false, reason: 'canonical N-Quads of the known credential differ from the recorded stock output', versions };
    }
    return { ok: true, versions };
  } catch (e) {
    return { ok: false, reason: `self-test failed: ${(e as Error)?.message ?? String(e)}`, versions };
  }
}
