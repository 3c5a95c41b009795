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
  return r ? apiKeyRow(r) : undefined;
}

/** How long a process trusts an API key it looked up without looking again: how late a revocation made by another
 * process (or directly in the database) takes effect here at most. A revocation through {@link revokeApiKey} takes
 * effect in its own process at once. */
export const API_KEY_CACHE_MS = 5000;
const CACHE_LIMIT = 10_000;

// Keys found recently, by token hash, with the database they were found in (one process may open several).
const cache = new Map<string, { db: Queryable; key: ApiKeyRow; at: number }>();
// Bumped by every revocation in this process: a look-up that overlapped one does not fill the cache.
let revocations = 0;

/**
 * {@link findApiKey} through a short cache of this process (only keys found are kept; unknown tokens are looked up
 * every time): a key is looked up again after {@link API_KEY_CACHE_MS}, and at once after {@link revokeApiKey}
 * revoked it in this process.
 *
 * @example
 * ```ts
 * const key = await findApiKeyCached(db, bearerToken); // no statement when found in the last few seconds
 * ```
 */
export async function findApiKeyCached(
  db: Queryable,
  token: string,
  options: { maxAgeMs?: number; now?: () => number } = {},
): Promise<ApiKeyRow | undefined> {
  const now = options.now ?? Date.now;
  const hash = hashToken(token);
  const hit = cache.get(hash);
  if (hit && hit.db === db && now() - hit.at < (options.maxAgeMs ?? API_KEY_CACHE_MS)) return hit.key;
  const generation = revocations;
  const at = now();
  const key = await findApiKey(db, token);
  if (!key || generation !== revocations) {
    cache.delete(hash);
    return key;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(hash, { db, key, at });
  return key;
}

/**
 * Revokes an API key of an issuer; false when there is no such active key. This process stops accepting the key at
 * once (its cached look-ups are dropped); other processes within {@link API_KEY_CACHE_MS}.
 *
 * @example
 * ```ts
 * if (!(await revokeApiKey(db, 'northbridge', 'ak_0123456789ab'))) throw problems.notFound('no such key');
 * ```
 */
export async function revokeApiKey(q: Queryable, issuerSlug: string, id: string): Promise<boolean> {
  revocations++;
  const res = await q.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND issuer_slug = $2 AND revoked_at IS NULL', [id, issuerSlug]);
  // After the statement as well: a look-up that read the key before the revocation committed is not kept either.
  revocations++;
  for (const [hash, entry] of cache) if (entry.key.id === id && entry.key.issuerSlug === issuerSlug) cache.delete(hash);
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
  return r ? apiKeyRow(r) : undefined;
}

/** An `api_keys` row (its public columns) as the service sees it. */
function apiKeyRow(r: Record<string, unknown>): ApiKeyRow {
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    scopes: r.scopes as Scope[],
    ...(r.label != null ? { label: String(r.label) } : {}),
    createdAt: isoTime(r.created_at),
  };
}
