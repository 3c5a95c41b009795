/**
 * Key resolution for the worker pool (internal): did:key documents computed offline (`didKeyDocument`), plus controller
 * documents handed over as plain data (workers cannot receive functions). Contexts come from the pinned loader.
 */
import { createDocumentLoader, type DocumentLoader } from '../../lib/document-loader.js';
import { didKeyDocument, MULTIKEY_CONTEXT } from '../../did/key.js';

interface Vm {
  id: string;
  type?: string;
  controller?: string;
  [k: string]: unknown;
}

/** The offline did:key document (`didKeyDocument`), or undefined for a DID it cannot read. */
function didKeyOrUndefined(did: string): object | undefined {
  try {
    return didKeyDocument(did);
  } catch {
    return undefined;
  }
}

/**
 * A document loader for verification in a worker: pinned contexts, did:key, and the given controller documents.
 *
 * @example
 * ```ts
 * const documentLoader = poolDocumentLoader({ 'did:web:example.edu': didJson });
 * ```
 */
export function poolDocumentLoader(controllerDocuments: Record<string, object> = {}): DocumentLoader {
  const docs = new Map<string, object>(Object.entries(controllerDocuments));
  return createDocumentLoader({
    resolve: async (url) => {
      const [base = url] = url.split('#');
      const doc = docs.get(base) ?? (base.startsWith('did:key:') ? didKeyOrUndefined(base) : undefined);
      if (!doc) return undefined;
      if (base === url) return doc;
      const vms = ((doc as { verificationMethod?: Vm[] }).verificationMethod ?? []) as Vm[];
      const vm = vms.find((v) => v.id === url || (v.id.startsWith('#') && base + v.id === url));
      return vm ? { '@context': MULTIKEY_CONTEXT, ...vm, id: url } : undefined;
    },
  });
}
