/**
 * Data Integrity proofs: `DataIntegrityProof` with the `eddsa-rdfc-2022` (default), `eddsa-jcs-2022` or
 * `ecdsa-rdfc-2019` cryptosuite, through `@digitalbazaar/vc`.
 */
import { MicrocredError } from '../errors.js';
import { createDocumentLoader } from '../lib/document-loader.js';
import type { DocumentLoader } from '../lib/document-loader.js';
import type { Signer } from '../keyset/keyset.js';
import { DataIntegrityProof, vc } from './vendor.js';
import { DEFAULT_CRYPTOSUITE, isCryptosuiteName, signerAlgorithmFor, type CryptosuiteName } from '../keyset/cryptosuites.js';
import { signingCryptosuite, unsupportedCryptosuite } from './suites.js';
import type { Cryptosuite } from './vendor.js';

export type { Cryptosuite } from './vendor.js';
export type { CryptosuiteName } from '../keyset/cryptosuites.js';

export interface DataIntegrityOptions {
  /**
   * The signer; its `id` becomes the proof's `verificationMethod` and its `algorithm` must be the cryptosuite's key
   * (`Ed25519` for the EdDSA suites, `P-256` for `ecdsa-rdfc-2019`). `KeySet#signer()` gives one.
   */
  signer: Signer;
  /** Default: the static loader over `contexts/` (no network). */
  documentLoader?: DocumentLoader;
  /** The proof's `created` (ISO date-time); default now. Fixed values make signatures reproducible. */
  created?: string | Date;
  /**
   * The cryptosuite: a name (`eddsa-rdfc-2022`, the default, `eddsa-jcs-2022` or `ecdsa-rdfc-2019`), which picks
   * microcred's implementation, or an implementation object whose `name` is one of them. For `eddsa-rdfc-2022`
   * microcred's compiled one (`fastCryptosuite()`) is used, byte-identical to the reference suite and falling back to
   * it for anything outside its subset; pass `eddsaRdfc2022` (the object) for the reference implementation.
   */
  cryptosuite?: CryptosuiteName | Cryptosuite;
}

/** A credential with its Data Integrity proofs, always as an array (the OB 3.0 JSON Schema requires one). */
export type SignedCredential<T extends object = Record<string, unknown>> = T & { proof: Record<string, unknown>[] };

let defaultLoader: DocumentLoader | undefined;

/**
 * Adds a `DataIntegrityProof` (proof purpose `assertionMethod`; cryptosuite `eddsa-rdfc-2022` unless
 * `options.cryptosuite` names another) to a copy of the credential. Existing proofs are kept (the new one is
 * appended). The input is not modified.
 *
 * @throws MicrocredError `UNSUPPORTED` for a cryptosuite microcred does not sign with or a signer whose key the
 *   cryptosuite cannot use (details `{ option: 'cryptosuite', … }`), `UNKNOWN_CONTEXT` for a context that is not
 *   bundled, `SIGNING_FAILED` otherwise (e.g. a term no context defines: JSON-LD safe mode refuses to drop data
 *   silently).
 * @example
 * ```ts
 * const signed = await signDataIntegrity(credential, { signer: keys.signer(), created: '2025-01-01T00:00:00Z' });
 * signed.proof[0].proofValue; // 'z…'
 * const jcs = await signDataIntegrity(credential, { signer: keys.signer(), cryptosuite: 'eddsa-jcs-2022' });
 * const ecdsa = await signDataIntegrity(credential, { signer: keys.signer(keys.dataIntegrityKey('ecdsa-rdfc-2019').id), cryptosuite: 'ecdsa-rdfc-2019' });
 * ```
 */
export async function signDataIntegrity<T extends object>(credential: T, options: DataIntegrityOptions): Promise<SignedCredential<T>> {
  const { signer } = options;
  const requested = options.cryptosuite ?? DEFAULT_CRYPTOSUITE;
  const name = typeof requested === 'string' ? requested : requested?.name;
  if (!isCryptosuiteName(name)) throw unsupportedCryptosuite(name);
  const keyAlgorithm = signerAlgorithmFor(name);
  if (signer.algorithm !== keyAlgorithm) {
    throw new MicrocredError(
      'UNSUPPORTED',
      `${name} needs ${keyAlgorithm === 'Ed25519' ? 'an Ed25519' : 'a P-256'} key; the signer ${signer.id} uses ${signer.algorithm}.`,
      { option: 'cryptosuite', cryptosuite: name, needs: keyAlgorithm, found: signer.algorithm },
    );
  }
  let date: Date | undefined;
  if (options.created !== undefined) {
    date = new Date(options.created);
    if (Number.isNaN(date.getTime())) {
      throw new MicrocredError('SIGNING_FAILED', `created must be an ISO date-time; found ${JSON.stringify(options.created)}.`);
    }
  }
  const suite = new DataIntegrityProof({
    signer,
    cryptosuite: typeof requested === 'string' ? signingCryptosuite(name) : requested,
    ...(date ? { date } : {}),
  });
  const documentLoader = options.documentLoader ?? (defaultLoader ??= createDocumentLoader());
  let signed: Record<string, unknown>;
  try {
    // vc.issue appends to the object it is given: sign a copy.
    signed = await vc.issue({ credential: structuredClone(credential), suite, documentLoader });
  } catch (e) {
    throw asMicrocredError(e);
  }
  const proof = signed.proof;
  signed.proof = Array.isArray(proof) ? proof : [proof];
  return signed as SignedCredential<T>;
}

/** Surfaces our own error (e.g. UNKNOWN_CONTEXT) when jsonld.js wrapped it; otherwise SIGNING_FAILED. */
function asMicrocredError(e: unknown): MicrocredError {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    if (cur instanceof MicrocredError) return cur;
    seen.add(cur);
    const c = cur as { cause?: unknown; details?: { cause?: unknown } };
    cur = c.cause ?? c.details?.cause;
  }
  let message = e instanceof Error ? e.message : String(e);
  // jsonld.js safe-mode errors put the offending term in details.event; name it so the fix is obvious.
  const event = (e as { details?: { event?: { message?: unknown; details?: Record<string, unknown> } } } | undefined)?.details?.event;
  if (event) {
    const facts = Object.entries(event.details ?? {})
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`);
    message += ` ${String(event.message ?? '')}${facts.length ? ` (${facts.join(', ')})` : ''}`;
  }
  return new MicrocredError('SIGNING_FAILED', `Could not create the Data Integrity proof: ${message}`, undefined, { cause: e });
}
