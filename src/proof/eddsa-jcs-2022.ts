/**
 * `eddsa-jcs-2022` (W3C vc-di-eddsa §3.3): Data Integrity with the JSON Canonicalization Scheme (RFC 8785, through
 * the `canonicalize` package) and Ed25519, as a cryptosuite object for `@digitalbazaar/data-integrity`'s
 * `DataIntegrityProof`.
 *
 * hashData = SHA-256(JCS(proof configuration)) ‖ SHA-256(JCS(document without proof)), signed with Ed25519.
 * Unlike the RDFC suites, the proof's own members are signed as JSON, so:
 * - signing copies the document's `@context` into the proof (the proof then carries it, as the specification's
 *   "Create Proof" step 2 requires);
 * - verifying hashes the proof exactly as it is; when it has an `@context`, the document's `@context` must start
 *   with the same values in the same order, and the document is hashed with the proof's `@context` (step 4), so
 *   contexts appended after signing do not break the proof but never alter what was signed.
 */
// A CommonJS package (module.exports = the function) whose declarations say `export default`, which TypeScript
// under NodeNext reads as a `default` property: typed here as what Node's ESM interop really gives.
import * as canonicalizeModule from 'canonicalize';
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { publicKeyFromVerificationMethod } from '../did/verification-key.js';
import type { Cryptosuite } from './vendor.js';

const NAME = 'eddsa-jcs-2022';

const canonicalize = (canonicalizeModule as unknown as { default: (value: unknown) => string | undefined }).default;

function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError(`${NAME}: the value cannot be expressed as JSON.`);
  return text;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function contextsOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Whether `doc` starts with every entry of `prefix`, in order (contexts are URLs or objects: compare as JSON). */
function startsWith(doc: unknown[], prefix: unknown[]): boolean {
  return prefix.length <= doc.length && prefix.every((p, i) => jcs(p) === jcs(doc[i]));
}

interface VerifyDataInput {
  document: Record<string, unknown>;
  proof: Record<string, unknown>;
  /** Present only when verifying (`DataIntegrityProof#verifyProof` passes it; `createProof` does not). */
  verificationMethod?: unknown;
}

async function createVerifyData({ document, proof, verificationMethod }: VerifyDataInput): Promise<Uint8Array> {
  if (proof.cryptosuite !== NAME) {
    throw new Error(`The proof's cryptosuite is ${JSON.stringify(proof.cryptosuite)}, not "${NAME}".`);
  }
  let unsecured = document;
  if (verificationMethod === undefined) {
    // Signing: the proof carries the document's context (the caller keeps this proof object).
    if (document['@context'] !== undefined) proof['@context'] = document['@context'];
  } else if (proof['@context'] !== undefined) {
    if (!startsWith(contextsOf(document['@context']), contextsOf(proof['@context']))) {
      throw new Error(`The document's @context does not start with the proof's @context, so the proof does not cover it.`);
    }
    unsecured = { ...document, '@context': proof['@context'] };
  }
  const proofConfig = { ...proof };
  delete proofConfig.proofValue;
  const out = new Uint8Array(64);
  out.set(sha256(jcs(proofConfig)), 0);
  out.set(sha256(jcs(unsecured)), 32);
  return out;
}

async function createVerifier({ verificationMethod }: { verificationMethod: unknown }) {
  const vm = verificationMethod as Record<string, unknown>;
  const key = publicKeyFromVerificationMethod(vm);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${NAME} needs an Ed25519 key; ${String(vm.id)} is a ${String(key.asymmetricKeyType)} key.`);
  }
  return {
    id: vm.id,
    algorithm: 'Ed25519',
    async verify({ data, signature }: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> {
      return signature.length === 64 && cryptoVerify(null, data, key, signature);
    },
  };
}

/**
 * The `eddsa-jcs-2022` cryptosuite object: pass it to `new DataIntegrityProof({ signer, cryptosuite })` to sign or
 * verify (signing needs an Ed25519 signer).
 *
 * @example
 * ```ts
 * const signed = await signDataIntegrity(credential, { signer: keys.signer(), cryptosuite: 'eddsa-jcs-2022' });
 * signed.proof[0]['@context']; // the credential's @context
 * ```
 */
export const eddsaJcs2022: Cryptosuite = {
  name: NAME,
  requiredAlgorithm: 'Ed25519',
  canonize: async (input: unknown) => jcs(input),
  createVerifier,
  createVerifyData: createVerifyData as (input: unknown) => Promise<Uint8Array>,
};
