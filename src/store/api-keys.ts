import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export const SCOPES = ['issue', 'revoke', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyRow {
  id: string;
  issuerSlug: string;
  scopes: Scope[];
  label?: string;
  createdAt: string;
}

/**
 * The stored form of a token: sha256, hex. Tokens carry 256 random bits, so a fast hash is enough.
 *
 * @example
 * ```ts
 * await q.query('SELECT id FROM api_keys WHERE token_hash = $1', [hashToken(token)]);
 * ```
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Creates an API key bound to one issuer. Returns the bearer token ONCE; only its hash is stored.
 *
 * @example
 * ```ts
 * const { token } = await insertApiKey(db, { issuerSlug: 'northbridge', scopes: ['issue', 'read'] });
 * ```
 */
export async function insertApiKey(
  q: Queryable,
  options: { issuerSlug: string; scopes: readonly Scope[]; label?: string },
): Promise<{ id: string; token: string }> {
  const id = `ak_${randomBytes(6).toString('hex')}`;
  const token = `mcred_${randomBytes(32).toString('base64url')}`;
  await q.query('INSERT INTO api_keys (id, issuer_slug, token_hash, scopes, label) VALUES ($1, $2, $3, $4::jsonb, $5)', [
    id,
    options.issuerSlug,
    hashToken(token),
    JSON.stringify([...new Set(options.scopes)]),
    options.label ?? null,
  ]);
  return { id, token };
}

/**
 * The (not revoked) API key a token belongs to, or undefined.
 *
 * @example
 * ```ts
 * const key = await findApiKey(db, bearerToken); // undefined: answer 401
 * ```
 */
export async function findApiKey(q: Queryable, token: string): Promise<ApiKeyRow | undefined> {
  const res = await q.query<Record<string, unknown>>(
    'SELECT id, issuer_slug, scopes, label, created_at FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL',
    [hashToken(token)],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    scopes: r.scopes as Scope[],
    ...(r.label != null ? { label: String(r.label) } : {}),
    createdAt: isoTime(r.created_at),
  };
}

/**
 * Revokes an API key of an issuer; false when there is no such active key.
 *
 * @example
 * ```ts
 * if (!(await revokeApiKey(db, 'northbridge', 'ak_0123456789ab'))) throw problems.notFound('no such key');
 * ```
 */
export async function revokeApiKey(q: Queryable, issuerSlug: string, id: string): Promise<boolean> {
  const res = await q.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND issuer_slug = $2 AND revoked_at IS NULL', [id, issuerSlug]);
  return res.rowCount > 0;
}

/**
 * An API key by id, when it is still active (a staff page session names its key and is checked against it at
 * every request, so a revoked key ends its sessions at once).
 *
 * @example
 * ```ts
 * const key = await findActiveApiKeyById(db, 'ak_0123456789ab'); // undefined once revoked
 * ```
 */
export async function findActiveApiKeyById(q: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT id, issuer_slug, scopes, label, created_at FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    scopes: r.scopes as Scope[],
    ...(r.label != null ? { label: String(r.label) } : {}),
    createdAt: isoTime(r.created_at),
  };
}
