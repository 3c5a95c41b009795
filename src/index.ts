/**
 * microcred: issue and verify Open Badges 3.0 micro-credentials.
 * Public API; each export lives in its own module.
 */
export { MicrocredError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { createDocumentLoader, bundledContexts } from './lib/document-loader.js';
export type { DocumentLoader, DocumentResolver, RemoteDocument } from './lib/document-loader.js';
// keys + proofs (H2)
export { loadKeySet, generateKeySet, rotateKey, didWebDocumentUrl, KeySet } from './keyset/keyset.js';
export type { KeyAlg, JwtAlg, KeyPurpose, KeyEntry, PublicJwk, KeySetDocument, KeySetFiles, Signer, LoadKeySetOptions, GenerateKeySetOptions } from './keyset/keyset.js';
export { didWebDocument, jwks } from './did/web-document.js';
export type { ControllerDocument, VerificationMethod, PublicJwkWithKid } from './did/web-document.js';
export { issueCredential } from './issue.js';
export type { IssueOptions } from './issue.js';
export { signDataIntegrity } from './proof/di.js';
export type { DataIntegrityOptions, SignedCredential, Cryptosuite } from './proof/di.js';
export { signJwt, jwtClaims } from './proof/jwt.js';
export type { JwtSignOptions, JwsAlg } from './proof/jwt.js';
// more cryptosuites (eddsa-jcs-2022, ecdsa-rdfc-2019) and the VC-JOSE-COSE JWT profile
export { CRYPTOSUITES, DEFAULT_CRYPTOSUITE, isCryptosuiteName, signerAlgorithmFor } from './proof/cryptosuites.js';
export type { CryptosuiteName, SignerAlgorithm } from './proof/cryptosuites.js';
export { signingCryptosuite, cryptosuiteVerifier } from './proof/suites.js';
export { eddsaJcs2022 } from './proof/eddsa-jcs-2022.js';
export { JWT_PROFILES, jwtProfileOf, defaultJwtProfile, VC_JOSE_COSE_TYP, VC_JOSE_COSE_CTY } from './proof/jwt.js';
export type { JwtProfile } from './proof/jwt.js';
// completion record, issuer profile, Annex I mapping, schemas (H1)
export { validateRecord, assertRecord, UK_CREDITS_PER_ECTS } from './record/validate.js';
export type { RecordValidation, RecordProblem } from './record/validate.js';
export { validateProfile, assertProfile } from './record/profile.js';
export type { ProfileValidation } from './record/profile.js';
export { eqfFor, levelLabel, FRAMEWORK_LEVELS } from './record/levels.js';
export type * from './record/types.js';
export { buildCredential, achievementId, ANNEX_I_MAPPING, CREDENTIAL_CONTEXTS, VOCABULARY, MICROCRED_UUID_NAMESPACE } from './credential/annex1.js';
export type { BuildOptions, MappingRow } from './credential/annex1.js';
export { identityHash } from './credential/identity-hash.js';
export { selectPath } from './credential/mapping-path.js';
export type * from './credential/types.js';
export { validateOpenBadgeSchema, OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from './schema/validate-ob.js';
export type { SchemaCheck } from './schema/validate-ob.js';
export {
  validateMicrocredProfile, claimsMicrocredProfile, isMicrocredProfileSchemaId, isMicrocredProfileSchemaUrl, microcredProfileSchemaUrl,
  MICROCRED_PROFILE_SCHEMA_PATH, LEGACY_MICROCRED_PROFILE_SCHEMA_ID,
} from './schema/validate-profile.js';
export { mappingTableMarkdown } from './credential/mapping-table.js';
// verifier, DID resolution, guarded fetch, status lists (H3)
export { verify } from './verify/verify.js';
export type { VerificationReport, Check, CheckId, CheckStatus, VerifyOptions } from './verify/verify.js';
export { formatReport } from './verify/format.js';
// who signed, as proven, and known issuers (trust lists) for the issuer-trust check
export type { ProvenSigner } from './verify/verify.js';
export { VERIFY_MESSAGES, message as verifyMessage } from './verify/messages.js';
export type { Message, MessageId, MessageParams } from './verify/messages.js';
export { createTrustRegistry } from './trust/registry.js';
export type { TrustRegistryOptions } from './trust/registry.js';
export { trustListsFromEnv, TRUST_LISTS_ENV } from './trust/config.js';
export { issuerHost } from './trust/host.js';
export { DEFAULT_TRUST_CACHE_POLICY } from './trust/http-cache.js';
export type { TrustCachePolicy } from './trust/http-cache.js';
export type {
  TrustRegistry, TrustLookup, TrustListSource, TrustListState, TrustListFormat, KnownIssuer, HostedIssuer, HostedIssuers,
} from './trust/types.js';
export { guardedFetch, createGuardedFetch, fetchedJson } from './lib/guarded-fetch.js';
export type { GuardedFetch, GuardedFetchConfig, GuardedFetchRequest, FetchedDocument, HostLookup, Transport } from './lib/guarded-fetch.js';
export { didKeyDocument } from './did/key.js';
export type { DidDocument } from './did/key.js';
export { createDidResolver, didWebUrl, dereferenceVerificationMethod } from './did/resolve.js';
export type { DidResolver, DidResolverOptions } from './did/resolve.js';
export { encodeStatusList, decodeStatusList, createStatusList, getBit, setBit, MIN_LIST_BITS } from './status/bitstring.js';
// fast Data Integrity: compiled eddsa-rdfc-2022 canonicalizer, cached verifier, worker pool (H4)
export { createFastCryptosuite, fastCryptosuite } from './proof/fast/cryptosuite.js';
export type { FastCryptosuite, FastCryptosuiteOptions, FastDiMetrics } from './proof/fast/cryptosuite.js';
export { createKeyObjectSigner } from './proof/fast/signer.js';
export type { KeyObjectSigner } from './proof/fast/signer.js';
export { createVerifierCache } from './proof/fast/verifier-cache.js';
export type { VerifierCache, VerifierCacheOptions } from './proof/fast/verifier-cache.js';
export { FastDiPool } from './proof/fast/pool.js';
export type { FastDiPoolOptions, PoolIssueOptions, PoolIssueResult, PoolVerifyResult } from './proof/fast/pool.js';
// issuance service and storage (H5)
export { createApp } from './service/app.js';
export type { ServiceApp } from './service/app.js';
export { startServer } from './service/server.js';
export type { RunningServer } from './service/server.js';
export { serviceConfigFromEnv } from './service/config.js';
export type { ServiceConfig } from './service/config.js';
export { createIssuer, createApiKey, rotateIssuerKey, issuerDid } from './service/admin.js';
export type { CreateIssuerOptions, CreatedIssuer } from './service/admin.js';
export { openApiDocument } from './service/openapi.js';
export { benchHttp } from './service/bench.js';
export type { HttpBenchOptions, HttpBenchResult } from './service/bench.js';
export { openDb } from './store/open.js';
export type { OpenDbOptions } from './store/open.js';
export { migrate, MIGRATIONS_DIR } from './store/migrate.js';
export type { Db, Queryable, QueryResult } from './store/db.js';
export { SCOPES } from './store/api-keys.js';
export type { Scope } from './store/api-keys.js';
