/**
 * Claim offers, their single-use challenges and nonces, the wallet copies they produce, and per-issuer claim
 * settings (tables of migration 004). Secrets arrive here already hashed; nothing in this module sees one.
 */
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export type OfferState = 'open' | 'claimed' | 'revoked';
/** What a wallet asked for: Data Integrity (`ldp_vc`) or the OB 3.0 VC-JWT (`jwt_vc_json`). */
export type CopyFormat = 'ldp_vc' | 'jwt_vc_json';
/** How the copy was claimed: VC-API exchange, LCW's one-step request, or OID4VCI. */
export type ClaimProtocol = 'vcapi' | 'vcapi-direct' | 'oid4vci';
export type NoncePurpose = 'vcapi-challenge' | 'oid4vci-nonce';
export type MailLanguage = 'en' | 'cy';

export interface ClaimSettings {
  issuerSlug: string;
  offerTtlDays: number;
  /** Digits of the OID4VCI tx_code; undefined = no PIN. */
  txCodeLength?: number;
  txCodeMaxAttempts: number;
  /** From address of claim e-mails; undefined = this issuer sends none. */
  mailFrom?: string;
  mailLanguages: MailLanguage[];
}

export interface OfferRow {
  id: string;
  issuerSlug: string;
  credentialId: string;
  secretHash: string;
  codeHash: string;
  txCodeHash?: string;
  txCodeLength?: number;
  txCodeAttempts: number;
  state: OfferState;
  expiresAt: string;
  codeUsedAt?: string;
  claimedAt?: string;
  revokedAt?: string;
  revokedReason?: string;
  createdBy: string;
  createdAt: string;
}

export interface CopyRow {
  id: string;
  issuerSlug: string;
  originalId: string;
  offerId: string;
  holderDid: string;
  format: CopyFormat;
  protocol: ClaimProtocol;
  /** JSON text (ldp_vc) or compact JWS (jwt_vc_json). */
  credential: string;
  keyId: string;
  createdAt: string;
}

export const DEFAULT_CLAIM_SETTINGS: Omit<ClaimSettings, 'issuerSlug'> = { offerTtlDays: 30, txCodeMaxAttempts: 5, mailLanguages: ['en'] };

function optText(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}
function optTime(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : isoTime(v);
}

/**
 * The claim settings of an issuer (defaults when none were stored).
 *
 * @example
 * ```ts
 * const { offerTtlDays, txCodeLength } = await getClaimSettings(db, 'northbridge'); // 30, undefined by default
 * ```
 */
export async function getClaimSettings(q: Queryable, issuerSlug: string): Promise<ClaimSettings> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM claim_settings WHERE issuer_slug = $1', [issuerSlug]);
  const r = res.rows[0];
  if (!r) return { issuerSlug, ...DEFAULT_CLAIM_SETTINGS };
  return {
    issuerSlug,
    offerTtlDays: Number(r.offer_ttl_days),
    ...(r.tx_code_length != null ? { txCodeLength: Number(r.tx_code_length) } : {}),
    txCodeMaxAttempts: Number(r.tx_code_max_attempts),
    ...(r.mail_from != null ? { mailFrom: String(r.mail_from) } : {}),
    mailLanguages: r.mail_languages as MailLanguage[],
  };
}

/**
 * Stores an issuer's claim settings (the whole set; absent optional fields clear them).
 *
 * @example
 * ```ts
 * await putClaimSettings(db, { issuerSlug: 'northbridge', offerTtlDays: 14, txCodeLength: 6, txCodeMaxAttempts: 5,
 *   mailFrom: 'Registry <registry@northbridge.ac.uk>', mailLanguages: ['cy', 'en'] });
 * ```
 */
export async function putClaimSettings(q: Queryable, s: ClaimSettings): Promise<void> {
  await q.query(
    `INSERT INTO claim_settings (issuer_slug, offer_ttl_days, tx_code_length, tx_code_max_attempts, mail_from, mail_languages)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT (issuer_slug) DO UPDATE SET offer_ttl_days = EXCLUDED.offer_ttl_days, tx_code_length = EXCLUDED.tx_code_length,
       tx_code_max_attempts = EXCLUDED.tx_code_max_attempts, mail_from = EXCLUDED.mail_from, mail_languages = EXCLUDED.mail_languages,
       updated_at = now()`,
    [s.issuerSlug, s.offerTtlDays, s.txCodeLength ?? null, s.txCodeMaxAttempts, s.mailFrom ?? null, JSON.stringify(s.mailLanguages)],
  );
}

function toOffer(r: Record<string, unknown>): OfferRow {
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    credentialId: String(r.credential_id),
    secretHash: String(r.secret_hash),
    codeHash: String(r.code_hash),
    ...(r.tx_code_hash != null ? { txCodeHash: String(r.tx_code_hash) } : {}),
    ...(r.tx_code_length != null ? { txCodeLength: Number(r.tx_code_length) } : {}),
    txCodeAttempts: Number(r.tx_code_attempts),
    state: r.state as OfferState,
    expiresAt: isoTime(r.expires_at),
    ...(optTime(r.code_used_at) ? { codeUsedAt: optTime(r.code_used_at) as string } : {}),
    ...(optTime(r.claimed_at) ? { claimedAt: optTime(r.claimed_at) as string } : {}),
    ...(optTime(r.revoked_at) ? { revokedAt: optTime(r.revoked_at) as string } : {}),
    ...(optText(r.revoked_reason) ? { revokedReason: optText(r.revoked_reason) as string } : {}),
    createdBy: String(r.created_by),
    createdAt: isoTime(r.created_at),
  };
}

/**
 * Inserts an offer and its audit entry in one statement.
 *
 * @example
 * ```ts
 * await insertOffer(tx, { id, issuerSlug, credentialId, secretHash, codeHash, expiresAt, createdBy: 'api-key:ak_1' });
 * ```
 */
export async function insertOffer(
  q: Queryable,
  o: { id: string; issuerSlug: string; credentialId: string; secretHash: string; codeHash: string; txCodeHash?: string; txCodeLength?: number; expiresAt: string; createdBy: string },
  audit: { details?: Record<string, unknown> } = {},
): Promise<OfferRow> {
  const res = await q.query<Record<string, unknown>>(
    `WITH o AS (
       INSERT INTO claim_offers (id, issuer_slug, credential_id, secret_hash, code_hash, tx_code_hash, tx_code_length, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9) RETURNING *
     ), a AS (
       INSERT INTO audit_log (actor, issuer_slug, action, target, details) SELECT $9, o.issuer_slug, 'offer.create', o.id, $10::jsonb FROM o
     )
     SELECT * FROM o`,
    [
      o.id,
      o.issuerSlug,
      o.credentialId,
      o.secretHash,
      o.codeHash,
      o.txCodeHash ?? null,
      o.txCodeLength ?? null,
      o.expiresAt,
      o.createdBy,
      JSON.stringify({ credentialId: o.credentialId, expiresAt: o.expiresAt, txCode: o.txCodeHash !== undefined, ...audit.details }),
    ],
  );
  return toOffer(res.rows[0] as Record<string, unknown>);
}

/**
 * An offer by one of its hashed secrets (`secret` = the link secret, `code` = the pre-authorized code).
 * `forUpdate` locks the row until COMMIT, so two wallets racing for one offer are served one after the other.
 *
 * @example
 * ```ts
 * const offer = await findOffer(tx, 'secret', sha256Hex(secret), true);
 * ```
 */
export async function findOffer(q: Queryable, by: 'secret' | 'code', hash: string, forUpdate = false): Promise<OfferRow | undefined> {
  const column = by === 'secret' ? 'secret_hash' : 'code_hash';
  const res = await q.query<Record<string, unknown>>(`SELECT * FROM claim_offers WHERE ${column} = $1${forUpdate ? ' FOR UPDATE' : ''}`, [hash]);
  return res.rows[0] ? toOffer(res.rows[0]) : undefined;
}

/**
 * One offer of an issuer by id.
 *
 * @example
 * ```ts
 * const offer = await getOffer(db, 'northbridge', 'offer_3q…');
 * ```
 */
export async function getOffer(q: Queryable, issuerSlug: string, id: string, forUpdate = false): Promise<OfferRow | undefined> {
  const res = await q.query<Record<string, unknown>>(`SELECT * FROM claim_offers WHERE issuer_slug = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
    issuerSlug,
    id,
  ]);
  return res.rows[0] ? toOffer(res.rows[0]) : undefined;
}

/**
 * The offers of one credential, oldest first.
 *
 * @example
 * ```ts
 * const offers = await listOffers(db, 'northbridge', credentialId);
 * ```
 */
export async function listOffers(q: Queryable, issuerSlug: string, credentialId: string): Promise<OfferRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM claim_offers WHERE issuer_slug = $1 AND credential_id = $2 ORDER BY created_at, id', [
    issuerSlug,
    credentialId,
  ]);
  return res.rows.map(toOffer);
}

/**
 * Changes an offer's state with its audit entry (`offer.claim`, `offer.revoke`) in one statement.
 *
 * @example
 * ```ts
 * await setOfferState(tx, offer, 'revoked', { actor: 'api-key:ak_1', reason: 'sent to the wrong address' });
 * ```
 */
export async function setOfferState(
  q: Queryable,
  offer: Pick<OfferRow, 'id' | 'issuerSlug'>,
  state: 'claimed' | 'revoked',
  audit: { actor: string; reason?: string; details?: Record<string, unknown> },
): Promise<void> {
  await q.query(
    `WITH u AS (
       UPDATE claim_offers SET state = $2,
         claimed_at = CASE WHEN $2 = 'claimed' THEN now() ELSE claimed_at END,
         revoked_at = CASE WHEN $2 = 'revoked' THEN now() ELSE revoked_at END,
         revoked_reason = CASE WHEN $2 = 'revoked' THEN $4 ELSE revoked_reason END
       WHERE id = $1 RETURNING id, issuer_slug
     )
     INSERT INTO audit_log (actor, issuer_slug, action, target, reason, details)
       SELECT $3, u.issuer_slug, $5, u.id, $4, $6::jsonb FROM u`,
    [offer.id, state, audit.actor, audit.reason ?? null, state === 'claimed' ? 'offer.claim' : 'offer.revoke', audit.details ? JSON.stringify(audit.details) : null],
  );
}

/**
 * Marks the pre-authorized code of an offer as exchanged (it is single use).
 *
 * @example
 * ```ts
 * await markCodeUsed(tx, offer.id);
 * ```
 */
export async function markCodeUsed(q: Queryable, offerId: string): Promise<void> {
  await q.query('UPDATE claim_offers SET code_used_at = now() WHERE id = $1', [offerId]);
}

/**
 * Counts one wrong PIN; returns the attempts so far.
 *
 * @example
 * ```ts
 * const attempts = await countWrongTxCode(tx, offer.id);
 * ```
 */
export async function countWrongTxCode(q: Queryable, offerId: string): Promise<number> {
  const res = await q.query<{ n: number }>('UPDATE claim_offers SET tx_code_attempts = tx_code_attempts + 1 WHERE id = $1 RETURNING tx_code_attempts AS n', [offerId]);
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * Stores a single-use challenge or nonce (hashed) and removes expired ones of the issuer (a few at a time, so
 * an anonymous nonce endpoint cannot grow the table without bound).
 *
 * @example
 * ```ts
 * await insertNonce(tx, { hash: sha256Hex(challenge), issuerSlug, offerId, purpose: 'vcapi-challenge', expiresAt });
 * ```
 */
export async function insertNonce(
  q: Queryable,
  n: { hash: string; issuerSlug: string; offerId?: string; purpose: NoncePurpose; expiresAt: string },
): Promise<void> {
  await q.query(
    `WITH gone AS (
       DELETE FROM claim_nonces WHERE nonce_hash IN (SELECT nonce_hash FROM claim_nonces WHERE expires_at < now() - interval '1 hour' LIMIT 100)
     )
     INSERT INTO claim_nonces (nonce_hash, issuer_slug, offer_id, purpose, expires_at) VALUES ($1, $2, $3, $4, $5::timestamptz)`,
    [n.hash, n.issuerSlug, n.offerId ?? null, n.purpose, n.expiresAt],
  );
}

export type NonceUse =
  | { ok: true; offerId?: string }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * Uses a challenge or nonce once: the first caller gets `ok`, every later one `used`. Unknown ones (or of another
 * issuer, purpose or, when `offerId` is given, offer) and expired ones are refused too.
 *
 * @example
 * ```ts
 * const use = await useNonce(tx, sha256Hex(proof.challenge), 'northbridge', 'vcapi-challenge');
 * if (!use.ok) throw replayed(use.reason);
 * ```
 */
export async function useNonce(q: Queryable, hash: string, issuerSlug: string, purpose: NoncePurpose, offerId?: string): Promise<NonceUse> {
  const res = await q.query<{ offer_id: string | null; expired: boolean; was_used: boolean }>(
    `WITH prev AS (SELECT nonce_hash, used_at FROM claim_nonces
                    WHERE nonce_hash = $1 AND issuer_slug = $2 AND purpose = $3 AND ($4::text IS NULL OR offer_id = $4) FOR UPDATE),
          u AS (UPDATE claim_nonces n SET used_at = now() FROM prev WHERE n.nonce_hash = prev.nonce_hash AND prev.used_at IS NULL RETURNING n.nonce_hash)
     SELECT n.offer_id, n.expires_at < now() AS expired, prev.used_at IS NOT NULL AS was_used
       FROM claim_nonces n JOIN prev ON prev.nonce_hash = n.nonce_hash`,
    [hash, issuerSlug, purpose, offerId ?? null],
  );
  const r = res.rows[0];
  if (!r) return { ok: false, reason: 'unknown' };
  if (r.was_used) return { ok: false, reason: 'used' };
  if (r.expired) return { ok: false, reason: 'expired' };
  return r.offer_id ? { ok: true, offerId: r.offer_id } : { ok: true };
}

function toCopy(r: Record<string, unknown>): CopyRow {
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    originalId: String(r.original_id),
    offerId: String(r.offer_id),
    holderDid: String(r.holder_did),
    format: r.format as CopyFormat,
    protocol: r.protocol as ClaimProtocol,
    credential: String(r.credential),
    keyId: String(r.key_id),
    createdAt: isoTime(r.created_at),
  };
}

/**
 * Stores a wallet copy.
 *
 * @example
 * ```ts
 * await insertCopy(tx, { id, issuerSlug, originalId, offerId, holderDid, format: 'ldp_vc', protocol: 'vcapi', credential, keyId });
 * ```
 */
export async function insertCopy(q: Queryable, c: Omit<CopyRow, 'createdAt'>): Promise<CopyRow> {
  const res = await q.query<Record<string, unknown>>(
    `INSERT INTO credential_copies (id, issuer_slug, original_id, offer_id, holder_did, format, protocol, credential, key_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [c.id, c.issuerSlug, c.originalId, c.offerId, c.holderDid, c.format, c.protocol, c.credential, c.keyId],
  );
  return toCopy(res.rows[0] as Record<string, unknown>);
}

/**
 * The wallet copies of one credential, oldest first: which DID claimed it, in which format, how and when.
 *
 * @example
 * ```ts
 * for (const c of await listCopies(db, 'northbridge', credentialId)) console.log(c.holderDid, c.format, c.createdAt);
 * ```
 */
export async function listCopies(q: Queryable, issuerSlug: string, originalId: string): Promise<CopyRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM credential_copies WHERE issuer_slug = $1 AND original_id = $2 ORDER BY created_at, id', [
    issuerSlug,
    originalId,
  ]);
  return res.rows.map(toCopy);
}

/**
 * The stored status of a credential of this deployment, or of the original behind a wallet copy (copies share
 * the original's status), with the reason; undefined for credentials issued elsewhere.
 *
 * @example
 * ```ts
 * const own = await ownCredentialStatus(db, credential.id); // { status: 'suspended', reason: '…' } for a copy of a suspended record
 * ```
 */
export async function ownCredentialStatus(q: Queryable, id: string): Promise<{ status: 'active' | 'revoked' | 'suspended'; reason?: string; originalId: string } | undefined> {
  const res = await q.query<{ id: string; status: 'active' | 'revoked' | 'suspended'; reason: string | null }>(
    `SELECT c.id, c.status, c.reason FROM credentials c WHERE c.id = $1
     UNION ALL
     SELECT c.id, c.status, c.reason FROM credential_copies k JOIN credentials c ON c.id = k.original_id WHERE k.id = $1
     LIMIT 1`,
    [id],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return { status: r.status, originalId: r.id, ...(r.reason != null ? { reason: r.reason } : {}) };
}
