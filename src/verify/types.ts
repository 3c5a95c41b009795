/**
 * Types of the verifier's report and options.
 */
import type { DocumentLoader } from '../lib/document-loader.js';
import type { GuardedFetch } from '../lib/guarded-fetch.js';
import type { DidResolver } from '../did/resolve.js';
import type { Cryptosuite } from '../proof/vendor.js';
import type { JwtProfile } from '../proof/jwt.js';
import type { KnownIssuer, TrustRegistry } from '../trust/types.js';
import type { Message } from './messages.js';

export type CheckId = 'parse' | 'context' | 'schema' | 'profile' | 'proof' | 'issuer-key' | 'issuer-trust' | 'validity' | 'status' | 'endorsements';

/**
 * - `pass`: the check succeeded;
 * - `fail`: the check found a problem; the credential is not valid;
 * - `warning`: acceptable, but something deserves attention (e.g. an older format);
 * - `not-applicable`: the check does not apply (e.g. no status information) or was skipped;
 * - `unknown`: the check could not be carried out (e.g. a status list could not be fetched). The credential is then
 *   not reported as valid: "unknown" is never "valid".
 */
export type CheckStatus = 'pass' | 'fail' | 'warning' | 'not-applicable' | 'unknown';

export interface Check {
  id: CheckId;
  status: CheckStatus;
  /** A plain sentence a non-specialist understands. */
  message: string;
  /**
   * The sentences `message` is made of, each with a stable id and parameters (src/verify/messages.ts), when every
   * one comes from the catalogue: what a page shows in another language. Absent for sentences not yet in it.
   */
  messages?: Message[];
  /**
   * The specification's name for the outcome of a failed or unknown check, where one exists: Data Integrity
   * `PROOF_VERIFICATION_ERROR`, Bitstring Status List `STATUS_RETRIEVAL_ERROR`, `STATUS_VERIFICATION_ERROR`,
   * `STATUS_LIST_LENGTH_ERROR`, VC Data Model `RANGE_ERROR`, `MALFORMED_VALUE_ERROR`.
   */
  code?: string;
  /** One entry per item the check looked at: each proof (proof), each status entry (status), each endorsement. */
  details?: CheckDetail[];
  /**
   * The "proof" check of a JWT only: the profile the token was verified as (`ob-vc-jwt`: Open Badges 3.0 VC-JWT;
   * `vc-jose-cose`: W3C VC-JOSE-COSE, `typ: vc+jwt`).
   */
  profile?: JwtProfile;
}

/** The outcome for one item of a check (one proof, one status entry, one endorsement). */
export interface CheckDetail {
  /**
   * Where the item sits in the credential, e.g. `proof[1]`, `credentialStatus`, `credentialSubject.achievement.endorsement[0]`;
   * for the issuer-trust check, the trust list's source (its file or URL).
   */
  path: string;
  /** `not-applicable`: the item was not checked (e.g. a proof type microcred does not support, which is ignored). */
  status: CheckStatus;
  message: string;
  /** As `Check.messages`, for this item. */
  messages?: Message[];
  /** As `Check.code`, for this item. */
  code?: string;
  /** The data model rule the item breaks (parse check), e.g. `vc-2.0/4.7-issuer` (see DATA_MODEL_RULES). */
  rule?: string;
}

export interface VerificationReport {
  /** True only when no check failed and none is unknown. */
  verified: boolean;
  /** One entry per check, always in the order of CheckId. */
  checks: Check[];
  /** The credential that was checked (for a JWT: the decoded credential). */
  credential?: Record<string, unknown>;
  format?: 'di' | 'jwt';
  /**
   * Who signed, as proven: set when the signature holds and the signing key is proven to be the issuer's
   * (issuer-key passed); absent otherwise, since nothing is then established about the signer.
   */
  signer?: ProvenSigner;
  /**
   * One report per embedded endorsement (`endorsement` / `endorsementJwt` of the credential, its achievement and
   * its profiles), each verified like a credential of its own. Their outcome does not change `verified`: the
   * `endorsements` check summarises them (a warning when one is not valid).
   */
  endorsements?: EndorsementReport[];
  /**
   * Credentials embedded in this one (a CLR 2.0 transcript's `credentialSubject.verifiableCredential`), each verified
   * on its own. `verified` is true only when they all are.
   */
  nested?: NestedVerification[];
}

/**
 * Who holds the key that made the issuer's signature, as proven, and the issuer's name: listed (when the issuer is on
 * a configured trust list) or only claimed.
 */
export interface ProvenSigner {
  /**
   * How the key is tied to an identity: `did:web` and `https`, published at a web host; `did:key`, the key is the
   * identifier (self-asserted); `other`, another DID method resolved by the configured resolver.
   */
  method: 'did:web' | 'https' | 'did:key' | 'other';
  /** The issuer identifier the key was proven to belong to (the credential's issuer.id). */
  id: string;
  /**
   * `did:web` and `https`: the host the key was published at: the host the did:web method names (port included
   * when not 443), or the host of the https identifier, where the key list was fetched from.
   */
  host?: string;
  /** The issuer's name as the credential states it: a claim, shown as "says it is …" unless `known`. */
  claimedName?: string;
  /** The issuer's entry on the first configured trust list that has it (in the configured order). */
  known?: KnownIssuer;
  /** The sentences to show: who holds the key, then the name (listed, or "says it is …"). */
  messages: Message[];
}

/** The verification of one embedded endorsement. */
export interface EndorsementReport extends VerificationReport {
  /** Where the endorsement sits in the credential, e.g. `credentialSubject.achievement.endorsement[0]`. */
  path: string;
}

/** One embedded credential's verification. */
export interface NestedVerification {
  /** Where it sits, e.g. `$.credentialSubject.verifiableCredential[0]`. */
  path: string;
  id?: string;
  report: VerificationReport;
}

export interface VerifyOptions {
  /** JSON-LD document loader for contexts. Default: the bundled contexts only (never the network). */
  documentLoader?: DocumentLoader;
  /** Resolves DIDs, DID URLs and https controller documents: `(url) => document | undefined`. Default: `createDidResolver`. */
  resolver?: DidResolver;
  /** Alias of `resolver`. */
  resolveDid?: DidResolver;
  /** The guarded fetch for status lists, JWK sets and (by default) DID documents. Default: `createGuardedFetch`. */
  fetch?: GuardedFetch;
  /** The time to check validity against. Default: now. */
  now?: Date | string;
  /** Let the default fetch reach private/loopback addresses (tests, intranets). Default false. */
  allowPrivateNetwork?: boolean;
  /** Let the default fetch use plain http (tests only). Default false. */
  allowHttp?: boolean;
  /** Timeout of each fetch in ms (default fetch only). Default 10 s. */
  timeoutMs?: number;
  /** Check `credentialStatus`. Default true. (Set false when verifying a status list credential itself.) */
  checkStatus?: boolean;
  /** Verify embedded endorsements (`endorsement`, `endorsementJwt`). Default true. */
  checkEndorsements?: boolean;
  /** Keep fetched status lists this long (ms), per fetch function. Default 60 s; 0 disables. */
  statusListCacheMs?: number;
  /**
   * Trust a status list credential whose exact text verified before (proof, issuer key, validity) for this long
   * (ms), per fetch function, never past its `validUntil`; a changed list is verified afresh. Default 60 s; 0 disables.
   */
  statusListProofCacheMs?: number;
  /** An `eddsa-rdfc-2022` implementation to verify with (e.g. a faster one). Default: the reference cryptosuite. */
  cryptosuite?: Cryptosuite;
  /** Verify credentials embedded in a CLR 2.0 transcript, each on its own. Default true. */
  verifyNested?: boolean;
  /**
   * Known issuers: the trust lists to look the issuer up in (`createTrustRegistry`; create it once and reuse it, it
   * holds the cache of remote lists). Default: none, so the issuer-trust check says the issuer is on no list.
   */
  trust?: TrustRegistry;
}

/** What the checks share while verifying one credential (internal). */
export interface VerifyContext {
  credential: Record<string, unknown>;
  format: 'di' | 'jwt' | undefined;
  jwt?: { compact: string; header: Record<string, unknown>; payload: Record<string, unknown>; vc11Claim: boolean };
  /** 1 for VC 1.1 (`https://www.w3.org/2018/credentials/v1`), 2 for VC 2.0. */
  vcVersion: 1 | 2;
  issuerId: string | undefined;
  /**
   * The name the credential gives its issuer (falls back to its id): a claim, never proven. Sentences must not
   * present it as the signer; who signed is `VerificationReport.signer`.
   */
  issuerName: string;
  now: Date;
  resolve: DidResolver;
  fetch: GuardedFetch;
  documentLoader: DocumentLoader;
  options: VerifyOptions;
}

/** A key that made a valid signature (set by the proof check for the issuer-key check). */
export interface SigningKey {
  /** Verification method id (DI, JWT kid) if any. */
  vmId?: string;
  verificationMethod?: Record<string, unknown>;
  controllerDocument?: Record<string, unknown>;
  /** JWT: the public JWK the token was verified with (embedded jwk or from a JWK set). */
  jwk?: Record<string, unknown>;
  /** JWT: how the key was found. */
  source?: 'kid' | 'jwk' | 'jwks';
}

export const CHECK_ORDER: CheckId[] = ['parse', 'context', 'schema', 'profile', 'proof', 'issuer-key', 'issuer-trust', 'validity', 'status', 'endorsements'];
