/**
 * Data Integrity proofs: `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite, through `@digitalbazaar/vc`.
 */
import { MicrocredError } from '../errors.js';
import { createDocumentLoader } from '../lib/document-loader.js';
import type { DocumentLoader } from '../lib/document-loader.js';
import type { Signer } from '../keyset/keyset.js';
import { DataIntegrityProof, vc } from './vendor.js';
import { fastCryptosuite } from './fast/cryptosuite.js';
import type { Cryptosuite } from './vendor.js';

export type { Cryptosuite } from './vendor.js';

export interface DataIntegrityOptions {
  /** Ed25519 signer; its `id` becomes the proof's `verificationMethod`. `KeySet#signer()` gives one. */
  signer: Signer;
  /** Default: the static loader over `contexts/` (no network). */
  documentLoader?: DocumentLoader;
  /** The proof's `created` (ISO date-time); default now. Fixed values make signatures reproducible. */
  created?: string | Date;
  /**
   * The `eddsa-rdfc-2022` implementation. Default: microcred's compiled one (`fastCryptosuite()`), byte-identical to
   * the reference suite and falling back to it for anything outside its subset; pass `eddsaRdfc2022` for the
   * reference implementation.
   */
  cryptosuite?: Cryptosuite;
}

/** A credential with its Data Integrity proofs, always as an array (the OB 3.0 JSON Schema requires one). */
export type SignedCredential<T extends object = Record<string, unknown>> = T & { proof: Record<string, unknown>[] };

let defaultLoader: DocumentLoader | undefined;

/**
 * Adds a `DataIntegrityProof` (`eddsa-rdfc-2022`, proof purpose `assertionMethod`) to a copy of the credential.
 * Existing proofs are kept (the new one is appended). The input is not modified.
 *
 * @throws MicrocredError `UNKNOWN_CONTEXT` for a context that is not bundled, `SIGNING_FAILED` otherwise (e.g. a
 *   term no context defines: JSON-LD safe mode refuses to drop data silently).
 * @example
 * ```ts
 * const signed = await signDataIntegrity(credential, { signer: keys.signer(), created: '2025-01-01T00:00:00Z' });
 * signed.proof[0].proofValue; // 'z…'
 * ```
 */
export async function signDataIntegrity<T extends object>(credential: T, options: DataIntegrityOptions): Promise<SignedCredential<T>> {
  const { signer } = options;
  if (signer.algorithm !== 'Ed25519') {
    throw new MicrocredError('UNSUPPORTED', `eddsa-rdfc-2022 needs an Ed25519 key; the signer ${signer.id} uses ${signer.algorithm}.`);
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
    cryptosuite: options.cryptosuite ?? fastCryptosuite(),
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
