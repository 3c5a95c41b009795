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
export type ErrorCode =
  | 'RECORD_INVALID'
  | 'PROFILE_INVALID'
  | 'CREDENTIAL_INVALID'
  | 'UNKNOWN_CONTEXT'
  | 'KEY_NOT_FOUND'
  | 'KEYSET_INVALID'
  | 'DID_RESOLUTION_FAILED'
  | 'FETCH_BLOCKED'
  | 'FETCH_FAILED'
  | 'SIGNING_FAILED'
  | 'UNSUPPORTED'
  // bulk input: a column mapping with problems, an unreadable upload (CSV, NDJSON, not UTF-8), one over the limit
  | 'MAPPING_INVALID'
  | 'INPUT_INVALID'
  | 'INPUT_TOO_LARGE';

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
