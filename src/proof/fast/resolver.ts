/**
 * Key resolution for the worker pool (internal): did:key Ed25519 documents computed offline, plus controller
 * documents handed over as plain data (workers cannot receive functions). Contexts come from the pinned loader.
 */
import { createDocumentLoader, type DocumentLoader } from '../../lib/document-loader.js';

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

interface Vm {
  id: string;
  type?: string;
  controller?: string;
  [k: string]: unknown;
}

function didKeyDocument(did: string): object | undefined {
  const fp = did.slice('did:key:'.length);
  if (!/^z6Mk[1-9A-HJ-NP-Za-km-z]+$/.test(fp)) return undefined;
  const vmId = `${did}#${fp}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{ id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: fp }],
    authentication: [vmId],
    assertionMethod: [vmId],
  };
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
      const doc = docs.get(base) ?? (base.startsWith('did:key:') ? didKeyDocument(base) : undefined);
      if (!doc) return undefined;
      if (base === url) return doc;
      const vms = ((doc as { verificationMethod?: Vm[] }).verificationMethod ?? []) as Vm[];
      const vm = vms.find((v) => v.id === url || (v.id.startsWith('#') && base + v.id === url));
      return vm ? { '@context': MULTIKEY_V1, ...vm, id: url } : undefined;
    },
  });
}
