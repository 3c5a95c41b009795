/**
 * Issuer and API key administration: what `microcred issuer create`, `microcred apikey create` and the admin
 * API call. Each operation runs in one transaction and leaves an audit entry.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MicrocredError } from '../errors.js';
import { generateKeySet, loadKeySet, rotateKey } from '../keyset/keyset.js';
import type { JwtAlg, KeyAlg, KeySet } from '../keyset/keyset.js';
import { assertProfile } from '../record/profile.js';
import type { IssuerProfile } from '../record/types.js';
import { insertApiKey, SCOPES } from '../store/api-keys.js';
import type { Scope } from '../store/api-keys.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { isUniqueViolation, unstorableTextPath } from '../store/db.js';
import { getIssuer, insertIssuer, syncIssuerKeys } from '../store/issuers.js';

export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface CreateIssuerOptions {
  /** URL path segment and part of the DID: lower-case letters, digits, '-'. */
  slug: string;
  /** The awarding body (validated like a profile file). */
  profile: unknown;
  /**
   * Public base URL of the deployment; the issuer becomes `did:web:HOST:issuers:SLUG` (port encoded as %3A),
   * resolved at `PUBLIC_URL/issuers/SLUG/did.json`. Required unless `existingKeysDir` is given.
   */
  publicUrl?: string;
  /** Root under which the issuer's new key directory `<keysRoot>/<slug>` is created (default ./data/keys). */
  keysRoot?: string;
  /** Use an existing key set directory instead of generating one (its controller becomes the issuer's DID). */
  existingKeysDir?: string;
  /**
   * Make this the host's root issuer: `did:web:HOST` (no path), published at `/.well-known/did.json`. At most one
   * issuer per host can be the root.
   */
  root?: boolean;
  /** JWT algorithm of a new did:web key set (default ES256). */
  jwtAlg?: JwtAlg;
  /** Who does this (audit log); default `cli`. */
  actor?: string;
}

export interface CreatedIssuer {
  slug: string;
  did: string;
  keysDir: string;
  profile: IssuerProfile;
}

/**
 * The did:web identifier of an issuer hosted under a deployment URL (the port's colon percent-encoded).
 *
 * @example
 * ```ts
 * issuerDid('https://creds.example.ac.uk', 'northbridge');       // 'did:web:creds.example.ac.uk:issuers:northbridge'
 * issuerDid('http://127.0.0.1:3000', 'x');                       // 'did:web:127.0.0.1%3A3000:issuers:x'
 * issuerDid('https://creds.example.ac.uk', 'northbridge', true); // 'did:web:creds.example.ac.uk'
 * ```
 */
export function issuerDid(publicUrl: string, slug: string, root = false): string {
  const url = new URL(publicUrl);
  const host = url.host.toLowerCase().replace(':', '%3A');
  if (root) return `did:web:${host}`;
  const base = url.pathname.split('/').filter(Boolean);
  return ['did:web', host, ...base, 'issuers', slug].join(':');
}

/**
 * Creates an issuer: validates the profile, generates its key set (did:web under the deployment host) or adopts an
 * existing one, and stores the issuer with references to its keys (never the private keys).
 *
 * @example
 * ```ts
 * const db = await openDb();
 * const issuer = await createIssuer(db, {
 *   slug: 'northbridge', profile: JSON.parse(await readFile('profile.json', 'utf8')),
 *   publicUrl: 'https://credentials.northbridge.ac.uk', keysRoot: '/var/lib/microcred/keys',
 * });
 * // issuer.did === 'did:web:credentials.northbridge.ac.uk:issuers:northbridge'
 * ```
 */
export async function createIssuer(db: Db, options: CreateIssuerOptions): Promise<CreatedIssuer> {
  if (!SLUG_RE.test(options.slug)) {
    throw new MicrocredError('PROFILE_INVALID', `slug must be 1-63 lower-case letters, digits or '-', starting with a letter or digit; found ${JSON.stringify(options.slug)}.`);
  }
  // Stored as jsonb, which cannot hold U+0000 or unpaired surrogates: say where, instead of failing in the database.
  const unstorable = unstorableTextPath(options.profile);
  if (unstorable) {
    const message = `The issuer profile at ${unstorable} holds U+0000 or an unpaired UTF-16 surrogate, which cannot be stored.`;
    throw new MicrocredError('PROFILE_INVALID', message, [{ path: unstorable, expected: 'text without U+0000 or unpaired surrogates', found: 'unstorable text', message }]);
  }
  const profile = assertProfile(options.profile);
  if (await getIssuer(db, options.slug)) {
    throw new MicrocredError('PROFILE_INVALID', `An issuer with slug ${JSON.stringify(options.slug)} already exists.`);
  }
  let keys: KeySet;
  let keysDir: string;
  if (options.existingKeysDir) {
    keysDir = path.resolve(options.existingKeysDir);
    keys = await loadKeySet(keysDir);
  } else {
    if (!options.publicUrl) {
      throw new MicrocredError('PROFILE_INVALID', 'publicUrl is required to create a did:web issuer (or give existingKeysDir).');
    }
    keysDir = path.resolve(options.keysRoot ?? path.join('data', 'keys'), options.slug);
    const did = issuerDid(options.publicUrl, options.slug, options.root === true);
    keys = await generateKeySet({ dir: keysDir, didWeb: did, ...(options.jwtAlg ? { jwtAlg: options.jwtAlg } : {}) });
  }
  const generated = !options.existingKeysDir;
  await db.transaction(async (tx) => {
    await insertIssuer(tx, { slug: options.slug, did: keys.controller, profile, keysDir }).catch((e: unknown) => {
      if (isUniqueViolation(e)) {
        throw new MicrocredError('PROFILE_INVALID', `An issuer with slug ${JSON.stringify(options.slug)} or DID ${keys.controller} already exists.`);
      }
      throw e;
    });
    await syncIssuerKeys(tx, options.slug, keys.keys);
    await recordAudit(tx, {
      actor: options.actor ?? 'cli',
      issuerSlug: options.slug,
      action: 'issuer.create',
      target: keys.controller,
      details: { keys: keys.keys.map((k) => k.id) },
    });
  }).catch(async (e: unknown) => {
    // Keys generated for an issuer that was not stored were never used: remove them so a retry can start afresh.
    if (generated) await rm(keysDir, { recursive: true, force: true });
    throw e;
  });
  return { slug: options.slug, did: keys.controller, keysDir, profile };
}

/**
 * Creates an API key for an issuer and returns the bearer token, shown this once (only its sha256 is stored).
 *
 * @example
 * ```ts
 * const { id, token } = await createApiKey(db, { issuer: 'northbridge', scopes: ['issue', 'read'], label: 'SIS' });
 * // curl -H "Authorization: Bearer $token" ...
 * ```
 */
export async function createApiKey(
  db: Db,
  options: { issuer: string; scopes: readonly string[]; label?: string; actor?: string },
): Promise<{ id: string; token: string; issuer: string; scopes: Scope[] }> {
  const bad = options.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length > 0 || options.scopes.length === 0) {
    throw new MicrocredError('UNSUPPORTED', `scopes must be one or more of ${SCOPES.join(', ')}; found ${JSON.stringify(options.scopes)}.`);
  }
  if (!(await getIssuer(db, options.issuer))) {
    throw new MicrocredError('KEY_NOT_FOUND', `No issuer with slug ${JSON.stringify(options.issuer)}.`);
  }
  const scopes = [...new Set(options.scopes)] as Scope[];
  const created = await db.transaction(async (tx) => {
    const key = await insertApiKey(tx, { issuerSlug: options.issuer, scopes, ...(options.label ? { label: options.label } : {}) });
    await recordAudit(tx, { actor: options.actor ?? 'cli', issuerSlug: options.issuer, action: 'apikey.create', target: key.id, details: { scopes } });
    return key;
  });
  return { id: created.id, token: created.token, issuer: options.issuer, scopes };
}

/**
 * Adds a new active key to an issuer's key set (older keys stay published while credentials they signed are valid)
 * and updates the key references. A running server picks it up through the admin API or a restart.
 *
 * @example
 * ```ts
 * await rotateIssuerKey(db, 'northbridge', 'Ed25519');
 * ```
 */
export async function rotateIssuerKey(db: Db, slug: string, alg: KeyAlg | 'EdDSA', actor = 'cli'): Promise<KeySet> {
  const issuer = await getIssuer(db, slug);
  if (!issuer) throw new MicrocredError('KEY_NOT_FOUND', `No issuer with slug ${JSON.stringify(slug)}.`);
  const keys = await rotateKey(issuer.keysDir, alg);
  await db.transaction(async (tx) => {
    await syncIssuerKeys(tx, slug, keys.keys);
    await recordAudit(tx, { actor, issuerSlug: slug, action: 'issuer.rotate-key', target: keys.activeKey(alg === 'ES256' ? 'jwt' : 'di', alg === 'ES256' ? 'ES256' : undefined).id });
  });
  return keys;
}
