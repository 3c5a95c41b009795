import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MicrocredError } from '../errors.js';
import { CONTEXTS_DIR } from './paths.js';

/** What jsonld.js expects a document loader to return. */
export interface RemoteDocument {
  contextUrl: string | null;
  documentUrl: string;
  document: unknown;
  tag?: 'static';
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/**
 * Resolves non-context URLs (DIDs, verification method URLs, controller documents).
 * Returns `undefined` when it does not know the URL.
 */
export type DocumentResolver = (url: string) => Promise<unknown | undefined>;

let contextCache: Map<string, unknown> | undefined;

/**
 * Every pinned context, keyed by canonical URL (aliases included), parsed once per process.
 * Read from `contexts/url-map.json` only.
 */
export function bundledContexts(): ReadonlyMap<string, unknown> {
  if (contextCache) return contextCache;
  const map = JSON.parse(readFileSync(path.join(CONTEXTS_DIR, 'url-map.json'), 'utf8')) as Record<string, string>;
  const byFile = new Map<string, unknown>();
  const out = new Map<string, unknown>();
  for (const [url, file] of Object.entries(map)) {
    if (url.startsWith('_')) continue;
    let doc = byFile.get(file);
    if (doc === undefined) {
      doc = JSON.parse(readFileSync(path.join(CONTEXTS_DIR, file), 'utf8'));
      byFile.set(file, doc);
    }
    out.set(url, doc);
  }
  contextCache = out;
  return out;
}

/**
 * A JSON-LD document loader that serves contexts from `contexts/` only and passes every other
 * URL to `resolve` (for DIDs and key documents). It never fetches a context from the network:
 * an unknown context URL is a `UNKNOWN_CONTEXT` error.
 *
 * @example
 * ```ts
 * const documentLoader = createDocumentLoader({ resolve: async (url) => didDocs.get(url) });
 * await vc.verifyCredential({ credential, suite, documentLoader });
 * ```
 */
export function createDocumentLoader(options: { resolve?: DocumentResolver } = {}): DocumentLoader {
  const contexts = bundledContexts();
  return async (url: string) => {
    const ctx = contexts.get(url);
    if (ctx !== undefined) {
      return { contextUrl: null, documentUrl: url, document: ctx, tag: 'static' };
    }
    if (options.resolve) {
      const doc = await options.resolve(url);
      if (doc !== undefined) return { contextUrl: null, documentUrl: url, document: doc };
    }
    throw new MicrocredError(
      'UNKNOWN_CONTEXT',
      `The document ${JSON.stringify(url)} is not one of the bundled JSON-LD contexts and no resolver knows it; ` +
        'microcred never fetches contexts from the network.',
      { url },
    );
  };
}
