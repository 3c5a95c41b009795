/**
 * Internal: the known issuers of the service's verifier. The issuers this service hosts are known to it (it holds
 * their keys), except one signing with the published example keys, which anyone can sign with; then the trust lists
 * of the configuration (`trustLists`, or `MICROCRED_TRUST_LISTS`), remote ones fetched through the guarded fetch
 * and cached.
 */
import { createGuardedFetch } from '../lib/guarded-fetch.js';
import { isStorableText } from '../store/db.js';
import { createTrustRegistry } from '../trust/registry.js';
import type { HostedIssuer, TrustRegistry } from '../trust/types.js';
import type { LoadedIssuer, ServiceContext } from './context.js';

/**
 * Slugs of hosted issuers by DID, per context. An issuer's DID and slug never change and issuers are not deleted,
 * so a DID found once names the same issuer for good; a DID not found is asked again each time (another instance
 * may create that issuer at any moment). Bounded: a full map is cleared, which only costs lookups.
 */
const slugsByDid = new WeakMap<ServiceContext, Map<string, string>>();
const SLUGS_MAX = 10_000;

async function hostedSlug(ctx: ServiceContext, issuerId: string): Promise<string | undefined> {
  let known = slugsByDid.get(ctx);
  if (!known) slugsByDid.set(ctx, (known = new Map()));
  const hit = known.get(issuerId);
  if (hit !== undefined) return hit;
  const res = await ctx.db.query<{ slug: string }>('SELECT slug FROM issuers WHERE did = $1', [issuerId]);
  const slug = res.rows[0]?.slug;
  if (slug !== undefined) {
    if (known.size >= SLUGS_MAX) known.clear();
    known.set(issuerId, slug);
  }
  return slug;
}

/** The hosted issuer with this DID, loaded, unless it signs with the example keys (those prove nothing). */
async function hostedLoaded(ctx: ServiceContext, issuerId: string): Promise<LoadedIssuer | undefined> {
  if (issuerId.length > 2048 || !isStorableText(issuerId)) return undefined;
  const slug = await hostedSlug(ctx, issuerId);
  if (slug === undefined) return undefined;
  const loaded = await ctx.issuer(slug).catch(() => undefined);
  return loaded && !loaded.keys.example ? loaded : undefined;
}

/**
 * The slug of the hosted issuer with this DID, unless it signs with the example keys.
 *
 * @example
 * ```ts
 * await hostedIssuerSlug(ctx, report.signer.id); // 'northbridge' or undefined
 * ```
 */
export async function hostedIssuerSlug(ctx: ServiceContext, issuerId: string): Promise<string | undefined> {
  return (await hostedLoaded(ctx, issuerId))?.row.slug;
}

/** The hosted issuer with this DID as the trust registry knows it, unless it signs with the example keys. */
async function hostedIssuer(ctx: ServiceContext, issuerId: string): Promise<HostedIssuer | undefined> {
  const p = (await hostedLoaded(ctx, issuerId))?.row.profile;
  return p ? { name: p.name, ...(p.url ? { url: p.url } : {}), ...(p.logo ? { logo: p.logo } : {}) } : undefined;
}

/**
 * The service's trust registry: hosted issuers first, then the configured lists.
 *
 * @example
 * ```ts
 * const trust = serviceTrustRegistry(ctx); // pass as VerifyOptions.trust
 * ```
 */
export function serviceTrustRegistry(ctx: ServiceContext): TrustRegistry {
  return createTrustRegistry({
    hosted: { ...(ctx.config.siteName ? { name: `the issuers hosted by ${ctx.config.siteName}` } : {}), find: (issuerId) => hostedIssuer(ctx, issuerId) },
    lists: ctx.config.trustLists ?? [],
    fetch: ctx.config.fetch ?? createGuardedFetch(ctx.config.fetchConfig ?? {}),
  });
}
