/**
 * Known issuers: the trust lists a deployment configures, looked up for the issuer-trust check.
 *
 * Sources, consulted in this order, the first match being the one shown:
 * 1. the issuers this service hosts (`hosted`, the seam a service passes in);
 * 2. each configured list, in the order given: local files (read and checked when the registry is created, so a
 *    bad file fails at start-up) and URLs (fetched through the guarded fetch when first needed, cached by their
 *    HTTP caching headers within bounds; see http-cache.ts).
 *
 * Matching: identifiers exactly as the credential writes `issuer.id`; a microcred list's `domain` entries also match
 * the host of a did:web or https issuer (`issuerHost`), exactly: `example.ac.uk` does not match
 * `credentials.example.ac.uk`, which needs an entry of its own. DCC registries and OpenID Federation trust anchors
 * list DIDs, so they match identifiers only.
 *
 * A list that cannot be fetched or read is reported in the lookup's `lists` (state `unavailable`), never treated as
 * empty; a copy past its freshness is used for a bounded time when fetching it again fails (state `stale`).
 */
import { readFileSync } from 'node:fs';
import { MicrocredError } from '../errors.js';
import { createGuardedFetch, type GuardedFetch } from '../lib/guarded-fetch.js';
import { isCompactJws } from '../lib/jws.js';
import { issuerHost } from './host.js';
import { DEFAULT_TRUST_CACHE_POLICY, RemoteDocument, reasonOf, type TrustCachePolicy } from './http-cache.js';
import { ENTITY_STATEMENT_ACCEPT, fetchUrl, readSubordinateStatement, readTrustAnchor, type FederationEntity, type TrustAnchor } from './oidf.js';
import { parseTrustList, type KnownRegistry, type StaticList, type TrustDocument } from './parse.js';
import type { HostedIssuers, KnownIssuer, TrustListSource, TrustListState, TrustLookup, TrustRegistry } from './types.js';

export interface TrustRegistryOptions {
  /** The trust lists, most authoritative first. */
  lists?: TrustListSource[];
  /** The issuers this service hosts; consulted before the lists. */
  hosted?: HostedIssuers;
  /** The guarded fetch for remote lists. Default `createGuardedFetch()` (https only, public addresses only). */
  fetch?: GuardedFetch;
  /** Milliseconds since the epoch, for caching and statement expiry. Default `Date.now`. */
  clock?: () => number;
  /** Bounds of the remote list cache. */
  cache?: Partial<TrustCachePolicy>;
}

/** Subordinate statements kept per OpenID Federation trust anchor (one per issuer asked about). */
const MAX_STATEMENTS = 1000;
const LIST_ACCEPT = 'application/json, application/entity-statement+jwt;q=0.9';
const DEFAULT_HOSTED_NAME = 'the issuers this service hosts';

interface Deps {
  fetch: GuardedFetch;
  clock: () => number;
  policy: TrustCachePolicy;
}

interface SourceResult {
  matches: KnownIssuer[];
  lists: TrustListState[];
}

interface Source {
  lookup(issuerId: string, host: string | undefined): Promise<SourceResult>;
  refresh(): Promise<TrustListState[]>;
}

function matchStatic(list: StaticList, name: string, source: string, issuerId: string, host: string | undefined): KnownIssuer[] {
  const base = { list: name, listSource: source, listFormat: list.format };
  const byId = list.ids.get(issuerId);
  if (byId) {
    const { matched, ...entry } = byId;
    return [{ ...entry, ...base, matchedBy: 'id', matched }];
  }
  const byDomain = host !== undefined ? list.domains.get(host) : undefined;
  if (byDomain) {
    const { matched, ...entry } = byDomain;
    return [{ ...entry, ...base, matchedBy: 'domain', matched }];
  }
  return [];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A list read from a local file when the registry is created. */
function fileSource(file: string, name: string | undefined, deps: Deps): Source {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MicrocredError('TRUST_LIST_INVALID', `The trust list file ${file} cannot be read: ${(e as Error).message}.`, { source: file }, { cause: e });
  }
  if (isCompactJws(text)) {
    throw new MicrocredError(
      'TRUST_LIST_INVALID',
      `The trust list file ${file} holds a JWT: an OpenID Federation trust anchor is configured by the URL of its entity configuration, not a file.`,
      { source: file },
    );
  }
  const doc = parseTrustList(text, file);
  if (doc.format === 'dcc-known-registries') return registriesSource(doc.registries, file, deps);
  const shown = doc.name ?? name ?? file;
  const state: TrustListState = { name: shown, source: file, format: doc.format, state: 'ok' };
  return {
    lookup: async (issuerId, host) => ({ matches: matchStatic(doc, shown, file, issuerId, host), lists: [state] }),
    refresh: async () => [state],
  };
}

type RemoteContent = TrustDocument | { format: 'oidf'; anchor: TrustAnchor };

/**
 * The entries of a DCC list of registries as sources of their own (kept across lookups, so each keeps its cache).
 * `stateOf`: the state of the list of registries itself (a remote one: when it was fetched, whether stale).
 */
function registriesSource(registries: KnownRegistry[], source: string, deps: Deps, stateOf?: () => TrustListState): Source {
  const children = new Map<string, Source>();
  const own = (): TrustListState => stateOf?.() ?? { name: source, source, format: 'dcc-known-registries', state: 'ok' };
  const child = (r: KnownRegistry): Source | string => {
    const key = `${r.type}|${r.url ?? ''}|${r.trustAnchorEC ?? ''}|${r.name}`;
    const hit = children.get(key);
    if (hit) return hit;
    let made: Source;
    if (r.type === 'dcc-legacy' && r.url) made = remoteSource(r.url, r.name, 'dcc-registry', deps);
    else if (r.type === 'oidf' && r.trustAnchorEC) made = remoteSource(r.trustAnchorEC, r.name, 'oidf', deps);
    else return `registries of type ${JSON.stringify(r.type)} are not supported (microcred reads "dcc-legacy" and "oidf").`;
    children.set(key, made);
    return made;
  };
  const unsupported = (r: KnownRegistry, why: string): TrustListState => ({
    name: r.name,
    source: r.url ?? r.trustAnchorEC ?? source,
    state: 'unavailable',
    error: why,
  });
  return {
    async lookup(issuerId, host) {
      const results = await Promise.all(
        registries.map(async (r): Promise<SourceResult> => {
          const c = child(r);
          return typeof c === 'string' ? { matches: [], lists: [unsupported(r, c)] } : c.lookup(issuerId, host);
        }),
      );
      return {
        matches: results.flatMap((x) => x.matches),
        lists: [own(), ...results.flatMap((x) => x.lists)],
      };
    },
    async refresh() {
      const states = await Promise.all(
        registries.map(async (r) => {
          const c = child(r);
          return typeof c === 'string' ? [unsupported(r, c)] : c.refresh();
        }),
      );
      return [own(), ...states.flat()];
    },
  };
}

/**
 * A list at a URL: a microcred list, a DCC registry, a DCC list of registries, or an OpenID Federation trust anchor
 * (its entity configuration). `expect` is what a DCC list of registries says the entry is.
 */
function remoteSource(url: string, name: string | undefined, expect: 'dcc-registry' | 'oidf' | undefined, deps: Deps): Source {
  const doc = new RemoteDocument<RemoteContent>({
    url,
    accept: expect === 'oidf' ? ENTITY_STATEMENT_ACCEPT : LIST_ACCEPT,
    fetch: deps.fetch,
    clock: deps.clock,
    policy: deps.policy,
    parse: async (fetched) => {
      const text = new TextDecoder().decode(fetched.body);
      if (expect === 'oidf' || (expect === undefined && isCompactJws(text))) {
        const anchor = await readTrustAnchor(fetched, url, deps.clock());
        return { value: { format: 'oidf', anchor: anchor.value }, ...(anchor.expiresAt !== undefined ? { expiresAt: anchor.expiresAt } : {}) };
      }
      return { value: parseTrustList(text, url, expect) };
    },
  });
  let registries: { doc: TrustDocument; source: ReturnType<typeof registriesSource> } | undefined;
  const statements = new Map<string, RemoteDocument<FederationEntity | null>>();
  let lastState: TrustListState = { name: name ?? url, source: url, ...(expect ? { format: expect } : {}), state: 'ok' };

  const displayName = (content: RemoteContent): string =>
    name ?? ('name' in content && content.name ? content.name : content.format === 'oidf' ? (content.anchor.organizationName ?? url) : url);

  async function read(): Promise<{ content: RemoteContent; state: TrustListState } | { failed: TrustListState }> {
    try {
      const got = await doc.get();
      const state: TrustListState = {
        name: displayName(got.value),
        source: url,
        format: got.value.format,
        state: got.staleBecause ? 'stale' : 'ok',
        ...(got.staleBecause ? { error: got.staleBecause } : {}),
        fetchedAt: iso(got.fetchedAt),
      };
      lastState = state;
      return { content: got.value, state };
    } catch (e) {
      return { failed: { name: name ?? url, source: url, ...(expect ? { format: expect } : {}), state: 'unavailable', error: reasonOf(e) } };
    }
  }

  function registriesOf(content: TrustDocument & { format: 'dcc-known-registries' }) {
    if (!registries || registries.doc !== content) {
      registries = { doc: content, source: registriesSource(content.registries, url, deps, () => lastState) };
    }
    return registries.source;
  }

  function statementDoc(anchor: TrustAnchor, issuerId: string): RemoteDocument<FederationEntity | null> {
    const key = `${anchor.fetchEndpoint}|${issuerId}`;
    let s = statements.get(key);
    if (s) {
      // Most recently used last, so the oldest is the one dropped.
      statements.delete(key);
      statements.set(key, s);
      return s;
    }
    s = new RemoteDocument<FederationEntity | null>({
      url: fetchUrl(anchor.fetchEndpoint, issuerId),
      accept: ENTITY_STATEMENT_ACCEPT,
      fetch: deps.fetch,
      clock: deps.clock,
      policy: deps.policy,
      parse: (fetched) => readSubordinateStatement(fetched, anchor, issuerId, deps.clock()),
      // OpenID Federation 1.0 §8.1.2: an unknown subject is an error answer with HTTP 404, meaning "not listed".
      recover: (e) =>
        e instanceof MicrocredError && (e.details as { status?: number } | undefined)?.status === 404
          ? { value: null, maxAgeMs: deps.policy.notListedMaxAgeMs }
          : undefined,
    });
    statements.set(key, s);
    if (statements.size > MAX_STATEMENTS) statements.delete(statements.keys().next().value as string);
    return s;
  }

  return {
    async lookup(issuerId, host) {
      const r = await read();
      if ('failed' in r) return { matches: [], lists: [r.failed] };
      const { content, state } = r;
      if (content.format === 'dcc-known-registries') return registriesOf(content).lookup(issuerId, host);
      if (content.format !== 'oidf') return { matches: matchStatic(content, state.name, url, issuerId, host), lists: [state] };
      try {
        const got = await statementDoc(content.anchor, issuerId).get();
        const listState: TrustListState = got.staleBecause ? { ...state, state: 'stale', error: got.staleBecause, fetchedAt: iso(got.fetchedAt) } : state;
        if (!got.value) return { matches: [], lists: [listState] };
        const entity = got.value;
        const match: KnownIssuer = {
          name: entity.name ?? issuerId,
          list: state.name,
          listSource: url,
          listFormat: 'oidf',
          matchedBy: 'id',
          matched: issuerId,
          ...(entity.url ? { url: entity.url } : {}),
          ...(entity.logo ? { logo: entity.logo } : {}),
          ...(entity.location ? { location: entity.location } : {}),
        };
        return { matches: [match], lists: [listState] };
      } catch (e) {
        return { matches: [], lists: [{ ...state, state: 'unavailable', error: reasonOf(e) }] };
      }
    },
    async refresh() {
      const r = await read();
      if ('failed' in r) return [r.failed];
      if (r.content.format === 'dcc-known-registries') return registriesOf(r.content).refresh();
      return [r.state];
    },
  };
}

function hostedSource(hosted: HostedIssuers): Source {
  const name = hosted.name ?? DEFAULT_HOSTED_NAME;
  const base: TrustListState = { name, source: 'hosted', format: 'hosted', state: 'ok' };
  return {
    async lookup(issuerId) {
      try {
        const found = await hosted.find(issuerId);
        if (!found) return { matches: [], lists: [base] };
        const match: KnownIssuer = {
          name: found.name,
          list: name,
          listSource: 'hosted',
          listFormat: 'hosted',
          matchedBy: 'id',
          matched: issuerId,
          ...(found.url ? { url: found.url } : {}),
          ...(found.logo ? { logo: found.logo } : {}),
        };
        return { matches: [match], lists: [base] };
      } catch (e) {
        return { matches: [], lists: [{ ...base, state: 'unavailable', error: reasonOf(e) }] };
      }
    },
    refresh: async () => [base],
  };
}

function checkSource(s: unknown, i: number): TrustListSource {
  const where = `trust list ${i + 1}`;
  const fail = (why: string) => new MicrocredError('TRUST_LIST_INVALID', `The ${where} is not configured right: ${why}`, { index: i });
  if (!s || typeof s !== 'object') throw fail('expected { file } or { url }.');
  const o = s as Record<string, unknown>;
  if ((o.file === undefined) === (o.url === undefined)) throw fail('give exactly one of "file" and "url".');
  if (o.name !== undefined && (typeof o.name !== 'string' || !o.name.trim())) throw fail('"name" must be a non-empty text.');
  if (o.file !== undefined && (typeof o.file !== 'string' || o.file === '')) throw fail('"file" must be a path.');
  if (o.url !== undefined) {
    if (typeof o.url !== 'string') throw fail('"url" must be a URL.');
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw fail(`"url" must be an absolute URL; found ${JSON.stringify(o.url)}.`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw fail(`"url" must be an https URL; found ${JSON.stringify(o.url)}.`);
  }
  return o as TrustListSource;
}

/**
 * Creates the known-issuer registry for `VerifyOptions.trust`. Local files are read and checked now; remote lists
 * when first needed. Create it once per process and reuse it: it holds the cache.
 *
 * @throws MicrocredError `TRUST_LIST_INVALID` for a configuration entry or a local file that is not a trust list
 *   microcred reads (the message names the file and every problem).
 * @example
 * ```ts
 * const trust = createTrustRegistry({
 *   lists: [{ file: '/etc/microcred/trust.json' }, { url: 'https://digitalcredentials.github.io/dcc-known-registries/known-did-registries.json' }],
 * });
 * const report = await verify(credential, { trust });
 * report.signer?.known?.name; // the issuer's listed name, when it is on a list
 * ```
 */
export function createTrustRegistry(options: TrustRegistryOptions = {}): TrustRegistry {
  const deps: Deps = {
    fetch: options.fetch ?? createGuardedFetch(),
    clock: options.clock ?? Date.now,
    policy: { ...DEFAULT_TRUST_CACHE_POLICY, ...options.cache },
  };
  const sources: Source[] = [];
  if (options.hosted) sources.push(hostedSource(options.hosted));
  (options.lists ?? []).forEach((raw, i) => {
    const s = checkSource(raw, i);
    if ('file' in s) {
      sources.push(fileSource(s.file, s.name, deps));
    } else {
      sources.push(remoteSource(s.url, s.name, undefined, deps));
    }
  });
  return {
    async lookup(issuerId) {
      const host = issuerHost(issuerId);
      const results = await Promise.all(sources.map((s) => s.lookup(issuerId, host)));
      return { matches: results.flatMap((r) => r.matches), lists: results.flatMap((r) => r.lists) } satisfies TrustLookup;
    },
    async refresh() {
      return (await Promise.all(sources.map((s) => s.refresh()))).flat();
    },
  };
}
