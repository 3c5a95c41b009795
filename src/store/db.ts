/**
 * The one storage abstraction: a thin `Db` over PGlite (embedded) or PostgreSQL (`pg`), both speaking the same
 * SQL. Repositories only ever see `Queryable` (inside a transaction) or `Db`, never a driver.
 */
import { MicrocredError } from '../errors.js';

/** Rows and count of one statement. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /** One statement with `$1…` parameters. `Uint8Array` parameters are bytea; pass JSON as a string cast `::jsonb`. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is re-thrown).
   * Inside `fn` use only `tx`: on PGlite the outer `Db` waits for the transaction to end, so using it would deadlock.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * True when `e` is a PostgreSQL unique-constraint violation (SQLSTATE 23505), optionally on `constraint`.
 *
 * @example
 * ```ts
 * catch (e) { if (isUniqueViolation(e, 'credentials_current_record')) continue; throw e; }
 * ```
 */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (!err || err.code !== '23505') return false;
  if (constraint === undefined) return true;
  // pg sets `constraint`; PGlite only names it in the message.
  return err.constraint === constraint || (typeof err.message === 'string' && err.message.includes(constraint));
}

/** What PostgreSQL (through pg or PGlite) reports about a failed statement: names and codes, never values. */
export interface DatabaseErrorFields {
  /** SQLSTATE, e.g. `23505`. */
  code: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
}

/**
 * True for an error reported by the database server (pg's and PGlite's DatabaseError: a five-character SQLSTATE
 * `code` and a `severity`). Their message, `detail`, `where` and (PGlite) `query`/`params` can hold data.
 *
 * @example
 * ```ts
 * if (isDatabaseError(e)) log({ sqlState: e.code });
 * ```
 */
export function isDatabaseError(e: unknown): e is Error & DatabaseErrorFields {
  const err = e as { code?: unknown; severity?: unknown } | null;
  return e instanceof Error && typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string';
}

// SQLSTATE classes and codes that say the session is gone or cannot be had: 08 connection exception, 57P
// operator intervention (admin_shutdown when a backend is terminated, crash_shutdown, cannot_connect_now,
// database_dropped), 53300 too_many_connections, 3D000 the database does not exist.
const CONNECTION_SQLSTATE = /^(08...|57P..|53300|3D000)$/;
const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
// What pg and PGlite say when the connection or the embedded database is gone (they set no code).
const CONNECTION_MESSAGE = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection ended unexpectedly|PGlite is clos)/;

/**
 * True when `e` says the database cannot be reached or the session was lost (as opposed to a statement that
 * failed): the request may be sent again later.
 *
 * @example
 * ```ts
 * if (isConnectionLoss(e)) throw databaseUnavailable(e);
 * ```
 */
export function isConnectionLoss(e: unknown): boolean {
  if (e instanceof MicrocredError) return e.code === 'DATABASE_UNAVAILABLE';
  const err = e as { code?: unknown; message?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  if (typeof err.code === 'string' && (CONNECTION_SQLSTATE.test(err.code) || CONNECTION_ERRNO.has(err.code))) return true;
  return typeof err.message === 'string' && CONNECTION_MESSAGE.test(err.message);
}

/**
 * The typed error for a lost or refused database connection (code `DATABASE_UNAVAILABLE`, the driver's error as
 * `cause`); other errors unchanged.
 *
 * @example
 * ```ts
 * await pool.query(sql).catch((e) => { throw databaseUnavailable(e); });
 * ```
 */
export function databaseUnavailable(e: unknown): unknown {
  if (!isConnectionLoss(e) || e instanceof MicrocredError) return e;
  return new MicrocredError('DATABASE_UNAVAILABLE', 'The database cannot be reached or the connection to it was lost.', undefined, { cause: e });
}

// U+0000, or a UTF-16 surrogate without its partner.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True when `s` is text PostgreSQL can store and give back unchanged: no U+0000 (text cannot hold it; the statement
 * fails) and no unpaired surrogate (not UTF-8: it would be stored as U+FFFD).
 *
 * @example
 * ```ts
 * isStorableText('NBU-2026-000142'); // true
 * isStorableText('a\u0000b');        // false
 * ```
 */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/**
 * The JSON path (`$.a.b[0]`) of the first string or object key in `value` that is not {@link isStorableText}
 * (jsonb cannot hold U+0000 or unpaired surrogates either), or undefined when everything is storable.
 *
 * @example
 * ```ts
 * unstorableTextPath({ name: 'a\u0000' }); // '$.name'
 * ```
 */
export function unstorableTextPath(value: unknown, at = '$', depth = 0): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : at;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableTextPath(value[i], `${at}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const key = /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`;
    if (!isStorableText(k)) return key;
    const found = unstorableTextPath(v, key, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * bytea comes back as a Buffer (pg) or a Uint8Array (PGlite); hand out a plain Uint8Array either way.
 *
 * @example
 * ```ts
 * const bits = bytes(row.revocation); // Uint8Array on PGlite and pg alike
 * ```
 */
export function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`expected bytea, found ${typeof value}`);
}

/**
 * timestamptz comes back as a Date (both drivers); normalise to an ISO string.
 *
 * @example
 * ```ts
 * isoTime(row.created_at); // '2026-06-19T10:00:00.000Z'
 * ```
 */
export function isoTime(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}
