/**
 * A cached remote document for trust lists (internal): fetched through the guarded fetch, kept as long as its HTTP
 * caching headers say (RFC 9111) within bounds, revalidated with its validators (ETag / Last-Modified, answered by
 * 304), and, when fetching it again fails, used stale for a bounded time with the failure reported. A document that
 * cannot be fetched and has no usable copy is an error, never an empty list.
 *
 * Freshness: `Cache-Control: max-age` (less `Age`), else `Expires` − `Date`, else `defaultMaxAgeMs`; then clamped to
 * [`minMaxAgeMs`, `maxMaxAgeMs`]. `no-store`, `no-cache` and `max-age=0` count as the minimum: a verifier checking many
 * credentials must not fetch the list for each of them. Stale use on error: up to `maxStaleMs` past freshness, or
 * `stale-if-error` seconds when the server says so (never more than `maxStaleMs`); none after `must-revalidate` or
 * `no-store`, and never past the document's own expiry (an OpenID Federation statement's `exp`).
 */
import type { FetchedDocument, GuardedFetch } from '../lib/guarded-fetch.js';
import { MicrocredError } from '../errors.js';

/** Bounds of the trust list cache (milliseconds). */
export interface TrustCachePolicy {
  /** Freshness when the server gives none. Default 1 hour. */
  defaultMaxAgeMs: number;
  /** Least freshness, whatever the server says. Default 1 minute. */
  minMaxAgeMs: number;
  /** Most freshness, whatever the server says. Default 24 hours. */
  maxMaxAgeMs: number;
  /** How long past freshness a copy may still be used when fetching it again fails. Default 24 hours. */
  maxStaleMs: number;
  /** How long an OpenID Federation "not listed" answer (HTTP 404) is kept. Default 5 minutes. */
  notListedMaxAgeMs: number;
}

export const DEFAULT_TRUST_CACHE_POLICY: TrustCachePolicy = {
  defaultMaxAgeMs: 60 * 60_000,
  minMaxAgeMs: 60_000,
  maxMaxAgeMs: 24 * 60 * 60_000,
  maxStaleMs: 24 * 60 * 60_000,
  notListedMaxAgeMs: 5 * 60_000,
};

/** What the cache-relevant headers of an answer say. */
export interface Freshness {
  /** Milliseconds the answer stays fresh from when it was received (already clamped). */
  freshMs: number;
  /** Milliseconds past freshness it may be used when fetching again fails. */
  staleMs: number;
}

function directives(cacheControl: string | undefined): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const part of (cacheControl ?? '').split(',')) {
    const [rawName, ...rest] = part.trim().split('=');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    out.set(name, rest.length ? rest.join('=').trim().replace(/^"|"$/g, '') : true);
  }
  return out;
}

function seconds(value: string | true | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Freshness and stale allowance of an answer, by RFC 9111 within the policy's bounds.
 *
 * @example
 * ```ts
 * freshness({ 'cache-control': 'max-age=600' }, DEFAULT_TRUST_CACHE_POLICY); // { freshMs: 600000, staleMs: 86400000 }
 * ```
 */
export function freshness(headers: FetchedDocument['headers'], policy: TrustCachePolicy, now: number = Date.now()): Freshness {
  const h = headers ?? {};
  const cc = directives(h['cache-control']);
  let freshMs: number;
  const maxAge = seconds(cc.get('max-age'));
  if (cc.has('no-store') || cc.has('no-cache')) {
    freshMs = 0;
  } else if (maxAge !== undefined) {
    freshMs = (maxAge - (seconds(h.age) ?? 0)) * 1000;
  } else if (h.expires !== undefined) {
    const expires = Date.parse(h.expires);
    const date = h.date !== undefined ? Date.parse(h.date) : NaN;
    // An invalid Expires (e.g. "0") means already expired (RFC 9111 §5.3).
    freshMs = Number.isNaN(expires) ? 0 : expires - (Number.isNaN(date) ? now : date);
  } else {
    freshMs = policy.defaultMaxAgeMs;
  }
  freshMs = Math.min(policy.maxMaxAgeMs, Math.max(policy.minMaxAgeMs, freshMs));
  let staleMs = policy.maxStaleMs;
  if (cc.has('must-revalidate') || cc.has('no-store')) staleMs = 0;
  else if (seconds(cc.get('stale-if-error')) !== undefined) staleMs = Math.min(policy.maxStaleMs, (seconds(cc.get('stale-if-error')) as number) * 1000);
  return { freshMs, staleMs };
}

/** A parsed document and, where it has one, the instant it stops being valid whatever the cache says (ms). */
export interface Parsed<T> {
  value: T;
  expiresAt?: number;
}

/** What `RemoteDocument.get` hands out. */
export interface CachedValue<T> {
  value: T;
  /** When the copy was fetched (ms since the epoch, by the cache's clock). */
  fetchedAt: number;
  /** Set when the copy is past its freshness and fetching it again failed: why. */
  staleBecause?: string;
}

interface Entry<T> extends CachedValue<T> {
  freshUntil: number;
  staleUntil: number;
  expiresAt?: number;
  etag?: string;
  lastModified?: string;
}

export interface RemoteDocumentOptions<T> {
  url: string;
  accept: string;
  fetch: GuardedFetch;
  clock: () => number;
  policy: TrustCachePolicy;
  /** Reads a fetched body; throws (e.g. `TRUST_LIST_INVALID`) when it is not the expected document. */
  parse: (doc: FetchedDocument) => Parsed<T> | Promise<Parsed<T>>;
  /** Turns a fetch error into a value (e.g. HTTP 404 = "not listed"), or returns undefined to keep it an error. */
  recover?: (error: unknown) => { value: T; maxAgeMs: number } | undefined;
}

/** The most telling sentence of an error, ending with a full stop. */
export function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** One remote document and its cached copy. */
export class RemoteDocument<T> {
  readonly url: string;
  private entry: Entry<T> | undefined;
  private inflight: Promise<CachedValue<T>> | undefined;

  constructor(private readonly options: RemoteDocumentOptions<T>) {
    this.url = options.url;
  }

  /** The document: the cached copy while fresh, else fetched again (once, however many callers wait). */
  get(): Promise<CachedValue<T>> {
    const now = this.options.clock();
    const entry = this.entry;
    if (entry && now < entry.freshUntil) return Promise.resolve({ value: entry.value, fetchedAt: entry.fetchedAt });
    if (!this.inflight) {
      this.inflight = this.refetch().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async refetch(): Promise<CachedValue<T>> {
    const { fetch, url, accept, clock, policy, parse, recover } = this.options;
    const old = this.entry;
    try {
      let doc: FetchedDocument;
      try {
        doc = await fetch(url, {
          accept,
          ...(old?.etag ? { ifNoneMatch: old.etag } : {}),
          ...(old?.lastModified ? { ifModifiedSince: old.lastModified } : {}),
        });
      } catch (e) {
        const recovered = recover?.(e);
        if (!recovered) throw e;
        const at = clock();
        this.entry = { value: recovered.value, fetchedAt: at, freshUntil: at + recovered.maxAgeMs, staleUntil: at + recovered.maxAgeMs };
        return { value: recovered.value, fetchedAt: at };
      }
      const at = clock();
      const f = freshness(doc.headers, policy, at);
      if (doc.status === 304 && old) {
        this.entry = this.bounded({ ...old, fetchedAt: at }, at, f);
        return { value: old.value, fetchedAt: at };
      }
      const parsed = await parse(doc);
      if (parsed.expiresAt !== undefined && parsed.expiresAt <= at) {
        throw new MicrocredError('TRUST_LIST_INVALID', `The document at ${url} expired on ${new Date(parsed.expiresAt).toISOString()}.`, { url });
      }
      const entry: Entry<T> = {
        value: parsed.value,
        fetchedAt: at,
        freshUntil: 0,
        staleUntil: 0,
        ...(parsed.expiresAt !== undefined ? { expiresAt: parsed.expiresAt } : {}),
        ...(doc.headers?.etag ? { etag: doc.headers.etag } : {}),
        ...(doc.headers?.['last-modified'] ? { lastModified: doc.headers['last-modified'] } : {}),
      };
      this.entry = this.bounded(entry, at, f);
      return { value: entry.value, fetchedAt: at };
    } catch (e) {
      const now = clock();
      if (old && now < old.staleUntil) return { value: old.value, fetchedAt: old.fetchedAt, staleBecause: reasonOf(e) };
      throw e;
    }
  }

  private bounded(entry: Entry<T>, at: number, f: Freshness): Entry<T> {
    const cap = entry.expiresAt ?? Infinity;
    const freshUntil = Math.min(at + f.freshMs, cap);
    return { ...entry, freshUntil, staleUntil: Math.min(freshUntil + f.staleMs, cap) };
  }
}
