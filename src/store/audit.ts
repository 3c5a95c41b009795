import type { Queryable } from './db.js';
import { isoTime } from './db.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface AuditEntry {
  /** Who: `api-key:<id>`, `cli`, `admin-api:<id>`, `system`. Never a token. */
  actor: string;
  issuerSlug?: string;
  /** What: `credential.issue`, `credential.revoke`, `credential.suspend`, `credential.unsuspend`, `issuer.create`, ... */
  action: string;
  target?: string;
  /** Why (the caller's reason), when given. */
  reason?: string;
  /** Extra machine-readable facts; never personal data or secrets. */
  details?: Record<string, unknown>;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: string;
}

/**
 * Appends one audit entry (inside the caller's transaction, so it exists exactly when the change does).
 *
 * @example
 * ```ts
 * await db.transaction((tx) => recordAudit(tx, { actor: 'cli', action: 'issuer.create', target: 'northbridge' }));
 * ```
 */
export async function recordAudit(q: Queryable, entry: AuditEntry): Promise<void> {
  await q.query(
    'INSERT INTO audit_log (actor, issuer_slug, action, target, reason, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
    [entry.actor, entry.issuerSlug ?? null, entry.action, entry.target ?? null, entry.reason ?? null, entry.details ? JSON.stringify(entry.details) : null],
  );
}

export interface AuditQuery {
  issuerSlug: string;
  target?: string;
  /** Entries per page, 1-1000 (default 100). */
  limit?: number;
  /** Opaque cursor from a previous page (RangeError when it is not one). */
  cursor?: string;
}

export const MAX_AUDIT_PAGE = 1000;

/**
 * Lists audit entries of an issuer, newest first (by time, then by id: entries of one transaction share a time),
 * keyset-paged on (at, id). The cursor carries `at` to the microsecond, as stored, so no entry is skipped or repeated.
 *
 * @example
 * ```ts
 * const page1 = await listAudit(db, { issuerSlug: 'northbridge', limit: 20 });
 * const page2 = await listAudit(db, { issuerSlug: 'northbridge', limit: 20, cursor: page1.next });
 * ```
 */
export async function listAudit(q: Queryable, query: AuditQuery): Promise<{ items: AuditRow[]; next?: string }> {
  const limit = Math.max(1, Math.min(query.limit ?? 100, MAX_AUDIT_PAGE));
  const params: unknown[] = [query.issuerSlug];
  const where = ['issuer_slug = $1'];
  if (query.target !== undefined) {
    params.push(query.target);
    where.push(`target = $${params.length}`);
  }
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, 'bigint');
    params.push(at, id);
    where.push(`(at, id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  params.push(limit + 1);
  const res = await q.query<Record<string, unknown>>(
    `SELECT id::text AS id, at, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_exact,
            actor, issuer_slug, action, target, reason, details
       FROM audit_log WHERE ${where.join(' AND ')}
      -- Qualified: a bare "id" here would name the text output column (the old bug: ids sorted as text).
      ORDER BY audit_log.at DESC, audit_log.id DESC LIMIT $${params.length}`,
    params,
  );
  const items = res.rows.slice(0, limit).map((r) => ({
    id: String(r.id),
    at: isoTime(r.at),
    actor: String(r.actor),
    action: String(r.action),
    ...(r.issuer_slug != null ? { issuerSlug: String(r.issuer_slug) } : {}),
    ...(r.target != null ? { target: String(r.target) } : {}),
    ...(r.reason != null ? { reason: String(r.reason) } : {}),
    ...(r.details != null ? { details: r.details as Record<string, unknown> } : {}),
  }));
  const last = res.rows[limit - 1];
  return res.rows.length > limit && last ? { items, next: encodeCursor(String(last.at_exact), String(last.id)) } : { items };
}
