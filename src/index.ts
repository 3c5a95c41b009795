/**
 * microcred: issue and verify Open Badges 3.0 micro-credentials.
 *
 * The library entry (`import … from 'microcred'`): completion records, the Annex I mapping, keys, issuing and
 * verifying. It loads no HTTP server, no database driver and no logger; the issuance service is
 * `microcred/service`. Each export lives in its own module; internals stay out of this list.
 */
export { MicrocredError } from './errors.js';
export type { ErrorCode } from './errors.js';

// Completion records and issuer profiles (the input).
export { validateRecord, assertRecord } from './record/validate.js';
export type { RecordValidation, RecordProblem } from './record/validate.js';
export { validateProfile, assertProfile } from './record/profile.js';
export type { ProfileValidation } from './record/profile.js';
export type * from './record/types.js';

// The Annex I mapping: record + profile -> unsigned OpenBadgeCredential.
export { buildCredential } from './credential/annex1.js';
export type { BuildOptions } from './credential/annex1.js';
export { identityHash } from './credential/identity-hash.js';
export type * from './credential/types.js';

// Issuer keys and the documents an issuer publishes.
export { loadKeySet, generateKeySet, rotateKey, didWebDocumentUrl, KeySet } from './keyset/keyset.js';
export type { KeyAlg, JwtAlg, KeyPurpose, KeyEntry, PublicJwk, KeySetDocument, KeySetFiles, Signer, LoadKeySetOptions, GenerateKeySetOptions } from './keyset/keyset.js';
export { didWebDocument, jwks } from './did/web-document.js';
export type { ControllerDocument, VerificationMethod, PublicJwkWithKid, PublishedKeys } from './did/web-document.js';

// Issuing: Data Integrity (eddsa-rdfc-2022) or VC-JWT.
export { issueCredential } from './issue.js';
export type { IssueOptions } from './issue.js';
export { signDataIntegrity } from './proof/di.js';
export type { DataIntegrityOptions, SignedCredential, Cryptosuite } from './proof/di.js';
export { signJwt } from './proof/jwt.js';
export type { JwtSignOptions, JwsAlg } from './proof/jwt.js';
export { createFastCryptosuite, fastCryptosuite } from './proof/fast/cryptosuite.js';
export type { FastCryptosuite, FastCryptosuiteOptions, FastDiMetrics } from './proof/fast/cryptosuite.js';
export { FastDiPool } from './proof/fast/pool.js';
export type { FastDiPoolOptions, PoolIssueOptions, PoolIssueResult, PoolVerifyResult } from './proof/fast/pool.js';

// Verifying, and the collaborators a verifier can be given (contexts, DID resolution, the guarded fetch).
export { verify } from './verify/verify.js';
export type { VerificationReport, Check, CheckId, CheckStatus, VerifyOptions, NestedVerification } from './verify/verify.js';
// The W3C VC Data Model 2.0 rules a credential or presentation must follow (also applied by verify and buildCredential).
export { checkCredential, checkPresentation } from './vcdm/conformance.js';
export type { ConformanceReport, ConformanceProblem, CheckOptions } from './vcdm/conformance.js';
// Who signed, as proven, and known issuers (trust lists) for the issuer-trust check.
export type { ProvenSigner } from './verify/verify.js';
export { createTrustRegistry } from './trust/registry.js';
export type { TrustRegistryOptions } from './trust/registry.js';
export { trustListsFromEnv } from './trust/config.js';
export type {
  TrustRegistry, TrustLookup, TrustListSource, TrustListState, TrustListFormat, KnownIssuer, HostedIssuer, HostedIssuers,
} from './trust/types.js';
export { verifyPresentationProof, presentedCredentials } from './presentation/verify-presentation.js';
export type { PresentationProofOptions, PresentationProofResult } from './presentation/verify-presentation.js';
export { formatReport } from './verify/format.js';
export { createDocumentLoader } from './lib/document-loader.js';
export type { DocumentLoader, DocumentResolver, RemoteDocument } from './lib/document-loader.js';
export { createDidResolver } from './did/resolve.js';
export type { DidResolver, DidResolverOptions } from './did/resolve.js';
export { createGuardedFetch } from './lib/guarded-fetch.js';
export type { GuardedFetch, GuardedFetchConfig, GuardedFetchRequest, FetchedDocument, HostLookup, Transport } from './lib/guarded-fetch.js';

// More Data Integrity cryptosuites (eddsa-jcs-2022, ecdsa-rdfc-2019) and the two VC-JWT profiles, by name.
export { CRYPTOSUITES, DEFAULT_CRYPTOSUITE } from './keyset/cryptosuites.js';
export type { CryptosuiteName } from './keyset/cryptosuites.js';
export { JWT_PROFILES } from './proof/jwt.js';
export type { JwtProfile } from './proof/jwt.js';

// Open Badges 3.0 baking: a credential inside a PNG or SVG badge image, and out again.
export { bake } from './baking/bake.js';
export type { BakeOptions } from './baking/bake.js';
export { unbake } from './baking/unbake.js';
export type { Unbaked, UnbakeOptions } from './baking/unbake.js';
export type { BakedFormat, SizeLimits } from './baking/payload.js';

// Bulk input: CSV exports of student record systems (with a column mapping) and NDJSON, read as streams into
// completion records with per-row problems, checked without issuing, and the per-row report; catalogue courses.
export { compileMapping } from './import/mapping.js';
export type { CsvMapping, MappingDocument, FieldSpec, FieldType, MappedField } from './import/mapping.js';
export { readCsvRows } from './import/csv.js';
export type { ReadOptions } from './import/csv.js';
export { readNdjsonRows } from './import/ndjson.js';
export { checkRows } from './import/check.js';
export type { CheckOptions as ImportCheckOptions } from './import/check.js';
export { reportCsv, reportNdjson } from './import/report.js';
export type { ImportRow, ReportRow, ReportOutcome, RowProblem } from './import/types.js';
export type { ByteSource } from './import/text.js';
export { validateCourse } from './record/catalogue.js';
export type { CatalogueCourse, CourseValidation } from './record/catalogue.js';
