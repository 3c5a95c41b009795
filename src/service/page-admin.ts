/**
 * Internal: what an issuer decides about its pages: withdrawing a credential's page, letting search engines index
 * its pages, the badge image of an achievement (uploaded, or drawn by microcred from the newest credential of the
 * course) and the issuer's logo. Each change is written to the audit log in the same transaction.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { imageKind } from '../baking/bake.js';
import { unbake } from '../baking/unbake.js';
import { badgeSvg } from '../display/badge.js';
import { credentialView } from '../display/view.js';
import { MicrocredError } from '../errors.js';
import { recordAudit } from '../store/audit.js';
import { getCredential } from '../store/credentials.js';
import { achievementImage, issuerLogo, latestCredentialForCourse, pageWithdrawnAt, restorePage, saveAchievementImage, saveIssuerLogo, savePageSettings, withdrawPage } from '../store/pages.js';
import type { PageSettings, StoredImage } from '../store/pages.js';
import type { ServiceContext } from './context.js';
import { credentialPageUrl } from './page-urls.js';
import { problems } from './problem.js';

/** The largest badge image an issuer may upload (it is baked into every download of the achievement). */
export const MAX_BADGE_BYTES = 1024 * 1024;

/**
 * Withdraws a credential's page: 404 from then on. The credential still verifies wherever it is held.
 *
 * @example
 * ```ts
 * await withdrawCredentialPage(ctx, 'northbridge', 'urn:uuid:…', 'api-key:ak_1'); // { id, pageUrl, withdrawnAt }
 * ```
 */
export async function withdrawCredentialPage(ctx: ServiceContext, slug: string, id: string, actor: string): Promise<{ id: string; pageUrl: string; withdrawnAt: string }> {
  return ctx.db.transaction(async (tx) => {
    const row = await getCredential(tx, slug, id, true);
    if (!row || !row.pageToken) throw problems.notFound(`Issuer ${slug} has no credential ${JSON.stringify(id)}.`);
    const before = await pageWithdrawnAt(tx, slug, id);
    if (before === undefined) {
      await withdrawPage(tx, slug, id);
      await recordAudit(tx, { actor, issuerSlug: slug, action: 'credential.page.withdraw', target: id });
    }
    return { id, pageUrl: credentialPageUrl(ctx, row.pageToken), withdrawnAt: before ?? (await pageWithdrawnAt(tx, slug, id)) as string };
  });
}

/**
 * Puts a withdrawn credential page back (audited): at its old address, or with `newLink` at a new one (the old
 * address stays a 404, for a link that went where it should not). A page that is not withdrawn is left as it is,
 * unless a new link is asked for.
 *
 * @example
 * ```ts
 * await restoreCredentialPage(ctx, 'northbridge', 'urn:uuid:…', 'api-key:ak_1', { newLink: false }); // { id, pageUrl }
 * ```
 */
export async function restoreCredentialPage(ctx: ServiceContext, slug: string, id: string, actor: string, options: { newLink: boolean }): Promise<{ id: string; pageUrl: string }> {
  return ctx.db.transaction(async (tx) => {
    const row = await getCredential(tx, slug, id, true);
    if (!row || !row.pageToken) throw problems.notFound(`Issuer ${slug} has no credential ${JSON.stringify(id)}.`);
    if ((await pageWithdrawnAt(tx, slug, id)) === undefined && !options.newLink) return { id, pageUrl: credentialPageUrl(ctx, row.pageToken) };
    const token = (await restorePage(tx, slug, id, options)) as string;
    await recordAudit(tx, { actor, issuerSlug: slug, action: 'credential.page.restore', target: id, details: { newLink: options.newLink } });
    return { id, pageUrl: credentialPageUrl(ctx, token) };
  });
}

/**
 * Stores an issuer's page settings (audited).
 *
 * @example
 * ```ts
 * await changePageSettings(ctx, 'northbridge', { indexable: true }, 'admin-token');
 * ```
 */
export async function changePageSettings(ctx: ServiceContext, slug: string, settings: PageSettings, actor: string): Promise<PageSettings> {
  await ctx.issuer(slug);
  return ctx.db.transaction(async (tx) => {
    await savePageSettings(tx, slug, settings);
    await recordAudit(tx, { actor, issuerSlug: slug, action: 'issuer.pages.settings', details: { ...settings } });
    return settings;
  });
}

/** The largest logo an issuer may upload. */
export const MAX_LOGO_BYTES = 1024 * 1024;

/** Reads an upload (`what` names it in the error) up to `max` bytes; more is a 413. */
async function readUpload(stream: Readable, max: number, what: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) throw problems.tooLarge(`${what} may be at most ${max / 1024} KiB.`);
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** The media type of a PNG or SVG upload (`what` names it in the error), which must agree with Content-Type. */
function imageType(bytes: Uint8Array, declared: string | undefined, what: string): StoredImage['mediaType'] {
  const kind = imageKind(bytes);
  const mediaType = kind === 'png' ? 'image/png' : kind === 'svg' ? 'image/svg+xml' : undefined;
  if (!mediaType) throw problems.unsupportedMedia(`${what} must be a PNG or an SVG image.`);
  if (declared !== undefined && declared.split(';')[0]?.trim().toLowerCase() !== mediaType) {
    throw problems.unsupportedMedia(`The body is ${mediaType === 'image/png' ? 'a PNG' : 'an SVG'} image but Content-Type says ${JSON.stringify(declared)}.`);
  }
  return mediaType;
}

/** A PNG or SVG that can carry a credential and carries none yet. */
function checkBadge(bytes: Uint8Array, declared: string | undefined): StoredImage['mediaType'] {
  const mediaType = imageType(bytes, declared, 'A badge image');
  try {
    unbake(bytes);
  } catch (e) {
    if (e instanceof MicrocredError && e.code === 'BADGE_NOT_BAKED') return mediaType;
    if (e instanceof MicrocredError) throw problems.invalid('badge-image-invalid', 'Invalid badge image', `The image cannot be used as a badge: ${e.message}`);
    throw e;
  }
  throw problems.invalid('badge-image-invalid', 'Invalid badge image', 'The image already carries a credential; upload the plain image.');
}

/**
 * Stores the badge image of an achievement (a course of the issuer), from the request body (audited).
 *
 * @example
 * ```ts
 * await uploadAchievementImage(ctx, 'northbridge', 'PHM7021', req, 'image/png', 'api-key:ak_1');
 * ```
 */
export async function uploadAchievementImage(ctx: ServiceContext, slug: string, courseCode: string, body: Readable, contentType: string | undefined, actor: string): Promise<{ mediaType: string; sha256: string; size: number }> {
  await ctx.issuer(slug);
  const bytes = await readUpload(body, MAX_BADGE_BYTES, 'A badge image');
  const mediaType = checkBadge(bytes, contentType);
  return ctx.db.transaction(async (tx) => {
    const saved = await saveAchievementImage(tx, slug, courseCode, mediaType, bytes);
    await recordAudit(tx, { actor, issuerSlug: slug, action: 'achievement.image.upload', target: courseCode, details: { mediaType, sha256: saved.sha256 } });
    return { mediaType, sha256: saved.sha256, size: bytes.length };
  });
}

/** An uploaded image as served: its type, bytes and ETag (from its digest). */
function served(img: StoredImage): { type: string; body: Uint8Array; etag: string } {
  return { type: img.mediaType, body: img.bytes, etag: `"${img.sha256.slice(0, 32)}"` };
}

/**
 * The badge image of an achievement as served: the uploaded one, else microcred's drawing (from the newest current
 * credential of the course); 404 when the issuer has issued nothing for the course.
 *
 * @example
 * ```ts
 * const { type, body, etag } = await servedAchievementImage(ctx, 'northbridge', 'PHM7021');
 * ```
 */
export async function servedAchievementImage(ctx: ServiceContext, slug: string, courseCode: string): Promise<{ type: string; body: Uint8Array | string; etag: string }> {
  const uploaded = await achievementImage(ctx.db, slug, courseCode);
  if (uploaded) return served(uploaded);
  const row = await latestCredentialForCourse(ctx.db, slug, courseCode);
  if (!row) throw problems.notFound(`Issuer ${slug} has no badge image for ${JSON.stringify(courseCode)}.`);
  const svg = badgeSvg(credentialView(row.credential));
  return { type: 'image/svg+xml', body: svg, etag: `"${createHash('sha256').update(svg).digest('hex').slice(0, 32)}"` };
}

/**
 * Stores the issuer's logo, from the request body (audited). The pages show it for the issuer's credentials whose
 * own logo is a URL of another site (they load no image from elsewhere).
 *
 * @example
 * ```ts
 * await uploadIssuerLogo(ctx, 'northbridge', req, 'image/svg+xml', 'admin-token');
 * ```
 */
export async function uploadIssuerLogo(ctx: ServiceContext, slug: string, body: Readable, contentType: string | undefined, actor: string): Promise<{ mediaType: string; sha256: string; size: number }> {
  await ctx.issuer(slug);
  const bytes = await readUpload(body, MAX_LOGO_BYTES, 'A logo');
  const mediaType = imageType(bytes, contentType, 'A logo');
  return ctx.db.transaction(async (tx) => {
    const saved = await saveIssuerLogo(tx, slug, mediaType, bytes);
    await recordAudit(tx, { actor, issuerSlug: slug, action: 'issuer.logo.upload', details: { mediaType, sha256: saved.sha256 } });
    return { mediaType, sha256: saved.sha256, size: bytes.length };
  });
}

/**
 * The issuer's uploaded logo as served; 404 when it has none.
 *
 * @example
 * ```ts
 * const { type, body, etag } = await servedIssuerLogo(ctx, 'northbridge');
 * ```
 */
export async function servedIssuerLogo(ctx: ServiceContext, slug: string): Promise<{ type: string; body: Uint8Array; etag: string }> {
  const logo = await issuerLogo(ctx.db, slug);
  if (!logo) throw problems.notFound(`Issuer ${slug} has no uploaded logo.`);
  return served(logo);
}
