/**
 * Fast `eddsa-rdfc-2022`: a cryptosuite object with the same `name` and `requiredAlgorithm` as
 * `@digitalbazaar/eddsa-rdfc-2022-cryptosuite`, whose `canonize` is the compiled canonicalizer
 * (src/lib/fast-rdfc) and whose `createVerifier` is cached. It plugs into the normal `@digitalbazaar/vc`
 * issue / verify pipeline (`new DataIntegrityProof({ signer, cryptosuite })`), so every check of that pipeline
 * (proof purpose, controller and `assertionMethod`, issuer match, dates) stays as it is.
 *
 * Output is meant to be byte-identical to the stock suite's: inputs outside the compiled subset, non-default
 * options and a failed start-up self-test go to the stock implementation with the untouched input; a first-degree
 * hash collision sends the converter's quads to rdf-canonize (see src/lib/fast-rdfc/canonize.ts for what is
 * by construction and what the differential tests check).
 */
import * as nodeCrypto from 'node:crypto';
import { createFastCanonizer, type FastCanonizeMetrics } from '../../lib/fast-rdfc/canonize.js';
import { runSelfTest, type SelfTestResult, type SelfTestVectors } from '../../lib/fast-rdfc/self-test.js';
import { createVerifierCache, type Verifier, type VerifierCacheOptions } from './verifier-cache.js';

export interface FastCryptosuiteOptions {
  /**
   * rdf-canonize `maxWorkFactor` (stock default 1). Leave unset: outputs and errors then equal stock's and every
   * other verifier's on rdf-canonize defaults.
   *
   * Decision on "Maximum deep iterations exceeded" (an `@list` with a repeated interior value such as
   * `allowedValue: ["A","B","B","C"]`): we keep the default. A higher factor would let us sign credentials that
   * verifiers on rdf-canonize defaults (the Digital Bazaar stack, the 1EdTech validator) cannot canonicalize, and
   * would raise the verifier's exposure to costly inputs. Our records cannot produce such lists: the completion
   * record schema requires grade scales without repeats (`uniqueItems`), and scales are the only `@list` the
   * mapping emits. test/fast-differential.test.ts covers issue and verify of such a credential both ways.
   */
  maxWorkFactor?: number;
  /** Verifier cache settings (TTL for non-did:key methods, size). */
  verifierCache?: VerifierCacheOptions;
  /** Run the start-up self-test (default true). When it fails, every call goes to stock. */
  selfTest?: boolean;
  /**
   * The self-test's known answers (default: the recorded stock output for the sample credential and proof
   * configuration). Tests pass vectors whose answer differs to exercise the fallback.
   */
  selfTestVectors?: SelfTestVectors;
  /** Where the self-test failure warning goes (default `process.emitWarning`). */
  onWarning?: (message: string) => void;
}

export interface FastDiMetrics extends FastCanonizeMetrics {
  verifierCache: { hits: number; misses: number; size: number };
  /** False when the self-test failed (all calls use stock). */
  fastPathEnabled: boolean;
}

/** A cryptosuite object for `@digitalbazaar/data-integrity`'s `DataIntegrityProof`. */
export interface FastCryptosuite {
  readonly name: 'eddsa-rdfc-2022';
  readonly requiredAlgorithm: 'Ed25519';
  canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
  createVerifier(options: { verificationMethod: unknown }): Promise<Verifier>;
  /**
   * The data to sign / verify: SHA-256(canonical proof configuration) ‖ SHA-256(canonical document), exactly as
   * `DataIntegrityProof#createVerifyData` computes it (same canonize calls, in the same order), with one-shot
   * hashes instead of two Hash objects and three byte-array copies.
   */
  createVerifyData(options: {
    document: object;
    proof: object;
    documentLoader: unknown;
    dataIntegrityProof: {
      canonize(input: unknown, o: Record<string, unknown>): Promise<string>;
      canonizeProof(proof: object, o: { document: object; documentLoader: unknown }): Promise<string>;
    };
  }): Promise<Uint8Array>;
  /** Counters for monitoring: fast-path hits, bails (by reason), collisions, cache hits. */
  metrics(): FastDiMetrics;
  /** Resolves once the self-test and warm-up are done. Calls made before wait for it. */
  readonly ready: Promise<SelfTestResult | undefined>;
  /** Assignable to any `{ name, canonize, createVerifier, … }` cryptosuite type (e.g. src/proof/di.ts `Cryptosuite`). */
  readonly [extra: string]: unknown;
}

/**
 * Creates the fast `eddsa-rdfc-2022` cryptosuite. Starts the self-test (which also compiles the VC v2 +
 * OB 3.0.3 + DataIntegrityProof contexts) immediately; `canonize` waits for it on first use.
 *
 * @example
 * ```ts
 * import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
 * const cryptosuite = createFastCryptosuite();
 * const suite = new DataIntegrityProof({ signer: keys.signer(), cryptosuite });
 * const signed = await vc.issue({ credential, suite, documentLoader });
 * // or with microcred: signDataIntegrity(credential, { signer, cryptosuite })
 * ```
 */
export function createFastCryptosuite(options: FastCryptosuiteOptions = {}): FastCryptosuite {
  const canonizer = createFastCanonizer(options.maxWorkFactor === undefined ? {} : { maxWorkFactor: options.maxWorkFactor });
  const cache = createVerifierCache(options.verifierCache);
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m, { code: 'MICROCRED_FAST_DI_DISABLED' }));
  let settled = options.selfTest === false;
  const ready: Promise<SelfTestResult | undefined> =
    options.selfTest === false
      ? Promise.resolve(undefined)
      : runSelfTest(canonizer, options.selfTestVectors).then((r) => {
          if (!r.ok) {
            canonizer.enabled = false;
            warn(
              `microcred fast eddsa-rdfc-2022 disabled, using the stock canonicalizer: ${r.reason} ` +
                `(jsonld ${r.versions.jsonld}, rdf-canonize ${r.versions.rdfCanonize}).`,
            );
          }
          settled = true;
          return r;
        });
  const canonize = canonizer.canonize;
  const suiteCanonize = (input: unknown, opts: Record<string, unknown>): Promise<string> =>
    settled ? canonize(input, opts) : ready.then(() => canonize(input, opts));
  return {
    name: 'eddsa-rdfc-2022',
    requiredAlgorithm: 'Ed25519',
    ready,
    canonize: suiteCanonize,
    createVerifyData: async ({ document, proof, documentLoader, dataIntegrityProof }) => {
      // Started in the stock order (document first), awaited together as stock does; through the suite's own
      // canonize, so a wrapper around this cryptosuite's canonize (spread into a new object) still sees both calls.
      const doc = dataIntegrityProof.canonize(document, { documentLoader, base: null, safe: true });
      const config = dataIntegrityProof.canonizeProof(proof, { document, documentLoader });
      const [c14nProof, c14nDocument] = await Promise.all([config, doc]);
      return Buffer.concat([sha256(c14nProof), sha256(c14nDocument)]);
    },
    createVerifier: cache.createVerifier,
    metrics: () => ({ ...canonizer.metrics(), verifierCache: cache.stats(), fastPathEnabled: canonizer.enabled }),
  };
}

const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
function sha256(text: string): Buffer {
  return typeof oneShot === 'function' ? oneShot('sha256', text, 'buffer') : nodeCrypto.createHash('sha256').update(text).digest();
}

let shared: FastCryptosuite | undefined;

/**
 * The process-wide fast cryptosuite (created on first call). Compiled contexts are shared by all instances
 * anyway; sharing the suite also shares the verifier cache and the metrics.
 *
 * @example
 * ```ts
 * await signDataIntegrity(credential, { signer, cryptosuite: fastCryptosuite() });
 * ```
 */
export function fastCryptosuite(): FastCryptosuite {
  shared ??= createFastCryptosuite();
  return shared;
}
