/**
 * microcred: issue and verify Open Badges 3.0 micro-credentials.
 * Public API; each export lives in its own module.
 */
export { MicrocredError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { createDocumentLoader, bundledContexts } from './lib/document-loader.js';
export type { DocumentLoader, DocumentResolver, RemoteDocument } from './lib/document-loader.js';
