/**
 * THE one outbound fetch of microcred. Verifying a credential makes the verifier fetch URLs chosen by whoever wrote
 * the credential (DID documents, controller documents, status lists, JWK sets), so every request goes through these
 * guards against server-side request forgery and resource exhaustion:
 * - https only (http only when `allowHttp` is set, for tests against a local server);
 * - the host name is resolved first and the request is refused when any address is loopback, private, link-local,
 *   unique-local, multicast or otherwise not public (IPv4 and IPv6, IPv4-mapped included), unless
 *   `allowPrivateNetwork` is set;
 * - the connection is pinned to the addresses that were checked (undici `connect.lookup`), so a DNS answer that
 *   changes between the check and the connection (DNS rebinding) cannot redirect the request. With an injected
 *   `fetch` the pinning is the injected transport's business; the check still runs;
 * - redirects are followed by hand (at most `maxRedirects`), each target passing the same checks;
 * - a timeout over the whole exchange, and a body size limit enforced while streaming.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { LookupAddress } from 'node:dns';
import type { Agent } from 'undici';
import { MicrocredError } from '../errors.js';
import { nonPublicReason } from './ip-ranges.js';

/** Resolves a host name to every address it has (like `dns.lookup(host, { all: true })`). */
export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** The transport underneath: WHATWG `fetch` semantics (Node's global fetch fits). */
export type Transport = (
  url: string,
  init: { method: 'GET'; headers: Record<string, string>; redirect: 'manual'; signal: AbortSignal; dispatcher?: unknown },
) => Promise<Response>;

export interface GuardedFetchConfig {
  /** Allow plain `http:` URLs (tests against 127.0.0.1). Default false. */
  allowHttp?: boolean;
  /** Allow loopback/private/link-local/… addresses. Default false. */
  allowPrivateNetwork?: boolean;
  /** Timeout of the whole exchange, redirects included. Default 10 s. */
  timeoutMs?: number;
  /** Largest accepted body in bytes. Default 2 MiB. */
  maxBytes?: number;
  /** Redirects followed at most. Default 3. */
  maxRedirects?: number;
  /** DNS lookup (injectable for tests). Default `dns.promises.lookup(host, { all: true })`. */
  lookup?: HostLookup;
  /**
   * Underlying fetch (injectable for tests). Default: undici's fetch with an Agent whose connections are pinned to
   * the checked addresses.
   */
  fetch?: Transport;
}

export interface GuardedFetchRequest {
  /** `Accept` header. Default `application/json`. */
  accept?: string;
  /**
   * Conditional request validators (RFC 9110 §13) for revalidating a cached copy: sent as `If-None-Match` and
   * `If-Modified-Since`. When either is given, a `304 Not Modified` answer resolves (status 304, empty body).
   */
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/** Response headers a cache needs (RFC 9111), by lower-case name; only these are kept. */
export const CACHE_HEADERS = ['cache-control', 'expires', 'date', 'age', 'etag', 'last-modified'] as const;

/** A fetched document: final URL (after redirects), status, content type and the body bytes. */
export interface FetchedDocument {
  url: string;
  status: number;
  contentType: string | null;
  body: Uint8Array;
  /** The caching headers of the answer ({@link CACHE_HEADERS}) that were present. Test doubles may leave it out. */
  headers?: Partial<Record<(typeof CACHE_HEADERS)[number], string>>;
}

/** A configured guarded fetch. Resolves for 2xx answers only; everything else is a typed error. */
export type GuardedFetch = (url: string, request?: GuardedFetchRequest) => Promise<FetchedDocument>;

const DEFAULTS = { timeoutMs: 10_000, maxBytes: 2 * 1024 * 1024, maxRedirects: 3 };

const defaultLookup: HostLookup = async (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function blocked(url: string, reason: string): MicrocredError {
  return new MicrocredError('FETCH_BLOCKED', `Refused to fetch ${url}: ${reason}.`, { url, reason });
}

/** `status`: the HTTP status when the server answered with an error (details.status, e.g. 404). */
function failed(url: string, reason: string, cause?: unknown, status?: number): MicrocredError {
  return new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: ${reason}.`, { url, reason, ...(status ? { status } : {}) }, { cause });
}

function cacheHeaders(response: Response): FetchedDocument['headers'] {
  const out: NonNullable<FetchedDocument['headers']> = {};
  for (const name of CACHE_HEADERS) {
    const v = response.headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

/** Checks the URL and its addresses; returns the addresses the connection may use. */
async function checkTarget(url: URL, config: GuardedFetchConfig): Promise<{ address: string; family: number }[]> {
  const text = url.href;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && config.allowHttp)) {
    throw blocked(text, `only https URLs are fetched (found ${url.protocol.replace(':', '')})`);
  }
  if (url.username || url.password) throw blocked(text, 'URLs with user names or passwords are not fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (config.lookup ?? defaultLookup)(host);
    } catch (e) {
      throw failed(text, `the host name ${host} could not be resolved (${(e as Error).message})`, e);
    }
    if (addresses.length === 0) throw failed(text, `the host name ${host} has no address`);
  }
  if (!config.allowPrivateNetwork) {
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      if (reason) throw blocked(text, `${host} resolves to ${address}, ${reason}`);
    }
  }
  return addresses;
}

// undici is loaded on the first real network fetch, not with the library: verifying a did:key credential without a
// status list, or with an injected fetch, never needs it.
type Undici = Pick<typeof import('undici'), 'Agent' | 'fetch'>;
let undici: Promise<Undici> | undefined;

/** An undici Agent whose every connection goes to one of the already checked addresses. */
async function pinnedAgent(addresses: { address: string; family: number }[]): Promise<{ agent: Agent; fetch: Undici['fetch'] }> {
  const { Agent, fetch } = await (undici ??= import('undici'));
  const pinned = addresses.map((a) => ({ address: a.address, family: a.family }) as LookupAddress);
  const agent = new Agent({
    connect: {
      lookup: ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
        if (options?.all) callback(null, pinned);
        else callback(null, (pinned[0] as LookupAddress).address, (pinned[0] as LookupAddress).family);
      }) as never,
    },
  });
  return { agent, fetch };
}

async function readLimited(response: Response, url: string, maxBytes: number, controller: AbortController): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    controller.abort();
    throw failed(url, `the response is ${declared} bytes, more than the limit of ${maxBytes}`);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw failed(url, `the response is larger than the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return body;
}

/**
 * Creates a guarded fetch with fixed settings (see the module comment for what it guards against).
 *
 * @example
 * ```ts
 * const fetchDoc = createGuardedFetch({ timeoutMs: 5000 });
 * const doc = await fetchDoc('https://issuer.example/.well-known/did.json');
 * JSON.parse(new TextDecoder().decode(doc.body));
 * ```
 */
export function createGuardedFetch(config: GuardedFetchConfig = {}): GuardedFetch {
  return (url, request) => guardedFetch(url, { ...config, ...request });
}

/**
 * Fetches one URL through the guards and returns its body. Non-2xx answers, oversized bodies, timeouts and network
 * errors are `FETCH_FAILED`; refused targets are `FETCH_BLOCKED`. Both errors name the URL and the reason.
 *
 * @example
 * ```ts
 * try {
 *   const list = await guardedFetch('https://issuer.example/status/1', { accept: 'application/vc+ld+json' });
 * } catch (e) {
 *   if (e instanceof MicrocredError && e.code === 'FETCH_BLOCKED') console.error(e.message);
 * }
 * ```
 */
export async function guardedFetch(url: string, options: GuardedFetchConfig & GuardedFetchRequest = {}): Promise<FetchedDocument> {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  const maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    clearTimeout(timer);
    throw blocked(JSON.stringify(url), 'it is not an absolute URL');
  }
  const agents: Agent[] = [];
  try {
    for (let hop = 0; ; hop++) {
      const addresses = await checkTarget(current, options);
      const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
      if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
      if (options.ifModifiedSince) headers['if-modified-since'] = options.ifModifiedSince;
      const init: Parameters<Transport>[1] = {
        method: 'GET',
        headers,
        redirect: 'manual',
        signal: controller.signal,
      };
      let response: Response;
      try {
        if (options.fetch) {
          response = await options.fetch(current.href, init);
        } else {
          const { agent, fetch: undiciFetch } = await pinnedAgent(addresses);
          agents.push(agent);
          response = (await undiciFetch(current.href, { ...init, dispatcher: agent } as never)) as unknown as Response;
        }
      } catch (e) {
        if (controller.signal.aborted) throw failed(current.href, `no complete answer within ${timeoutMs} ms`, e);
        const cause = (e as { cause?: { message?: string } }).cause?.message;
        throw failed(current.href, cause ?? (e as Error).message, e);
      }
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        const location = response.headers.get('location');
        await response.body?.cancel().catch(() => undefined);
        if (!location) throw failed(current.href, `the server answered ${response.status} without a Location`);
        if (hop >= maxRedirects) throw failed(url, `more than ${maxRedirects} redirects`);
        current = new URL(location, current);
        continue;
      }
      if (response.status === 304 && (options.ifNoneMatch || options.ifModifiedSince)) {
        await response.body?.cancel().catch(() => undefined);
        return { url: current.href, status: 304, contentType: response.headers.get('content-type'), body: new Uint8Array(0), headers: cacheHeaders(response) };
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel().catch(() => undefined);
        throw failed(current.href, `the server answered HTTP ${response.status}`, undefined, response.status);
      }
      let body: Uint8Array;
      try {
        body = await readLimited(response, current.href, maxBytes, controller);
      } catch (e) {
        if (e instanceof MicrocredError) throw e;
        if (controller.signal.aborted) throw failed(current.href, `no complete answer within ${timeoutMs} ms`, e);
        throw failed(current.href, (e as Error).message, e);
      }
      return { url: current.href, status: response.status, contentType: response.headers.get('content-type'), body, headers: cacheHeaders(response) };
    }
  } finally {
    clearTimeout(timer);
    for (const a of agents) a.close().catch(() => undefined);
  }
}

/**
 * Parses a fetched body as JSON; `FETCH_FAILED` naming the URL when it is not JSON.
 *
 * @example
 * ```ts
 * const didDocument = fetchedJson(await guardedFetch('https://example.com/.well-known/did.json'));
 * ```
 */
export function fetchedJson(doc: FetchedDocument): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(doc.body));
  } catch (e) {
    throw failed(doc.url, `the answer is not JSON (${(e as Error).message})`, e);
  }
}
