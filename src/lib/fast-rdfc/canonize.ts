/**
 * The fast `canonize(input, options)` with the eddsa-rdfc-2022 contract (internal; the public entry is
 * `createFastCryptosuite` in src/proof/fast/cryptosuite.ts).
 *
 * Path: compiled JSON-LD → quads (converter.ts) → RDFC-1.0 first-degree labelling (rdfc.ts). These go to the stock
 * implementation (jsonld.js + rdf-canonize) with the untouched input and options, so their output or error is
 * stock's by construction:
 * - option combinations other than the eddsa-rdfc-2022 defaults (`base: null`, safe mode, RDFC-1.0, N-Quads);
 * - a top-level `@context` that is not a list of pinned context URLs served identically by the caller's loader;
 * - any `Bail` from the converter (counted, by reason), and any unexpected error on the fast path.
 * A first-degree hash collision does not: the converter's own quads go to rdf-canonize with the stock options
 * (the n-degree step), so that result is stock's exactly when the converter's quads are jsonld.js's, the same
 * premise as the first-degree path's; test/fast-differential.test.ts checks that premise against stock.
 */
import { isDeepStrictEqual } from 'node:util';
import { bundledContexts } from '../document-loader.js';
import { Bail, NeedCompile } from './bail.js';
import { Compiler } from './compiler.js';
import { convert, topContextUrls, type FlatQuad } from './converter.js';
import { rdfCanonize, stock, type CanonizeFn } from './internals.js';
import { canonizeFirstDegree, toRdfJsDataset } from './rdfc.js';

/** Counters a service can export as metrics. */
export interface FastCanonizeMetrics {
  /** Canonicalizations served by the compiled converter + first-degree path. */
  fast: number;
  /** Converted by the compiled converter, labelled by rdf-canonize (first-degree hash collision). */
  collisions: number;
  /** Inputs outside the compiled subset, handed to stock jsonld.js + rdf-canonize. */
  bails: number;
  /** Calls with non-default options, handed to stock directly. */
  stockOptions: number;
  /** Bails by reason (reason text is generic, never contains input data). */
  bailReasons: Record<string, number>;
  /** Compiled active-context states. */
  states: number;
}

export interface FastCanonizer {
  canonize: CanonizeFn;
  metrics(): FastCanonizeMetrics;
  /** False after a failed self-test or when jsonld.js internals are unavailable: every call goes to stock. */
  enabled: boolean;
}

export interface FastCanonizerOptions {
  /**
   * rdf-canonize `maxWorkFactor` for the n-degree step (stock default 1). Only used on the fallback paths (the
   * first-degree path never runs the n-degree step). Leave unset for outputs and errors identical to stock.
   */
  maxWorkFactor?: number;
}

const ALLOWED_OPTION_KEYS = new Set(['documentLoader', 'base', 'safe', 'skipExpansion', 'algorithm', 'format']);
const MAX_COMPILE_ROUNDS = 256;

/** A shared compiler: compiled states depend only on the pinned contexts, so one per process is enough. */
let sharedCompiler: Compiler | undefined;
let compilerError: unknown;

export function getCompiler(): Compiler | undefined {
  if (!sharedCompiler && compilerError === undefined) {
    try {
      sharedCompiler = new Compiler();
    } catch (e) {
      compilerError = e;
    }
  }
  return sharedCompiler;
}

/**
 * Creates a canonizer meant to give the output (or error) of `@digitalbazaar/eddsa-rdfc-2022-cryptosuite`'s
 * `canonize` for every input: by construction on the stock paths listed above; for inputs the converter handles,
 * as far as the converter follows jsonld.js (checked by the differential tests, not proven).
 */
export function createFastCanonizer(opts: FastCanonizerOptions = {}): FastCanonizer {
  const m = { fast: 0, collisions: 0, bails: 0, stockOptions: 0 };
  const reasons = new Map<string, number>();
  // Documents (not loaders) already compared in depth with the pinned context of a URL.
  const deepChecks = new WeakMap<object, Map<string, boolean>>();
  const pinned = bundledContexts();

  const stockCanonize: CanonizeFn =
    opts.maxWorkFactor === undefined
      ? (input, options) => stock.canonize(input, options)
      : (input, options) => stock.canonize(input, { maxWorkFactor: opts.maxWorkFactor, ...options });

  /**
   * Does the caller's loader serve `url` exactly as pinned? Asked on every call: the vc pipeline wraps the
   * caller's loader in a fresh function per operation (jsonld-signatures `extendContextLoader`), so loader
   * identity cannot be cached. Loaders built on the bundled contexts return the pinned object itself (an identity
   * check); any other document is compared in depth once per document object.
   */
  async function loaderServesPinned(loader: (u: string) => Promise<unknown>, url: string): Promise<boolean> {
    const expected = pinned.get(url);
    if (expected === undefined) return false;
    let doc: unknown;
    try {
      doc = ((await loader(url)) as { document?: unknown } | undefined)?.document;
    } catch {
      return false;
    }
    if (doc === expected) return true;
    return sameAsPinned(doc, expected, url);
  }

  function sameAsPinned(doc: unknown, expected: unknown, url: string): boolean {
    try {
      if (typeof doc === 'string') return isDeepStrictEqual(JSON.parse(doc), expected);
      if (doc === null || typeof doc !== 'object') return false;
      let perDoc = deepChecks.get(doc);
      if (!perDoc) {
        perDoc = new Map();
        deepChecks.set(doc, perDoc);
      }
      let same = perDoc.get(url);
      if (same === undefined) {
        same = isDeepStrictEqual(doc, expected);
        perDoc.set(url, same);
      }
      return same;
    } catch {
      return false;
    }
  }

  /**
   * Every top-level URL (and every URL the compiled contexts loaded) is served as pinned by the caller's loader.
   * Asked on every call: the vc pipeline wraps the caller's loader in a fresh function per operation
   * (jsonld-signatures `extendContextLoader`), so loader identity cannot be cached. Loaders built on the bundled
   * contexts return the pinned object itself (an identity check); other documents are compared in depth once
   * per document object.
   */
  async function loaderOk(loader: unknown, urls: string[], compiler: Compiler): Promise<boolean> {
    if (typeof loader !== 'function') return false;
    const load = loader as (u: string) => Promise<unknown>;
    for (let i = 0; i < urls.length; i++) if (!(await loaderServesPinned(load, urls[i] as string))) return false;
    if (compiler.loadedUrls.size > urls.length) {
      for (const u of compiler.loadedUrls) if (!urls.includes(u) && !(await loaderServesPinned(load, u))) return false;
    }
    return true;
  }

  function bail(reason: string): void {
    m.bails++;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }

  const canonizer: FastCanonizer = {
    enabled: true,
    metrics: () => ({
      ...m,
      bailReasons: Object.fromEntries(reasons),
      states: sharedCompiler?.stateCount ?? 0,
    }),
    canonize: (input, options = {}) => {
      try {
        return fast(input, options ?? {});
      } catch {
        // defensive: nothing above should throw synchronously
        bail('internal error');
        return stockCanonize(input, options);
      }
    },
  };

  function fast(input: unknown, options: Record<string, unknown>): Promise<string> {
    const compiler = canonizer.enabled ? getCompiler() : undefined;
    if (!compiler) return stockCanonize(input, options);
    for (const k of Object.keys(options)) {
      if (!ALLOWED_OPTION_KEYS.has(k)) {
        m.stockOptions++;
        return stockCanonize(input, options);
      }
    }
    if (
      (options.base !== undefined && options.base !== null) ||
      (options.safe !== undefined && options.safe !== true) ||
      options.skipExpansion === true ||
      (options.algorithm !== undefined && options.algorithm !== 'RDFC-1.0') ||
      (options.format !== undefined && options.format !== 'application/n-quads')
    ) {
      m.stockOptions++;
      return stockCanonize(input, options);
    }
    let urls: string[];
    try {
      urls = topContextUrls(input);
    } catch (e) {
      return fallback(e, input, options);
    }
    return loaderOk(options.documentLoader, urls, compiler).then((ok) => {
      if (!ok) return fallback(new Bail('context not served as pinned'), input, options);
      // Steady state: synchronous from here; only compiling a new context transition is not.
      const r = attempt(compiler, input, urls);
      if (Array.isArray(r)) return finish(r, options, input);
      if (!(r instanceof NeedCompile)) return fallback(r, input, options);
      return slow(compiler, input, options, urls);
    });
  }

  /** One synchronous conversion attempt: quads, a pending compile, or the reason to fall back. */
  function attempt(compiler: Compiler, input: unknown, urls: string[]): FlatQuad[] | NeedCompile | unknown {
    try {
      return convert(compiler, input, urls);
    } catch (e) {
      return e;
    }
  }

  async function slow(compiler: Compiler, input: unknown, options: Record<string, unknown>, urls: string[]): Promise<string> {
    for (let round = 0; round <= MAX_COMPILE_ROUNDS; round++) {
      const r = attempt(compiler, input, urls);
      if (Array.isArray(r)) return finish(r, options, input);
      if (!(r instanceof NeedCompile)) return fallback(r, input, options);
      await r.run();
    }
    return fallback(new Bail('too many compile rounds'), input, options);
  }

  /** Stock takes over; an unexpected error inside the fast path counts as a bail too (never guess). */
  function fallback(e: unknown, input: unknown, options: Record<string, unknown>): Promise<string> {
    bail(e instanceof Bail ? e.reason : 'internal error');
    return stockCanonize(input, options);
  }

  function finish(quads: FlatQuad[], options: Record<string, unknown>, input: unknown): Promise<string> {
    const fallbackQuads = (e: unknown) => fallback(e, input, options);
    let out: string | null;
    try {
      out = canonizeFirstDegree(quads);
    } catch (e) {
      return fallbackQuads(e);
    }
    if (out !== null) {
      m.fast++;
      return Promise.resolve(out);
    }
    m.collisions++;
    // Same options object shape as the stock cryptosuite hands to rdf-canonize.
    const rdfcOptions: Record<string, unknown> = {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      base: null,
      safe: true,
      ...(opts.maxWorkFactor === undefined ? {} : { maxWorkFactor: opts.maxWorkFactor }),
      ...options,
    };
    return rdfCanonize.canonize(toRdfJsDataset(quads), rdfcOptions);
  }
  return canonizer;
}
