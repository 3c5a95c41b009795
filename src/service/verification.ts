/**
 * Internal: verification inside the service. Documents of this deployment (issuer DID documents, JWK sets, status
 * list credentials) are served straight from the database instead of over the network, so the service verifies its
 * own credentials even behind a firewall or on a loopback address; everything else goes through the guarded fetch.
 * A suspension (which OB's single credentialStatus cannot carry, see status design) is added for our own credentials.
 */
// @ts-ignore -- package has no type declarations; typed below
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- package has no type declarations; typed below
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createDidResolver } from '../did/resolve.js';
import type { DidResolver } from '../did/resolve.js';
import { createDocumentLoader } from '../lib/document-loader.js';
import { createGuardedFetch } from '../lib/guarded-fetch.js';
import type { FetchedDocument, GuardedFetch } from '../lib/guarded-fetch.js';
import { MicrocredError } from '../errors.js';
import { isStorableText } from '../store/db.js';
import { ownCredentialStatus } from '../store/offers.js';
import { verify } from '../verify/verify.js';
import type { Check, VerificationReport } from '../verify/verify.js';
import type { ServiceContext } from './context.js';
import { HttpProblem } from './problem.js';
import { serviceTrustRegistry } from './trust.js';
import type { TrustRegistry } from '../trust/types.js';
import { issuerDidDocument, issuerJwks, statusListCredential } from './publish.js';

const vc = vcLib as unknown as {
  verify(options: Record<string, unknown>): Promise<{ verified: boolean; error?: unknown; presentationResult?: { verified: boolean; results?: unknown[] } }>;
};

const encoder = new TextEncoder();

function fetched(url: string, body: string): FetchedDocument {
  return { url, status: 200, contentType: 'application/json', body: encoder.encode(body) };
}

/**
 * The last document served per URL, per context. Each answer is derived from the database afresh (so a key rotation
 * or a revocation, also by another instance, is in the next answer); only when its text is the same as last time is
 * the same FetchedDocument handed out again, which lets the readers keep what they derived from it (parsed JSON, see
 * the DID resolver and the status check) instead of encoding and parsing the same text again.
 */
const lastServed = new WeakMap<ServiceContext, Map<string, { text: string; doc: FetchedDocument }>>();
const LAST_SERVED_MAX = 256;

function served(ctx: ServiceContext, url: string, text: string): FetchedDocument {
  let perCtx = lastServed.get(ctx);
  if (!perCtx) lastServed.set(ctx, (perCtx = new Map()));
  const hit = perCtx.get(url);
  if (hit && hit.text === text) return hit.doc;
  if (perCtx.size >= LAST_SERVED_MAX) perCtx.clear();
  const doc = fetched(url, text);
  perCtx.set(url, { text, doc });
  return doc;
}

/**
 * A GuardedFetch that answers URLs of this deployment from the database (whatever the scheme, so an `https://`
 * URL derived from a did:web of a plain-http test server works too) and passes every other URL to `fallback`.
 *
 * @example
 * ```ts
 * const fetch = localFetch(ctx, createGuardedFetch()); // own documents from the database, others over https
 * ```
 */
export function localFetch(ctx: ServiceContext, fallback: GuardedFetch): GuardedFetch {
  return async (url, request) => {
    const own = new URL(ctx.publicUrl);
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return fallback(url, request);
    }
    const basePath = own.pathname.replace(/\/+$/, '');
    if (target.host !== own.host || !target.pathname.startsWith(`${basePath}/`)) return fallback(url, request);
    const path = target.pathname.slice(basePath.length);
    try {
      let m: RegExpExecArray | null;
      if ((m = /^\/issuers\/([a-z0-9-]+)\/did\.json$/.exec(path))) return served(ctx, url, JSON.stringify(await issuerDidDocument(ctx, m[1] as string)));
      if ((m = /^\/issuers\/([a-z0-9-]+)\/jwks\.json$/.exec(path))) return served(ctx, url, JSON.stringify(await issuerJwks(ctx, m[1] as string)));
      if ((m = /^\/issuers\/([a-z0-9-]+)\/status-lists\/(revocation|suspension)\/(\d+)$/.exec(path))) {
        const p = await statusListCredential(ctx, m[1] as string, m[2] as 'revocation' | 'suspension', Number(m[3]));
        return served(ctx, url, p.body);
      }
      const root = await rootIssuerSlug(ctx);
      if (root && path === '/.well-known/did.json') return served(ctx, url, JSON.stringify(await issuerDidDocument(ctx, root)));
      if (root && path === '/.well-known/jwks.json') return served(ctx, url, JSON.stringify(await issuerJwks(ctx, root)));
    } catch (e) {
      if (e instanceof HttpProblem) throw new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: HTTP ${e.status} (${e.message}).`, { url });
      throw e;
    }
    throw new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: HTTP 404 (nothing is published there).`, { url });
  };
}

/**
 * The issuer published at `/.well-known/did.json`: the one whose DID is `did:web:<deployment host>`.
 *
 * @example
 * ```ts
 * const slug = await rootIssuerSlug(ctx); // the issuer whose DID is did:web:<this host>, or undefined
 * ```
 */
export async function rootIssuerSlug(ctx: ServiceContext): Promise<string | undefined> {
  // did:web percent-encodes the port colon; compare case-insensitively (%3A or %3a).
  const host = new URL(ctx.publicUrl).host.toLowerCase().replace(':', '%3a');
  const res = await ctx.db.query<{ slug: string }>('SELECT slug FROM issuers WHERE lower(did) = $1', [`did:web:${host}`]);
  return res.rows[0]?.slug;
}

/** True for a did:web (or https controller URL) on this deployment's host. */
function isOwnDid(ctx: ServiceContext, url: string): boolean {
  const own = new URL(ctx.publicUrl).host.toLowerCase();
  if (url.startsWith('did:web:')) {
    const host = url.slice('did:web:'.length).split(/[:#?/]/)[0] ?? '';
    return host.toLowerCase().replace('%3a', ':') === own;
  }
  if (url.startsWith('https:') || url.startsWith('http:')) {
    try {
      return new URL(url).host.toLowerCase() === own;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * VC 2.0 wraps a JWT credential in an EnvelopedVerifiableCredential with a data: URL: returns the JWT inside, or
 * the input unchanged.
 *
 * @example
 * ```ts
 * unwrapEnveloped({ type: 'EnvelopedVerifiableCredential', id: 'data:application/vc+jwt,eyJ…' }); // 'eyJ…'
 * ```
 */
export function unwrapEnveloped(input: unknown): unknown {
  const env = input as { type?: unknown; id?: unknown } | null;
  if (env && typeof env === 'object' && env.type === 'EnvelopedVerifiableCredential' && typeof env.id === 'string' && env.id.startsWith('data:')) {
    return env.id.replace(/^data:[^,]*,/, '');
  }
  return input;
}

/** Caches successful foreign fetches for a minute (status lists and documents of other issuers), at most 500. */
function cachingFetch(inner: GuardedFetch, ttlMs = 60_000): GuardedFetch {
  const cache = new Map<string, { expires: number; doc: Promise<FetchedDocument> }>();
  return (url, request) => {
    const key = `${request?.accept ?? ''} ${url}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.doc;
    if (cache.size >= 500) for (const [k, v] of cache) if (v.expires <= now || cache.size >= 500) cache.delete(k);
    const doc = inner(url, request);
    cache.set(key, { expires: now + ttlMs, doc });
    doc.catch(() => cache.delete(key));
    return doc;
  };
}

export interface Verifier {
  fetch: GuardedFetch;
  resolver: DidResolver;
  /** Known issuers: the hosted ones and the configured trust lists. */
  trust: TrustRegistry;
  /** `checkStatus: false` skips the status check (VC-API `options.checks` without "credentialStatus"). */
  credential(input: string | object, options?: { checkStatus?: boolean }): Promise<VerificationReport>;
  presentation(input: Record<string, unknown>, options: { challenge?: string; domain?: string; unsigned: boolean }): Promise<PresentationReport>;
}

export interface PresentationReport {
  verified: boolean;
  presentation: { verified: boolean; message: string };
  credentials: VerificationReport[];
}

/**
 * The service's verifier (one per app: the resolver caches DID documents briefly).
 *
 * @example
 * ```ts
 * const verifier = createVerifier(ctx);
 * const report = await verifier.credential(credential);
 * ```
 */
export function createVerifier(ctx: ServiceContext): Verifier {
  const outbound = cachingFetch(ctx.config.fetch ?? createGuardedFetch(ctx.config.fetchConfig ?? {}));
  const fetch = localFetch(ctx, outbound);
  // Foreign DIDs: a short cache (a rotation there shows up within seconds). Our own DIDs: no cache - they are read
  // from the database (a few index lookups), so a credential signed with a key rotated in a moment ago, here or by
  // another process, verifies at once.
  const cached = createDidResolver({ fetch, cacheTtlMs: 10_000 });
  const fresh = createDidResolver({ fetch, cacheTtlMs: 0 });
  const resolver: DidResolver = (url) => (isOwnDid(ctx, url) ? fresh(url) : cached(url));
  // Contexts plus the holder's DID documents, for presentation proofs.
  const presentationLoader = createDocumentLoader({ resolve: resolver });
  // Known issuers: the hosted ones and the configured trust lists (one registry per app: it caches remote lists).
  const trust = serviceTrustRegistry(ctx);

  async function credential(input: string | object, options: { checkStatus?: boolean } = {}): Promise<VerificationReport> {
    const checkStatus = options.checkStatus !== false;
    // No status list cache in the verifier: our own lists are read fresh (a revocation counts at once); foreign
    // documents are cached by `cachingFetch`. An unchanged list (the same signed text: publish.ts re-signs only after
    // a change) has its proof checked once (statusListProofCacheMs, default).
    const report = await verify(input, { fetch, resolver, documentLoader: ctx.documentLoader, checkStatus, statusListCacheMs: 0, cryptosuite: ctx.cryptosuite, trust });
    const id = (report.credential as { id?: unknown } | undefined)?.id;
    // An id the database cannot hold is no credential of ours (and must not reach the query).
    if (checkStatus && typeof id === 'string' && isStorableText(id)) {
      // Our own credentials and wallet copies of them (a copy shares its original's status).
      const own = await ownCredentialStatus(ctx.db, id);
      if (own && own.status === 'suspended') {
        const check: Check = {
          id: 'status',
          status: 'fail',
          message: `The issuer has suspended this credential${own.reason ? ` (${own.reason})` : ''}; it is not valid while suspended.`,
        };
        const checks = report.checks.map((c) => (c.id === 'status' ? check : c));
        if (!checks.some((c) => c.id === 'status')) checks.push(check);
        return { ...report, verified: false, checks };
      }
    }
    return report;
  }

  async function presentation(vp: Record<string, unknown>, options: { challenge?: string; domain?: string; unsigned: boolean }): Promise<PresentationReport> {
    const listed = vp.verifiableCredential;
    const items = listed === undefined ? [] : Array.isArray(listed) ? listed : [listed];
    const credentials: VerificationReport[] = [];
    for (const item of items) credentials.push(await credential(unwrapEnveloped(item) as string | object));
    let pres: { verified: boolean; message: string };
    if (options.unsigned || vp.proof === undefined) {
      pres = options.unsigned && vp.proof === undefined
        ? { verified: true, message: 'The presentation carries no proof (none was required).' }
        : { verified: false, message: 'The presentation carries no proof, so it is not known who presented it.' };
    } else {
      // Only the presentation's own result is read here; the credentials were verified above, with status.
      const result = await vc.verify({
        presentation: vp,
        challenge: options.challenge,
        domain: options.domain,
        suite: new DataIntegrityProof({ cryptosuite: ctx.cryptosuite }),
        documentLoader: presentationLoader,
        checkStatus: async () => ({ verified: true }),
      }).catch((e: unknown) => ({ verified: false, error: e, presentationResult: { verified: false } }));
      const ok = result.presentationResult?.verified === true;
      pres = ok
        ? { verified: true, message: "The holder's signature on the presentation is valid." }
        : { verified: false, message: `The holder's signature on the presentation could not be verified${options.challenge ? ' for the expected challenge and domain' : ''}.` };
    }
    ctx.metrics.verified.inc({ kind: 'presentation', result: pres.verified && credentials.every((c) => c.verified) ? 'valid' : 'invalid' });
    return { verified: pres.verified && credentials.every((c) => c.verified), presentation: pres, credentials };
  }

  return { fetch, resolver, trust, credential, presentation };
}
