/**
 * Internal: the service's representations of what it stores (a credential, an issuer) and its readiness, as plain
 * data for the routes to send.
 */
import type { CredentialRow } from '../store/credentials.js';
import { listIssuers } from '../store/issuers.js';
import { listStatusLists } from '../store/status-lists.js';
import type { ServiceContext } from './context.js';
import { storedCredentialObject } from './issuance.js';
import type { IssueOutcome } from './issuance.js';
import { credentialPageUrl } from './page-urls.js';
import { problems } from './problem.js';

/**
 * The API representation of a stored credential.
 *
 * @example
 * ```ts
 * const body = credentialResource(ctx, row); // { id, issuer, recordId, format, status, ..., credential }
 * ```
 */
export function credentialResource(ctx: ServiceContext, row: CredentialRow): Record<string, unknown> {
  const seq = Number((row.statusEntries[0]?.statusListCredential as string | undefined)?.split('/').pop());
  return {
    id: row.id,
    issuer: row.issuerSlug,
    recordId: row.recordId,
    format: row.format,
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    awardedDate: row.awardedDate,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.supersededBy ? { supersededBy: row.supersededBy } : {}),
    ...(row.pageToken ? { pageUrl: credentialPageUrl(ctx, row.pageToken) } : {}),
    credentialStatus: row.statusEntries[0],
    suspensionStatus: Number.isFinite(seq)
      ? {
          type: 'BitstringStatusListEntry',
          statusPurpose: 'suspension',
          statusListIndex: String(row.statusIndex),
          statusListCredential: ctx.statusListUrl(row.issuerSlug, 'suspension', seq),
        }
      : undefined,
    credential: row.format === 'di' ? storedCredentialObject(row) : row.credential,
  };
}

/** The representation of an issuing outcome: the credential, whether it is new, and what it replaced. */
export function issuedResource(ctx: ServiceContext, out: IssueOutcome): Record<string, unknown> {
  return { ...credentialResource(ctx, out.row), outcome: out.outcome, ...(out.superseded.length ? { superseded: out.superseded } : {}) };
}

/** URL of a credential of an issuer. */
export function credentialUrl(ctx: ServiceContext, row: CredentialRow): string {
  return `${ctx.publicUrl}/issuers/${row.issuerSlug}/credentials/${encodeURIComponent(row.id)}`;
}

/** VC-API shape of a signed credential: the object (DI) or an EnvelopedVerifiableCredential (JWT). */
export function verifiableCredential(row: CredentialRow): unknown {
  if (row.format === 'di') return JSON.parse(row.credential);
  return { '@context': 'https://www.w3.org/ns/credentials/v2', id: `data:application/vc+jwt,${row.credential}`, type: 'EnvelopedVerifiableCredential' };
}

/** The issuers hosted here, briefly. */
export async function issuerList(ctx: ServiceContext): Promise<{ items: { slug: string; did: string; name: unknown; url: unknown }[] }> {
  const rows = await listIssuers(ctx.db);
  return { items: rows.map((r) => ({ slug: r.slug, did: r.did, name: r.profile.name, url: r.profile.url })) };
}

/** One issuer: profile, DID, where its documents are, and its status lists. */
export async function issuerDescription(ctx: ServiceContext, slug: string): Promise<Record<string, unknown>> {
  const { row } = await ctx.issuer(slug);
  const lists = await listStatusLists(ctx.db, row.slug);
  return {
    slug: row.slug,
    did: row.did,
    profile: row.profile,
    didDocument: `${ctx.publicUrl}/issuers/${row.slug}/did.json`,
    jwks: `${ctx.publicUrl}/issuers/${row.slug}/jwks.json`,
    statusLists: lists.map((l) => ({
      revocation: ctx.statusListUrl(row.slug, 'revocation', l.seq),
      suspension: ctx.statusListUrl(row.slug, 'suspension', l.seq),
      size: l.size,
      full: l.isFull,
    })),
  };
}

/** Ready when the database answers and every issuer's keys load; a 503 problem saying which part is not. */
export async function readiness(ctx: ServiceContext): Promise<{ status: 'ready'; database: string; issuers: number }> {
  try {
    await ctx.db.query('SELECT 1');
  } catch {
    throw problems.unavailable('The database does not answer.');
  }
  const notLoaded = await ctx.loadAll();
  if (notLoaded.length > 0) throw problems.unavailable(`The keys of issuer(s) ${notLoaded.join(', ')} could not be loaded.`);
  return { status: 'ready', database: ctx.db.kind, issuers: ctx.issuers.size };
}

/**
 * URL of the next page of a keyset-paged list: the same query with the page's cursor.
 *
 * @example
 * ```ts
 * nextPageUrl(ctx, '/issuers/x/audit', { target: 'urn:x', limit: '3' }, page.next);
 * ```
 */
export function nextPageUrl(ctx: ServiceContext, pathname: string, query: Readonly<Record<string, unknown>>, cursor: string): string {
  const u = new URL(`${ctx.publicUrl}${pathname}`);
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string' && k !== 'cursor') u.searchParams.set(k, v);
  u.searchParams.set('cursor', cursor);
  return u.href;
}
