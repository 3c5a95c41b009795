/** Internal: the public URLs of the pages and images, in one place (issuance writes one into each credential). */
import type { ServiceContext } from './context.js';

/**
 * The public page of a credential (the link the learner shares), under the deployment's public URL.
 *
 * @example
 * ```ts
 * credentialPageUrl(ctx, row.pageToken); // 'https://credentials.example.ac.uk/c/VM-gZn0ORtebZNs3a_OtbLTtdGgBH0nwjPPQoroi8Dw'
 * ```
 */
export function credentialPageUrl(ctx: ServiceContext, token: string): string {
  return `${ctx.publicUrl}/c/${token}`;
}

/**
 * Where an achievement's badge image is served (`achievement.image.id` of the credentials issued from records): the
 * image the issuer uploaded for the course, else the one microcred draws.
 *
 * @example
 * ```ts
 * achievementImageUrl(ctx, 'northbridge', 'PHM7021'); // 'https://…/issuers/northbridge/achievements/PHM7021/image'
 * ```
 */
export function achievementImageUrl(ctx: ServiceContext, slug: string, courseCode: string): string {
  return `${ctx.publicUrl}/issuers/${slug}/achievements/${encodeURIComponent(courseCode)}/image`;
}

/**
 * The URL of an issuer's uploaded logo; `sha256` (its digest) makes a new upload a new URL, so caches never show the
 * old one.
 *
 * @example
 * ```ts
 * issuerLogoUrl(ctx, 'northbridge', '3f2a…'); // 'https://…/issuers/northbridge/logo?v=3f2a…'
 * ```
 */
export function issuerLogoUrl(ctx: ServiceContext, slug: string, sha256: string): string {
  return `${ctx.publicUrl}/issuers/${slug}/logo?v=${sha256.slice(0, 16)}`;
}
