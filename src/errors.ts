/** The stable codes of {@link MicrocredError}: callers branch on these, never on message text. */
export type ErrorCode =
  | 'RECORD_INVALID'
  | 'PROFILE_INVALID'
  | 'RULES_INVALID'
  | 'CREDENTIAL_INVALID'
  /** buildCredential made a credential that fails a schema it must pass: a bug in the mapping, never bad input. */
  | 'BUILT_CREDENTIAL_INVALID'
  | 'UNKNOWN_CONTEXT'
  | 'KEY_NOT_FOUND'
  | 'KEYSET_INVALID'
  | 'DID_RESOLUTION_FAILED'
  | 'FETCH_BLOCKED'
  | 'FETCH_FAILED'
  | 'SIGNING_FAILED'
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_LOCKED'
  | 'UNSUPPORTED'
  // badge baking (src/baking/)
  | 'BADGE_IMAGE_UNSUPPORTED'
  | 'BADGE_IMAGE_INVALID'
  | 'BADGE_TOO_LARGE'
  | 'BADGE_NOT_BAKED'
  | 'BADGE_ALREADY_BAKED'
  | 'BADGE_MULTIPLE_CREDENTIALS'
  | 'BADGE_CREDENTIAL_INVALID'
  /** A trust list (file, remote document or configuration entry) that is not one microcred reads. */
  | 'TRUST_LIST_INVALID'
  // bulk input: a column mapping with problems, an unreadable upload (CSV, NDJSON, not UTF-8), one over the limit
  | 'MAPPING_INVALID'
  | 'INPUT_INVALID'
  | 'INPUT_TOO_LARGE';

/**
 * Typed errors with stable codes. Callers branch on `code`, never on message text.
 *
 * @example
 * ```ts
 * try { await issueCredential(...) } catch (e) {
 *   if (e instanceof MicrocredError && e.code === 'RECORD_INVALID') console.error(e.details)
 * }
 * ```
 */
export class MicrocredError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable detail (e.g. the list of record problems). Never holds key material. */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MicrocredError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}
