import type { Queryable } from './db.js';
import { isoTime } from './db.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { parseTimestamp } from './time.js';

export type CredentialStatusValue = 'active' | 'revoked' | 'suspended';
export type CredentialFormat = 'di' | 'jwt';

export interface CredentialRow {
  id: string;
  issuerSlug: string;
  recordId: string;
  recordHash: string;
  format: CredentialFormat;
  learnerStudentId?: string;
  learnerEmail?: string;
  learnerDid?: string;
  statusListId: number;
  statusIndex: number;
  statusEntries: Record<string, unknown>[];
  /** JSON text (di) or compact JWS (jwt). */
  credential: string;
  keyId: string;
  status: CredentialStatusValue;
  reason?: string;
  awardedDate: string;
  supersededBy?: string;
  /** The course the credential is about and, when the record was completed from the catalogue, its version. */
  courseCode?: string;
  courseVersion?: number;
  /** The token of the credential's public page (`/c/{pageToken}`), given by the database when the row is written. */
  pageToken?: string;
  /** When the issuer withdrew the page (a 404 since), if it did. */
  pageWithdrawnAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type NewCredentialRow = Omit<CredentialRow, 'status' | 'reason' | 'supersededBy' | 'pageToken' | 'pageWithdrawnAt' | 'createdAt' | 'updatedAt'>;

function opt(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

/**
 * A `credentials` table row (snake_case columns) as a CredentialRow.
 *
 * @example
 * ```ts
 * const rows = (await q.query('SELECT * FROM credentials')).rows.map(toCredentialRow);
 * ```
 */
export function toCredentialRow(r: Record<string, unknown>): CredentialRow {
  const out: CredentialRow = {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    recordId: String(r.record_id),
    recordHash: String(r.record_hash),
    format: r.format as CredentialFormat,
    statusListId: Number(r.status_list_id),
    statusIndex: Number(r.status_index),
    statusEntries: r.status_entries as Record<string, unknown>[],
    credential: String(r.credential),
    keyId: String(r.key_id),
    status: r.status as CredentialStatusValue,
    awardedDate: String(r.awarded_date),
    createdAt: isoTime(r.created_at),
    updatedAt: isoTime(r.updated_at),
  };
  const extra: [keyof CredentialRow, unknown][] = [
    ['learnerStudentId', r.learner_student_id],
    ['learnerEmail', r.learner_email],
    ['learnerDid', r.learner_did],
    ['reason', r.reason],
    ['supersededBy', r.superseded_by],
    ['courseCode', r.course_code],
    ['pageToken', r.page_token],
  ];
  for (const [k, v] of extra) {
    const s = opt(v);
    if (s !== undefined) (out as unknown as Record<string, unknown>)[k] = s;
  }  if (r.page_withdrawn_at !== null && r.page_withdrawn_at !== undefined) out.pageWithdrawnAt = isoTime(r.page_withdrawn_at);

  if (r.course_version !== null && r.course_version !== undefined) out.courseVersion = Number(r.course_version);
  return out;
}

/**
 * Stores an issued credential in ONE statement (each statement is a round trip, expensive on PGlite), atomically
 * without a transaction of its own: a compare-and-set on the record (its current credentials, locked, must be
 * exactly `expectedCurrent`, the ones the request decided on), the credential row and its audit entry. Returns the
 * stored row, or undefined when the record's current credentials changed meanwhile (nothing written). A concurrent
 * first issuance of the same record and format is the unique violation on `credentials_current_record`.
 *
 * The status index must already be claimed (`status_allocations`); `claimedAs` is the credential id it was claimed
 * under when the credential has another id (a VC-API credential bringing its own), which the claim then takes.
 * Nothing here writes the status list row: its `used` count was taken when the index was claimed.
 *
 * @example
 * ```ts
 * const stored = await insertIssuedCredential(db, row, { actor: 'api-key:ak_1', action: 'credential.issue' }, { expectedCurrent: [] });
 * if (!stored) // a concurrent request changed the record first: look again
 * ```
 */
export async function insertIssuedCredential(
  q: Queryable,
  c: NewCredentialRow,
  audit: { actor: string; action: string; details?: Record<string, unknown> },
  options: { expectedCurrent: readonly string[]; claimedAs?: string },
): Promise<CredentialRow | undefined> {
  const res = await q.query<Record<string, unknown>>(
    `WITH cur AS (
       SELECT id FROM credentials WHERE issuer_slug = $2 AND record_id = $3 AND superseded_by IS NULL FOR UPDATE
     ), ok AS (
       SELECT 1 WHERE (SELECT count(*) FROM cur) = cardinality($20::text[]) AND NOT EXISTS (SELECT 1 FROM cur WHERE id <> ALL($20::text[]))
     ), c AS (
       INSERT INTO credentials (id, issuer_slug, record_id, record_hash, format, learner_student_id, learner_email, learner_did,
         status_list_id, status_index, status_entries, credential, key_id, awarded_date, course_code, course_version)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $18, $19::int FROM ok
       RETURNING *
     ), a AS (
       INSERT INTO audit_log (actor, issuer_slug, action, target, details) SELECT $15, c.issuer_slug, $16, c.id, $17::jsonb FROM c
     ), claim AS (
       UPDATE status_allocations SET credential_id = $1
        WHERE $21::text IS NOT NULL AND credential_id = $21::text AND list_id = $9 AND idx = $10 AND EXISTS (SELECT 1 FROM c)
     )
     SELECT * FROM c`,
    [
      c.id,
      c.issuerSlug,
      c.recordId,
      c.recordHash,
      c.format,
      c.learnerStudentId ?? null,
      c.learnerEmail ?? null,
      c.learnerDid ?? null,
      c.statusListId,
      c.statusIndex,
      JSON.stringify(c.statusEntries),
      c.credential,
      c.keyId,
      c.awardedDate,
      audit.actor,
      audit.action,
      audit.details ? JSON.stringify(audit.details) : null,
      c.courseCode ?? null,
      c.courseVersion ?? null,
      [...options.expectedCurrent],
      options.claimedAs !== undefined && options.claimedAs !== c.id ? options.claimedAs : null,
    ],
  );
  const row = res.rows[0];
  return row ? toCredentialRow(row) : undefined;
}

/**
 * One credential of an issuer by id. `forUpdate` locks the row for a status change.
 *
 * @example
 * ```ts
 * const row = await getCredential(tx, 'northbridge', 'urn:uuid:…', true); // locked until COMMIT
 * ```
 */
export async function getCredential(q: Queryable, issuerSlug: string, id: string, forUpdate = false): Promise<CredentialRow | undefined> {
  const res = await q.query<Record<string, unknown>>(
    `SELECT * FROM credentials WHERE issuer_slug = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [issuerSlug, id],
  );
  return res.rows[0] ? toCredentialRow(res.rows[0]) : undefined;
}

/**
 * A credential by id, whatever its issuer (for verification of our own credentials).
 *
 * @example
 * ```ts
 * const own = await findCredentialById(db, credential.id); // undefined for foreign credentials
 * ```
 */
export async function findCredentialById(q: Queryable, id: string): Promise<CredentialRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM credentials WHERE id = $1', [id]);
  return res.rows[0] ? toCredentialRow(res.rows[0]) : undefined;
}

/**
 * The current (not superseded) credentials of a record, every format.
 *
 * @example
 * ```ts
 * const current = await currentCredentialsForRecord(db, 'northbridge', 'NBU-2026-000142');
 * ```
 */
export async function currentCredentialsForRecord(q: Queryable, issuerSlug: string, recordId: string, forUpdate = false): Promise<CredentialRow[]> {
  const res = await q.query<Record<string, unknown>>(
    `SELECT * FROM credentials WHERE issuer_slug = $1 AND record_id = $2 AND superseded_by IS NULL ORDER BY created_at${forUpdate ? ' FOR UPDATE' : ''}`,
    [issuerSlug, recordId],
  );
  return res.rows.map(toCredentialRow);
}

/**
 * Changes a credential's status (and reason); `supersededBy` marks a re-issue.
 *
 * @example
 * ```ts
 * await updateCredentialStatus(tx, id, 'revoked', 'awarded in error');
 * ```
 */
export async function updateCredentialStatus(
  q: Queryable,
  id: string,
  status: CredentialStatusValue,
  reason: string | undefined,
  supersededBy?: string,
): Promise<void> {
  await q.query(
    `UPDATE credentials SET status = $2, reason = $3, superseded_by = COALESCE($4, superseded_by), updated_at = now() WHERE id = $1`,
    [id, status, reason ?? null, supersededBy ?? null],
  );
}

function timestamp(name: string, text: string): string {
  const at = parseTimestamp(text);
  if (at === undefined) throw new RangeError(`${name} must be an ISO 8601 date or date-time of a real day; found ${JSON.stringify(text)}`);
  return at;
}

export interface CredentialQuery {
  issuerSlug: string;
  /** Matches the learner's student id, email (case-insensitive) or DID. */
  learner?: string;
  recordId?: string;
  status?: CredentialStatusValue;
  /** created_at >= from (ISO 8601 date or date-time; UTC when it has no offset). RangeError when it is not one. */
  from?: string;
  /** created_at < to. */
  to?: string;
  limit?: number;
  /** Opaque cursor from a previous page (RangeError when it is not one). */
  cursor?: string;
}

/**
 * Lists an issuer's credentials, oldest first, keyset-paged on (created_at, id): stable under concurrent inserts.
 *
 * @example
 * ```ts
 * const page1 = await listCredentials(db, { issuerSlug: 'northbridge', learner: 's1234567', limit: 50 });
 * const page2 = await listCredentials(db, { issuerSlug: 'northbridge', learner: 's1234567', limit: 50, cursor: page1.next });
 * ```
 */
export async function listCredentials(q: Queryable, query: CredentialQuery): Promise<{ items: CredentialRow[]; next?: string }> {
  const limit = Math.max(1, Math.min(query.limit ?? 50, 500));
  const params: unknown[] = [query.issuerSlug];
  const where = ['issuer_slug = $1'];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (query.learner !== undefined) add('(learner_student_id = ? OR learner_email = lower(?) OR learner_did = ?)', query.learner);
  if (query.recordId !== undefined) add('record_id = ?', query.recordId);
  if (query.status !== undefined) add('status = ?', query.status);
  if (query.from !== undefined) add('created_at >= ?::timestamptz', timestamp('from', query.from));
  if (query.to !== undefined) add('created_at < ?::timestamptz', timestamp('to', query.to));
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, 'text');
    params.push(at, id);
    where.push(`(created_at, id) > ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(limit + 1);
  const res = await q.query<Record<string, unknown>>(
    `SELECT * FROM credentials WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $${params.length}`,
    params,
  );
  const rows = res.rows.map(toCredentialRow);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  // created_at has millisecond precision, so its ISO form is exact.
  return rows.length > limit && last ? { items, next: encodeCursor(last.createdAt, last.id) } : { items };
}

