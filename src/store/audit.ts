import type { Queryable } from './db.js';
import { isoTime } from './db.js';

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

/**
 * Lists audit entries of an issuer, newest first.
 *
 * @example
 * ```ts
 * const last = await listAudit(db, { issuerSlug: 'northbridge', limit: 20 });
 * ```
 */
export async function listAudit(q: Queryable, options: { issuerSlug: string; target?: string; limit?: number }): Promise<AuditRow[]> {
  const res = await q.query<Record<string, unknown>>(
    `SELECT id::text AS id, at, actor, issuer_slug, action, target, reason, details FROM audit_log
      WHERE issuer_slug = $1 AND ($2::text IS NULL OR target = $2) ORDER BY id DESC LIMIT $3`,
    [options.issuerSlug, options.target ?? null, Math.min(options.limit ?? 100, 1000)],
  );
  return res.rows.map((r) => ({
    id: String(r.id),
    at: isoTime(r.at),
    actor: String(r.actor),
    action: String(r.action),
    ...(r.issuer_slug != null ? { issuerSlug: String(r.issuer_slug) } : {}),
    ...(r.target != null ? { target: String(r.target) } : {}),
    ...(r.reason != null ? { reason: String(r.reason) } : {}),
    ...(r.details != null ? { details: r.details as Record<string, unknown> } : {}),
  }));
}
