/**
 * The claim e-mail outbox (migration 004): one row per message to send, taken by one worker at a time, retried
 * with backoff. Rows hold neither the address nor any secret.
 */
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export type MailState = 'pending' | 'sent' | 'failed' | 'skipped';

export interface MailRow {
  id: string;
  issuerSlug: string;
  credentialId: string;
  state: MailState;
  attempts: number;
  nextAttemptAt: string;
  offerId?: string;
  outcome?: string;
  sentAt?: string;
  createdAt: string;
}

function toMail(r: Record<string, unknown>): MailRow {
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    credentialId: String(r.credential_id),
    state: r.state as MailState,
    attempts: Number(r.attempts),
    nextAttemptAt: isoTime(r.next_attempt_at),
    ...(r.offer_id != null ? { offerId: String(r.offer_id) } : {}),
    ...(r.outcome != null ? { outcome: String(r.outcome) } : {}),
    ...(r.sent_at != null ? { sentAt: isoTime(r.sent_at) } : {}),
    createdAt: isoTime(r.created_at),
  };
}

/**
 * Adds a claim e-mail (`pending`), or records why none is sent (`skipped`, with the outcome).
 *
 * @example
 * ```ts
 * await insertMail(tx, { issuerSlug, credentialId, state: 'pending' });
 * ```
 */
export async function insertMail(q: Queryable, m: { issuerSlug: string; credentialId: string; state: 'pending' | 'skipped'; outcome?: string }): Promise<MailRow> {
  const res = await q.query<Record<string, unknown>>(
    `INSERT INTO mail_outbox (issuer_slug, credential_id, kind, state, outcome) VALUES ($1, $2, 'claim', $3, $4) RETURNING *`,
    [m.issuerSlug, m.credentialId, m.state, m.outcome ?? null],
  );
  return toMail(res.rows[0] as Record<string, unknown>);
}

/**
 * Takes the next due message for `leaseSeconds` (other workers skip it meanwhile; a crashed worker's message is
 * due again when the lease ends), or undefined when nothing is due.
 *
 * @example
 * ```ts
 * const job = await takeDueMail(db, new Date(), 120);
 * ```
 */
export async function takeDueMail(q: Queryable, now: Date, leaseSeconds: number): Promise<MailRow | undefined> {
  const res = await q.query<Record<string, unknown>>(
    `UPDATE mail_outbox SET locked_until = $1::timestamptz + make_interval(secs => $2), updated_at = now()
      WHERE id = (SELECT id FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= $1::timestamptz
                    AND (locked_until IS NULL OR locked_until <= $1::timestamptz)
                  ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [now.toISOString(), leaseSeconds],
  );
  return res.rows[0] ? toMail(res.rows[0]) : undefined;
}

/**
 * Records the offer an attempt made (before it is sent, so a later attempt can withdraw it).
 *
 * @example
 * ```ts
 * await setMailOffer(tx, job.id, offer.id);
 * ```
 */
export async function setMailOffer(q: Queryable, id: string, offerId: string): Promise<void> {
  await q.query('UPDATE mail_outbox SET offer_id = $2, updated_at = now() WHERE id = $1', [id, offerId]);
}

/**
 * Records an attempt's outcome: `sent`, or a failure that is retried at `retryAt` (or, without one, final).
 *
 * @example
 * ```ts
 * await finishMail(db, job.id, { state: 'pending', outcome: 'SMTP 451: try later', retryAt });
 * ```
 */
export async function finishMail(q: Queryable, id: string, r: { state: MailState; outcome: string; retryAt?: Date }): Promise<void> {
  await q.query(
    `UPDATE mail_outbox SET state = $2, outcome = $3, attempts = attempts + 1, locked_until = NULL,
       next_attempt_at = COALESCE($4::timestamptz, next_attempt_at), sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END, updated_at = now()
     WHERE id = $1`,
    [id, r.state, r.outcome, r.retryAt ? r.retryAt.toISOString() : null],
  );
}

/**
 * The claim e-mails of a credential, oldest first (what the credential's API view shows).
 *
 * @example
 * ```ts
 * const mails = await listMail(db, credentialId); // [{ state: 'sent', attempts: 1, … }]
 * ```
 */
export async function listMail(q: Queryable, credentialId: string): Promise<MailRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM mail_outbox WHERE credential_id = $1 ORDER BY id', [credentialId]);
  return res.rows.map(toMail);
}
