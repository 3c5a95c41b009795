/**
 * Storage of the public pages: a credential's page by its token (and its withdrawal), each issuer's indexing choice,
 * and the badge images issuers uploaded per achievement (course code).
 */
import { createHash } from 'node:crypto';
import type { Queryable } from './db.js';
import { isoTime } from './db.js';
import { toCredentialRow } from './credentials.js';
import type { CredentialRow } from './credentials.js';

/** Page tokens are 43 base64url characters; anything else is no token (and never reaches a query). */
export const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The credential whose page has this token, unless its page was withdrawn.
 *
 * @example
 * ```ts
 * const row = await credentialByPageToken(db, 'VM-gZn0ORtebZNs3a_OtbLTtdGgBH0nwjPPQoroi8Dw'); // undefined: no page
 * ```
 */
export async function credentialByPageToken(q: Queryable, token: string): Promise<CredentialRow | undefined> {
  if (!PAGE_TOKEN_PATTERN.test(token)) return undefined;
  const res = await q.query<Record<string, unknown>>('SELECT * FROM credentials WHERE page_token = $1 AND page_withdrawn_at IS NULL', [token]);
  return res.rows[0] ? toCredentialRow(res.rows[0]) : undefined;
}

/**
 * The page token of an issuer's credential, unless its page was withdrawn.
 *
 * @example
 * ```ts
 * const token = await pageTokenOf(db, 'northbridge', 'urn:uuid:…'); // 'VM-gZn0…' or undefined
 * ```
 */
export async function pageTokenOf(q: Queryable, issuerSlug: string, id: string): Promise<string | undefined> {
  const res = await q.query<{ page_token: string }>('SELECT page_token FROM credentials WHERE issuer_slug = $1 AND id = $2 AND page_withdrawn_at IS NULL', [issuerSlug, id]);
  return res.rows[0]?.page_token;
}

/**
 * Withdraws a credential's page (404 from then on). Returns false when the issuer has no such credential.
 *
 * @example
 * ```ts
 * await withdrawPage(tx, 'northbridge', 'urn:uuid:…'); // true
 * ```
 */
export async function withdrawPage(q: Queryable, issuerSlug: string, id: string): Promise<boolean> {
  const res = await q.query(
    'UPDATE credentials SET page_withdrawn_at = COALESCE(page_withdrawn_at, now()) WHERE issuer_slug = $1 AND id = $2',
    [issuerSlug, id],
  );
  return res.rowCount > 0;
}

/**
 * Puts a withdrawn page back; with `newLink`, at a new token (the old address stays a 404), made as issuing makes
 * it (the column's default). Returns the page token, or undefined when the issuer has no such credential.
 *
 * @example
 * ```ts
 * await restorePage(tx, 'northbridge', 'urn:uuid:…', { newLink: true }); // 'Jx3…' (43 characters)
 * ```
 */
export async function restorePage(q: Queryable, issuerSlug: string, id: string, options: { newLink: boolean }): Promise<string | undefined> {
  const res = await q.query<{ page_token: string }>(
    `UPDATE credentials SET page_withdrawn_at = NULL${options.newLink ? ', page_token = DEFAULT' : ''} WHERE issuer_slug = $1 AND id = $2 RETURNING page_token`,
    [issuerSlug, id],
  );
  return res.rows[0]?.page_token;
}

/**
 * When the credential's page was withdrawn, if it was.
 *
 * @example
 * ```ts
 * await pageWithdrawnAt(db, 'northbridge', 'urn:uuid:…'); // '2026-06-19T10:00:00.000Z' or undefined
 * ```
 */
export async function pageWithdrawnAt(q: Queryable, issuerSlug: string, id: string): Promise<string | undefined> {
  const res = await q.query<{ at: unknown }>('SELECT page_withdrawn_at AS at FROM credentials WHERE issuer_slug = $1 AND id = $2', [issuerSlug, id]);
  const at = res.rows[0]?.at;
  return at === null || at === undefined ? undefined : isoTime(at);
}

export interface PageSettings {
  /** Search engines may index the issuer's credential pages (default false: `noindex`). */
  indexable: boolean;
}

/**
 * An issuer's page settings (the defaults when it never chose).
 *
 * @example
 * ```ts
 * (await pageSettings(db, 'northbridge')).indexable; // false
 * ```
 */
export async function pageSettings(q: Queryable, issuerSlug: string): Promise<PageSettings> {
  const res = await q.query<{ indexable: boolean }>('SELECT indexable FROM issuer_page_settings WHERE issuer_slug = $1', [issuerSlug]);
  return { indexable: res.rows[0]?.indexable === true };
}

/**
 * Stores an issuer's page settings.
 *
 * @example
 * ```ts
 * await savePageSettings(db, 'northbridge', { indexable: true });
 * ```
 */
export async function savePageSettings(q: Queryable, issuerSlug: string, settings: PageSettings): Promise<PageSettings> {
  await q.query(
    `INSERT INTO issuer_page_settings (issuer_slug, indexable) VALUES ($1, $2)
     ON CONFLICT (issuer_slug) DO UPDATE SET indexable = EXCLUDED.indexable, updated_at = now()`,
    [issuerSlug, settings.indexable],
  );
  return settings;
}

/** An image an issuer uploaded (a badge image or its logo). */
export interface StoredImage {
  mediaType: 'image/png' | 'image/svg+xml';
  bytes: Uint8Array;
  /** Hex sha256 of the bytes (the ETag). */
  sha256: string;
}

type ImageRow = { media_type: string; bytes: Uint8Array; sha256: string };

function storedImage(r: ImageRow | undefined): StoredImage | undefined {
  return r ? { mediaType: r.media_type as StoredImage['mediaType'], bytes: new Uint8Array(r.bytes), sha256: r.sha256 } : undefined;
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The badge image an issuer uploaded for an achievement (course code), if any.
 *
 * @example
 * ```ts
 * const img = await achievementImage(db, 'northbridge', 'DAPH-M01'); // { mediaType: 'image/png', bytes, sha256 }
 * ```
 */
export async function achievementImage(q: Queryable, issuerSlug: string, courseCode: string): Promise<StoredImage | undefined> {
  const res = await q.query<ImageRow>('SELECT media_type, bytes, sha256 FROM achievement_images WHERE issuer_slug = $1 AND course_code = $2', [issuerSlug, courseCode]);
  return storedImage(res.rows[0]);
}

/**
 * Stores (or replaces) the badge image of an achievement.
 *
 * @example
 * ```ts
 * await saveAchievementImage(db, 'northbridge', 'DAPH-M01', 'image/png', pngBytes);
 * ```
 */
export async function saveAchievementImage(q: Queryable, issuerSlug: string, courseCode: string, mediaType: StoredImage['mediaType'], bytes: Uint8Array): Promise<StoredImage> {
  const sha256 = sha256Of(bytes);
  await q.query(
    `INSERT INTO achievement_images (issuer_slug, course_code, media_type, bytes, sha256) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (issuer_slug, course_code) DO UPDATE SET media_type = EXCLUDED.media_type, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, updated_at = now()`,
    [issuerSlug, courseCode, mediaType, bytes, sha256],
  );
  return { mediaType, bytes, sha256 };
}

/**
 * The logo an issuer uploaded, if any.
 *
 * @example
 * ```ts
 * const logo = await issuerLogo(db, 'northbridge'); // { mediaType: 'image/svg+xml', bytes, sha256 }
 * ```
 */
export async function issuerLogo(q: Queryable, issuerSlug: string): Promise<StoredImage | undefined> {
  const res = await q.query<ImageRow>('SELECT media_type, bytes, sha256 FROM issuer_logos WHERE issuer_slug = $1', [issuerSlug]);
  return storedImage(res.rows[0]);
}

/**
 * The digest of the logo an issuer uploaded, if any (what a page needs to link it, without its bytes).
 *
 * @example
 * ```ts
 * await issuerLogoDigest(db, 'northbridge'); // '3f2a…' or undefined
 * ```
 */
export async function issuerLogoDigest(q: Queryable, issuerSlug: string): Promise<string | undefined> {
  const res = await q.query<{ sha256: string }>('SELECT sha256 FROM issuer_logos WHERE issuer_slug = $1', [issuerSlug]);
  return res.rows[0]?.sha256;
}

/**
 * Stores (or replaces) an issuer's logo.
 *
 * @example
 * ```ts
 * await saveIssuerLogo(db, 'northbridge', 'image/png', pngBytes);
 * ```
 */
export async function saveIssuerLogo(q: Queryable, issuerSlug: string, mediaType: StoredImage['mediaType'], bytes: Uint8Array): Promise<StoredImage> {
  const sha256 = sha256Of(bytes);
  await q.query(
    `INSERT INTO issuer_logos (issuer_slug, media_type, bytes, sha256) VALUES ($1, $2, $3, $4)
     ON CONFLICT (issuer_slug) DO UPDATE SET media_type = EXCLUDED.media_type, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, updated_at = now()`,
    [issuerSlug, mediaType, bytes, sha256],
  );
  return { mediaType, bytes, sha256 };
}

/**
 * The newest current credential of an issuer for a course (what a drawn badge of the achievement is drawn from).
 *
 * @example
 * ```ts
 * const row = await latestCredentialForCourse(db, 'northbridge', 'DAPH-M01');
 * ```
 */
export async function latestCredentialForCourse(q: Queryable, issuerSlug: string, courseCode: string): Promise<CredentialRow | undefined> {
  const res = await q.query<Record<string, unknown>>(
    'SELECT * FROM credentials WHERE issuer_slug = $1 AND course_code = $2 AND superseded_by IS NULL ORDER BY created_at DESC, id DESC LIMIT 1',
    [issuerSlug, courseCode],
  );
  return res.rows[0] ? toCredentialRow(res.rows[0]) : undefined;
}

/**
 * The page tokens of an issuer's credentials, by credential id (withdrawn pages and unknown ids left out): one
 * statement for a chunk of a job's report.
 *
 * @example
 * ```ts
 * const tokens = await pageTokensOf(db, 'northbridge', ['urn:uuid:…', 'urn:uuid:…']); // Map { 'urn:uuid:…' => 'VM-gZn0…' }
 * ```
 */
export async function pageTokensOf(q: Queryable, issuerSlug: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const res = await q.query<{ id: string; page_token: string }>(
    'SELECT id, page_token FROM credentials WHERE issuer_slug = $1 AND id = ANY($2::text[]) AND page_withdrawn_at IS NULL',
    [issuerSlug, ids],
  );
  return new Map(res.rows.map((r) => [r.id, r.page_token]));
}
