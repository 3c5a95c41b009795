import type { KeyEntry } from '../keyset/keyset.js';
import type { IssuerProfile } from '../record/types.js';
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export interface IssuerRow {
  slug: string;
  did: string;
  profile: IssuerProfile;
  keysDir: string;
  createdAt: string;
}

export interface IssuerKeyRow {
  issuerSlug: string;
  keyId: string;
  alg: 'Ed25519' | 'ES256';
  publicKeyMultibase: string;
  publicKeyJwk: Record<string, unknown>;
  privateKeyFile: string;
  active: boolean;
  createdAt: string;
}

function toIssuer(r: Record<string, unknown>): IssuerRow {
  return { slug: String(r.slug), did: String(r.did), profile: r.profile as IssuerProfile, keysDir: String(r.keys_dir), createdAt: isoTime(r.created_at) };
}

/**
 * Inserts an issuer row.
 *
 * @example
 * ```ts
 * await insertIssuer(tx, { slug: 'northbridge', did, profile, keysDir: '/var/lib/microcred/keys/northbridge' });
 * ```
 */
export async function insertIssuer(q: Queryable, issuer: Omit<IssuerRow, 'createdAt'>): Promise<void> {
  await q.query('INSERT INTO issuers (slug, did, profile, keys_dir) VALUES ($1, $2, $3::jsonb, $4)', [
    issuer.slug,
    issuer.did,
    JSON.stringify(issuer.profile),
    issuer.keysDir,
  ]);
}

/**
 * One issuer by slug, or undefined.
 *
 * @example
 * ```ts
 * const issuer = await getIssuer(db, 'northbridge'); // undefined when unknown
 * ```
 */
export async function getIssuer(q: Queryable, slug: string): Promise<IssuerRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM issuers WHERE slug = $1', [slug]);
  return res.rows[0] ? toIssuer(res.rows[0]) : undefined;
}

/**
 * Every issuer, by slug.
 *
 * @example
 * ```ts
 * for (const issuer of await listIssuers(db)) console.log(issuer.slug, issuer.did);
 * ```
 */
export async function listIssuers(q: Queryable): Promise<IssuerRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM issuers ORDER BY slug');
  return res.rows.map(toIssuer);
}

/**
 * Makes the key references of an issuer match its key set (public data and private key file NAMES only):
 * new keys are added, `active` flags follow the key set, keys no longer listed stay (they may have signed credentials).
 *
 * @example
 * ```ts
 * await syncIssuerKeys(tx, 'northbridge', (await loadKeySet(keysDir)).keys);
 * ```
 */
export async function syncIssuerKeys(q: Queryable, slug: string, keys: readonly KeyEntry[]): Promise<void> {
  for (const k of keys) {
    await q.query(
      `INSERT INTO issuer_keys (issuer_slug, key_id, alg, public_key_multibase, public_key_jwk, private_key_file, active, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
       ON CONFLICT (issuer_slug, key_id) DO UPDATE SET active = EXCLUDED.active`,
      [slug, k.id, k.alg, k.publicKeyMultibase, JSON.stringify(k.publicKeyJwk), k.privateKeyFile, k.active, k.created],
    );
  }
}

function toIssuerKey(r: Record<string, unknown>): IssuerKeyRow {
  return {
    issuerSlug: String(r.issuer_slug),
    keyId: String(r.key_id),
    alg: r.alg as 'Ed25519' | 'ES256',
    publicKeyMultibase: String(r.public_key_multibase),
    publicKeyJwk: r.public_key_jwk as Record<string, unknown>,
    privateKeyFile: String(r.private_key_file),
    active: r.active === true,
    createdAt: isoTime(r.created_at),
  };
}

/**
 * The key references to publish: the active keys plus every key that signed a credential that is not revoked, or a
 * wallet copy of one
 * (suspended credentials can come back, so their keys stay), oldest first, in one statement (one index probe per
 * key via credentials_by_key): this runs for every DID document request and every verification of the issuer's
 * own credentials.
 *
 * @example
 * ```ts
 * const keys = await listPublishedIssuerKeys(db, 'northbridge'); // active keys + keys of unrevoked credentials
 * ```
 */
export async function listPublishedIssuerKeys(q: Queryable, slug: string): Promise<IssuerKeyRow[]> {
  const res = await q.query<Record<string, unknown>>(
    `SELECT * FROM issuer_keys k WHERE issuer_slug = $1
        AND (active OR EXISTS (SELECT 1 FROM credentials c WHERE c.issuer_slug = $1 AND c.key_id = k.key_id AND c.status <> 'revoked')
             OR EXISTS (SELECT 1 FROM credential_copies w JOIN credentials c ON c.id = w.original_id
                         WHERE w.issuer_slug = $1 AND w.key_id = k.key_id AND c.status <> 'revoked'))
      ORDER BY created_at, key_id`,
    [slug],
  );
  return res.rows.map(toIssuerKey);
}
