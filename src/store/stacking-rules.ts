/**
 * Stacking in the store: an issuer's parent courses with their stacking rules, and the wallet exchanges that
 * receive a learner's set of credentials (secrets stored as sha256 only; rows expire).
 */
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export interface ParentCourseRow {
  issuerSlug: string;
  code: string;
  rules: Record<string, unknown>;
  contentHash: string;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

function toParentCourse(r: Record<string, unknown>): ParentCourseRow {
  return {
    issuerSlug: String(r.issuer_slug),
    code: String(r.code),
    rules: r.rules as Record<string, unknown>,
    contentHash: String(r.content_hash),
    createdBy: String(r.created_by),
    updatedBy: String(r.updated_by),
    createdAt: isoTime(r.created_at),
    updatedAt: isoTime(r.updated_at),
  };
}

/**
 * Stores the rules of a parent course in ONE statement: a new code is inserted (`created`), changed rules replace
 * the stored ones (`changed`), identical rules (same content hash) change nothing.
 *
 * @example
 * ```ts
 * const { row, outcome } = await upsertParentCourse(db, { issuerSlug: 'northbridge', code: 'BSC-COMP-TU', rules, contentHash, actor: 'cli' });
 * ```
 */
export async function upsertParentCourse(
  q: Queryable,
  c: { issuerSlug: string; code: string; rules: Record<string, unknown>; contentHash: string; actor: string },
): Promise<{ row: ParentCourseRow; outcome: 'created' | 'changed' | 'unchanged' }> {
  const res = await q.query<Record<string, unknown>>(
    `WITH prev AS (SELECT content_hash FROM parent_courses WHERE issuer_slug = $1 AND code = $2)
     INSERT INTO parent_courses (issuer_slug, code, rules, content_hash, created_by, updated_by)
     VALUES ($1, $2, $3::jsonb, $4, $5, $5)
     ON CONFLICT (issuer_slug, code) DO UPDATE
       SET rules = EXCLUDED.rules, content_hash = EXCLUDED.content_hash, updated_by = EXCLUDED.updated_by, updated_at = now()
       WHERE parent_courses.content_hash <> EXCLUDED.content_hash
     RETURNING *, (SELECT content_hash FROM prev) AS prev_hash`,
    [c.issuerSlug, c.code, JSON.stringify(c.rules), c.contentHash, c.actor],
  );
  const r = res.rows[0];
  if (r) return { row: toParentCourse(r), outcome: r.prev_hash === null || r.prev_hash === undefined ? 'created' : 'changed' };
  const same = await getParentCourse(q, c.issuerSlug, c.code);
  if (!same) throw new Error('the parent course was neither stored nor found');
  return { row: same, outcome: 'unchanged' };
}

/**
 * One parent course, or undefined.
 *
 * @example
 * ```ts
 * const pc = await getParentCourse(db, 'northbridge', 'BSC-COMP-TU');
 * ```
 */
export async function getParentCourse(q: Queryable, issuerSlug: string, code: string): Promise<ParentCourseRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM parent_courses WHERE issuer_slug = $1 AND code = $2', [issuerSlug, code]);
  return res.rows[0] ? toParentCourse(res.rows[0]) : undefined;
}

/**
 * An issuer's parent courses, by code (at most 1000: a catalogue of awards, not of modules).
 *
 * @example
 * ```ts
 * const all = await listParentCourses(db, 'northbridge');
 * ```
 */
export async function listParentCourses(q: Queryable, issuerSlug: string): Promise<ParentCourseRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM parent_courses WHERE issuer_slug = $1 ORDER BY code LIMIT 1000', [issuerSlug]);
  return res.rows.map(toParentCourse);
}

/**
 * Every parent course of the deployment, for the staff page's picker (at most 1000).
 *
 * @example
 * ```ts
 * const courses = await listAllParentCourses(db);
 * ```
 */
export async function listAllParentCourses(q: Queryable): Promise<ParentCourseRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM parent_courses ORDER BY issuer_slug, code LIMIT 1000');
  return res.rows.map(toParentCourse);
}

// ---- wallet exchanges ----

export interface StackingExchangeRow {
  id: string;
  rules: Record<string, unknown>;
  issuerSlug?: string;
  parentCode?: string;
  challengeHash?: string;
  state: 'pending' | 'done';
  report?: Record<string, unknown>;
  presentation?: Record<string, unknown>;
  /** The spent challenge of the accepted presentation. */
  challenge?: string;
  expiresAt: string;
  createdAt: string;
  completedAt?: string;
}

function toExchange(r: Record<string, unknown>): StackingExchangeRow {
  return {
    id: String(r.id),
    rules: r.rules as Record<string, unknown>,
    ...(r.issuer_slug ? { issuerSlug: String(r.issuer_slug) } : {}),
    ...(r.parent_code ? { parentCode: String(r.parent_code) } : {}),
    ...(r.challenge_hash ? { challengeHash: String(r.challenge_hash) } : {}),
    state: r.state === 'done' ? 'done' : 'pending',
    ...(r.report ? { report: r.report as Record<string, unknown> } : {}),
    ...(r.presentation ? { presentation: r.presentation as Record<string, unknown> } : {}),
    ...(r.challenge ? { challenge: String(r.challenge) } : {}),
    expiresAt: isoTime(r.expires_at),
    createdAt: isoTime(r.created_at),
    ...(r.completed_at ? { completedAt: isoTime(r.completed_at) } : {}),
  };
}

/**
 * Stores a new exchange and removes expired ones (a few at a time, so anonymous starts cannot grow the table
 * without bound, and no learner's result outlives its expiry by long).
 *
 * @example
 * ```ts
 * await insertStackingExchange(db, { id, walletHash, viewHash, rules, expiresAt });
 * ```
 */
export async function insertStackingExchange(
  q: Queryable,
  e: { id: string; walletHash: string; viewHash: string; rules: Record<string, unknown>; issuerSlug?: string; parentCode?: string; expiresAt: string },
): Promise<void> {
  await q.query(
    `WITH gone AS (
       DELETE FROM stacking_exchanges WHERE id IN (SELECT id FROM stacking_exchanges WHERE expires_at < now() LIMIT 100)
     )
     INSERT INTO stacking_exchanges (id, wallet_hash, view_hash, rules, issuer_slug, parent_code, expires_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::timestamptz)`,
    [e.id, e.walletHash, e.viewHash, JSON.stringify(e.rules), e.issuerSlug ?? null, e.parentCode ?? null, e.expiresAt],
  );
}

/**
 * The exchange behind a secret (the wallet's or the staff member's), unless it has expired.
 *
 * @example
 * ```ts
 * const ex = await findStackingExchange(db, 'wallet', sha256Hex(secret));
 * ```
 */
export async function findStackingExchange(q: Queryable, by: 'wallet' | 'view', hash: string): Promise<StackingExchangeRow | undefined> {
  const column = by === 'wallet' ? 'wallet_hash' : 'view_hash';
  const res = await q.query<Record<string, unknown>>(`SELECT * FROM stacking_exchanges WHERE ${column} = $1 AND expires_at > now()`, [hash]);
  return res.rows[0] ? toExchange(res.rows[0]) : undefined;
}

/**
 * Records the challenge of a new presentation request (replacing the previous one) while the exchange is pending.
 * False when it is no longer pending.
 *
 * @example
 * ```ts
 * await setStackingChallenge(db, ex.id, sha256Hex(challenge));
 * ```
 */
export async function setStackingChallenge(q: Queryable, id: string, challengeHash: string): Promise<boolean> {
  const res = await q.query(`UPDATE stacking_exchanges SET challenge_hash = $2 WHERE id = $1 AND state = 'pending' RETURNING id`, [id, challengeHash]);
  return res.rows.length === 1;
}

/**
 * Completes an exchange with its report and the accepted presentation, once: only the first caller presenting the
 * current challenge of a pending exchange succeeds (a replayed presentation gets false).
 *
 * @example
 * ```ts
 * const ok = await completeStackingExchange(db, ex.id, { challenge, challengeHash: sha256Hex(challenge), report, presentation });
 * ```
 */
export async function completeStackingExchange(
  q: Queryable,
  id: string,
  done: { challenge: string; challengeHash: string; report: Record<string, unknown>; presentation: Record<string, unknown> },
): Promise<boolean> {
  const res = await q.query(
    `UPDATE stacking_exchanges
        SET state = 'done', report = $3::jsonb, presentation = $4::jsonb, challenge = $5, challenge_hash = NULL, completed_at = now()
      WHERE id = $1 AND state = 'pending' AND challenge_hash = $2 AND expires_at > now() RETURNING id`,
    [id, done.challengeHash, JSON.stringify(done.report), JSON.stringify(done.presentation), done.challenge],
  );
  return res.rows.length === 1;
}
