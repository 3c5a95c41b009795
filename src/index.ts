/**
 * microcred: issue and verify Open Badges 3.0 micro-credentials.
 * Public API; each export lives in its own module.
 */
export { MicrocredError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { createDocumentLoader, bundledContexts } from './lib/document-loader.js';
export type { DocumentLoader, DocumentResolver, RemoteDocument } from './lib/document-loader.js';
// keys + proofs (H2)
export { loadKeySet, generateKeySet, rotateKey, didWebDocumentUrl, KeySet } from './keys/keyset.js';
export type { KeyAlg, JwtAlg, KeyPurpose, KeyEntry, PublicJwk, KeySetDocument, KeySetFiles, Signer, LoadKeySetOptions, GenerateKeySetOptions } from './keys/keyset.js';
export { didWebDocument, jwks } from './did/web-document.js';
export type { ControllerDocument, VerificationMethod, PublicJwkWithKid } from './did/web-document.js';
export { issueCredential } from './issue.js';
export type { IssueOptions } from './issue.js';
export { signDataIntegrity } from './proof/di.js';
export type { DataIntegrityOptions, SignedCredential, Cryptosuite } from './proof/di.js';
export { signJwt, jwtClaims } from './proof/jwt.js';
export type { JwtSignOptions, JwsAlg } from './proof/jwt.js';
