/**
 * Remote trust lists, fetched through the guarded fetch from a server on 127.0.0.1 (plain http and loopback allowed
 * the way the other local-server tests allow them): cached by their HTTP caching headers within bounds, revalidated
 * with ETag (304), fetched again after expiry, a failure reported (never an empty list), a stale copy used for a
 * bounded time when fetching again fails; DCC lists of registries with a dcc-legacy registry and an OpenID Federation
 * trust anchor (statements signed here with jose), compared with the DCC's own issuer-registry-client on the same
 * documents; and the DCC test registry's real statements.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { RegistryClient } from '@digitalcredentials/issuer-registry-client';
import { MicrocredError } from '../src/errors.js';
import { createGuardedFetch, type FetchedDocument, type GuardedFetch } from '../src/lib/guarded-fetch.js';
import { createTrustRegistry } from '../src/trust/registry.js';
import { DEFAULT_TRUST_CACHE_POLICY, freshness } from '../src/trust/http-cache.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'trust');
const T0 = Date.parse('2026-01-01T00:00:00Z');

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let server: Server;
let base: string;
const routes = new Map<string, Handler>();
const requests: { path: string; url: string; headers: IncomingMessage['headers'] }[] = [];
const local = createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true, timeoutMs: 5000 });

let now = T0;
const clock = () => now;
const countOf = (p: string) => requests.filter((r) => r.path === p).length;

function json(body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}
function status(code: number): Handler {
  return (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end('{"error":"server_error"}');
  };
}
const list = (name: string, issuers: object[]) => ({ name, issuers });

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname, url: req.url ?? '', headers: req.headers });
    const h = routes.get(url.pathname);
    if (h) h(req, res, url);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  routes.clear();
  requests.length = 0;
  now = T0;
});

describe('HTTP caching of a remote list', () => {
  it('is kept while fresh (max-age), revalidated with its ETag after expiry (304), and fetched anew when it changed', async () => {
    let version = 1;
    routes.set('/list.json', (req, res) => {
      const etag = `"v${version}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'max-age=120' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag, 'cache-control': 'max-age=120' });
      res.end(JSON.stringify(list(`Remote v${version}`, [{ domain: 'uni.example', name: `Uni v${version}` }])));
    });
    const trust = createTrustRegistry({ lists: [{ url: `${base}/list.json` }], fetch: local, clock });
    const first = await trust.lookup('did:web:uni.example');
    expect(first.matches[0]).toMatchObject({ name: 'Uni v1', list: 'Remote v1', listSource: `${base}/list.json`, listFormat: 'microcred' });
    expect(first.lists).toEqual([
      { name: 'Remote v1', source: `${base}/list.json`, format: 'microcred', state: 'ok', fetchedAt: new Date(T0).toISOString() },
    ]);
    now += 119_000;
    await trust.lookup('did:web:uni.example');
    await trust.lookup('did:web:other.example');
    expect(countOf('/list.json')).toBe(1);
    now += 2_000;
    expect((await trust.lookup('did:web:uni.example')).matches[0]?.name).toBe('Uni v1');
    expect(countOf('/list.json')).toBe(2);
    expect(requests[1]?.headers['if-none-match']).toBe('"v1"');
    // Fresh again for 120 s after the 304.
    now += 100_000;
    await trust.lookup('did:web:uni.example');
    expect(countOf('/list.json')).toBe(2);
    version = 2;
    now += 21_000;
    expect((await trust.lookup('did:web:uni.example')).matches[0]).toMatchObject({ name: 'Uni v2', list: 'Remote v2' });
    expect(countOf('/list.json')).toBe(3);
  });

  it('concurrent lookups share one fetch', async () => {
    routes.set('/list.json', json(list('L', [{ domain: 'uni.example', name: 'Uni' }])));
    const trust = createTrustRegistry({ lists: [{ url: `${base}/list.json` }], fetch: local, clock });
    await Promise.all([1, 2, 3, 4].map(() => trust.lookup('did:web:uni.example')));
    expect(countOf('/list.json')).toBe(1);
  });

  it('a list that cannot be fetched is reported, not treated as empty', async () => {
    routes.set('/down.json', status(500));
    const trust = createTrustRegistry({ lists: [{ url: `${base}/down.json`, name: 'Down list' }], fetch: local, clock });
    const r = await trust.lookup('did:web:uni.example');
    expect(r.matches).toEqual([]);
    expect(r.lists).toEqual([
      { name: 'Down list', source: `${base}/down.json`, state: 'unavailable', error: `Could not fetch ${base}/down.json: the server answered HTTP 500.` },
    ]);
    // Failures are not cached: the next lookup tries again.
    await trust.lookup('did:web:uni.example');
    expect(countOf('/down.json')).toBe(2);
  });

  it('a stale copy is used within the bound when fetching again fails, and said to be stale; beyond it, the list is unavailable', async () => {
    let up = true;
    routes.set('/flaky.json', (req, res) => (up ? json(list('Flaky', [{ domain: 'uni.example', name: 'Uni' }]), { 'cache-control': 'max-age=60' }) : status(503))(req, res, new URL(base)));
    const trust = createTrustRegistry({ lists: [{ url: `${base}/flaky.json` }], fetch: local, clock, cache: { maxStaleMs: 10 * 60_000 } });
    expect((await trust.lookup('did:web:uni.example')).lists[0]?.state).toBe('ok');
    up = false;
    now += 5 * 60_000;
    const stale = await trust.lookup('did:web:uni.example');
    expect(stale.matches[0]?.name).toBe('Uni');
    expect(stale.lists[0]).toMatchObject({ state: 'stale', fetchedAt: new Date(T0).toISOString(), error: `Could not fetch ${base}/flaky.json: the server answered HTTP 503.` });
    now += 6 * 60_000;
    const gone = await trust.lookup('did:web:uni.example');
    expect(gone.matches).toEqual([]);
    expect(gone.lists[0]).toMatchObject({ state: 'unavailable', error: expect.stringContaining('HTTP 503') });
  });

  it('must-revalidate: no stale copy once it expired', async () => {
    let up = true;
    routes.set('/strict.json', (req, res) => (up ? json(list('Strict', [{ domain: 'uni.example', name: 'Uni' }]), { 'cache-control': 'max-age=60, must-revalidate' }) : status(503))(req, res, new URL(base)));
    const trust = createTrustRegistry({ lists: [{ url: `${base}/strict.json` }], fetch: local, clock });
    await trust.lookup('did:web:uni.example');
    up = false;
    now += 61_000;
    expect((await trust.lookup('did:web:uni.example')).lists[0]?.state).toBe('unavailable');
  });

  it('a remote document that is not JSON or has the wrong shape is a clear error; a good copy held is kept meanwhile', async () => {
    routes.set('/broken.json', json('<html>Not found</html>'));
    routes.set('/shape.json', json({ registry: { 'did:key:z6Mkabc': { location: 'x' } } }));
    const trust = createTrustRegistry({ lists: [{ url: `${base}/broken.json` }, { url: `${base}/shape.json`, name: 'Shape' }], fetch: local, clock });
    const r = await trust.lookup('did:key:z6Mkabc');
    expect(r.lists.map((l) => l.state)).toEqual(['unavailable', 'unavailable']);
    expect(r.lists[0]?.error).toContain(`The trust list ${base}/broken.json is not valid JSON`);
    expect(r.lists[1]?.error).toContain(`The trust list ${base}/shape.json is not a valid DCC issuer registry`);
    expect(r.lists[1]?.error).toContain('$.registry["did:key:z6Mkabc"].name: expected a value');
    // A list that goes bad after a good copy: the good copy is used (stale) and the problem named.
    let good = true;
    routes.set('/turns.json', (req, res) => json(good ? list('Turns', [{ id: 'did:key:z6Mkabc', name: 'K' }]) : '{oops', { 'cache-control': 'max-age=60' })(req, res, new URL(base)));
    const t2 = createTrustRegistry({ lists: [{ url: `${base}/turns.json` }], fetch: local, clock });
    await t2.lookup('did:key:z6Mkabc');
    good = false;
    now += 61_000;
    const after = await t2.lookup('did:key:z6Mkabc');
    expect(after.matches[0]?.name).toBe('K');
    expect(after.lists[0]).toMatchObject({ state: 'stale', error: expect.stringContaining('is not valid JSON') });
  });

  it('freshness follows RFC 9111 within the bounds', () => {
    const p = DEFAULT_TRUST_CACHE_POLICY;
    expect(freshness({ 'cache-control': 'max-age=600' }, p)).toEqual({ freshMs: 600_000, staleMs: p.maxStaleMs });
    expect(freshness({ 'cache-control': 'max-age=600', age: '580' }, p).freshMs).toBe(p.minMaxAgeMs);
    expect(freshness({ 'cache-control': 'public, max-age=1200', age: '200' }, p).freshMs).toBe(1_000_000);
    expect(freshness({ expires: 'Thu, 01 Jan 2026 02:00:00 GMT', date: 'Thu, 01 Jan 2026 00:00:00 GMT' }, p).freshMs).toBe(7_200_000);
    expect(freshness({ expires: '0' }, p).freshMs).toBe(p.minMaxAgeMs);
    expect(freshness({}, p).freshMs).toBe(p.defaultMaxAgeMs);
    expect(freshness({ 'cache-control': 'max-age=31536000' }, p).freshMs).toBe(p.maxMaxAgeMs);
    expect(freshness({ 'cache-control': 'no-store' }, p)).toEqual({ freshMs: p.minMaxAgeMs, staleMs: 0 });
    expect(freshness({ 'cache-control': 'no-cache' }, p).freshMs).toBe(p.minMaxAgeMs);
    expect(freshness({ 'cache-control': 'max-age=60, stale-if-error=300' }, p).staleMs).toBe(300_000);
    expect(freshness({ 'cache-control': 'max-age=60, must-revalidate' }, p).staleMs).toBe(0);
  });
});

describe('DCC lists of registries: dcc-legacy and OpenID Federation', () => {
  let taKey: CryptoKey;
  let taJwk: JWK;
  let otherKey: CryptoKey;
  const statements = new Map<string, () => Promise<string>>();
  const TA = () => `${base}/oidf`;

  async function entityStatement(payload: Record<string, unknown>, key: CryptoKey = taKey, typ = 'entity-statement+jwt') {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ iat, exp: iat + 3600, ...payload }).setProtectedHeader({ alg: 'ES256', typ, kid: 'ta-1' }).sign(key);
  }
  function serveFederation() {
    routes.set('/oidf/.well-known/openid-federation', async (_req, res) => {
      const jwt = await entityStatement({
        iss: TA(),
        sub: TA(),
        jwks: { keys: [taJwk] },
        metadata: { federation_entity: { organization_name: 'Local Test Federation', federation_fetch_endpoint: `${TA()}/fetch` } },
      });
      res.writeHead(200, { 'content-type': 'application/entity-statement+jwt' });
      res.end(jwt);
    });
    routes.set('/oidf/fetch', async (_req, res, url) => {
      const make = statements.get(url.searchParams.get('sub') ?? '');
      if (!make) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not_found","error_description":"unknown subject"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/entity-statement+jwt' });
      res.end(await make());
    });
    routes.set('/legacy.json', json(JSON.parse(readFileSync(path.join(DIR, 'dcc-community-registry.json'), 'utf8'))));
    routes.set('/known.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify([
          { name: 'Local Community Registry', type: 'dcc-legacy', governanceUrl: `${base}/gov`, url: `${base}/legacy.json` },
          { name: 'Local Member Registry', type: 'oidf', governanceUrl: `${base}/gov`, trustAnchorEC: `${TA()}/.well-known/openid-federation` },
        ]),
      );
    });
  }
  const member = (did: string, name: string, extra: Record<string, unknown> = {}) =>
    statements.set(did, () =>
      entityStatement({
        iss: TA(),
        sub: did,
        metadata: { federation_entity: { organization_name: name, homepage_uri: 'https://www.oidf-uni.example', logo_uri: 'data:image/png;base64,iVBORw0KGgo=' } },
        ...extra,
      }),
    );

  beforeAll(async () => {
    const kp = await generateKeyPair('ES256', { extractable: true });
    taKey = kp.privateKey;
    taJwk = { ...(await exportJWK(kp.publicKey)), kid: 'ta-1', alg: 'ES256', use: 'sig' };
    otherKey = (await generateKeyPair('ES256')).privateKey;
  });
  beforeEach(() => {
    statements.clear();
    serveFederation();
  });

  it('finds an issuer in the dcc-legacy registry and one in the federation, each under its registry\'s name', async () => {
    member('did:web:oidf-uni.example', 'OIDF University');
    const trust = createTrustRegistry({ lists: [{ url: `${base}/known.json` }], fetch: local, clock });
    const legacy = await trust.lookup('did:key:z6MksfP8fgyfeMdNkcFj9AzQA6Gy8ihdJ29n9hNSKwmCLVPJ');
    expect(legacy.matches).toEqual([
      expect.objectContaining({ name: 'College Unbound', list: 'Local Community Registry', listFormat: 'dcc-registry', url: 'https://collegeunbound.edu' }),
    ]);
    expect(legacy.lists.map((l) => [l.name, l.format, l.state])).toEqual([
      [`${base}/known.json`, 'dcc-known-registries', 'ok'],
      ['Local Community Registry', 'dcc-registry', 'ok'],
      ['Local Member Registry', 'oidf', 'ok'],
    ]);
    const fed = await trust.lookup('did:web:oidf-uni.example');
    expect(fed.matches).toEqual([
      {
        name: 'OIDF University',
        list: 'Local Member Registry',
        listSource: `${TA()}/.well-known/openid-federation`,
        listFormat: 'oidf',
        matchedBy: 'id',
        matched: 'did:web:oidf-uni.example',
        url: 'https://www.oidf-uni.example',
        logo: 'data:image/png;base64,iVBORw0KGgo=',
      },
    ]);
    // The sub parameter is sent URL-encoded, as the fetch endpoint's query.
    expect(requests.map((r) => r.url)).toContain('/oidf/fetch?sub=did%3Aweb%3Aoidf-uni.example');
  });

  it('an issuer the federation does not know (404) is "not listed", and that answer is kept for a while', async () => {
    const trust = createTrustRegistry({ lists: [{ url: `${base}/known.json` }], fetch: local, clock });
    const r = await trust.lookup('did:web:unknown.example');
    expect(r.matches).toEqual([]);
    expect(r.lists.every((l) => l.state === 'ok')).toBe(true);
    await trust.lookup('did:web:unknown.example');
    expect(countOf('/oidf/fetch')).toBe(1);
    now += DEFAULT_TRUST_CACHE_POLICY.notListedMaxAgeMs + 1;
    await trust.lookup('did:web:unknown.example');
    expect(countOf('/oidf/fetch')).toBe(2);
  });

  it.each([
    ['signed with another key', () => entityStatement({ iss: TA(), sub: 'did:web:x.example', metadata: {} }, otherKey), "not signed with a key of the trust anchor's entity configuration"],
    ['expired', () => entityStatement({ iss: TA(), sub: 'did:web:x.example', iat: Math.floor(now / 1000) - 7200, exp: Math.floor(now / 1000) - 3600 }), 'expired'],
    ['about another subject', () => entityStatement({ iss: TA(), sub: 'did:web:someone-else.example' }), 'sub'],
    ['issued by someone else', () => entityStatement({ iss: 'https://other-anchor.example', sub: 'did:web:x.example' }), 'iss'],
    ['of the wrong type', () => entityStatement({ iss: TA(), sub: 'did:web:x.example' }, taKey, 'JWT'), 'not "entity-statement+jwt"'],
  ])('a statement %s makes the federation unavailable for that lookup, naming why', async (_what, make, why) => {
    statements.set('did:web:x.example', make);
    const trust = createTrustRegistry({ lists: [{ url: `${base}/known.json` }], fetch: local, clock });
    const r = await trust.lookup('did:web:x.example');
    expect(r.matches).toEqual([]);
    const fed = r.lists.find((l) => l.name === 'Local Member Registry');
    expect(fed?.state).toBe('unavailable');
    expect(fed?.error).toContain(why);
  });

  it('an unsupported registry type is reported, the others still consulted', async () => {
    routes.set('/known.json', json([{ name: 'Future registry', type: 'etsi-tl', url: `${base}/x` }, { name: 'Local Community Registry', type: 'dcc-legacy', url: `${base}/legacy.json` }]));
    const trust = createTrustRegistry({ lists: [{ url: `${base}/known.json` }], fetch: local, clock });
    const r = await trust.lookup('did:web:credentials.myschool.ca');
    expect(r.matches[0]?.name).toBe('My School');
    expect(r.lists.find((l) => l.name === 'Future registry')).toMatchObject({ state: 'unavailable', error: expect.stringContaining('"etsi-tl" are not supported') });
  });

  it('agrees with the DCC\'s issuer-registry-client on the same registries (what the Learner Credential Wallet and VerifierPlus show)', async () => {
    now = Date.now();
    member('did:web:oidf-uni.example', 'OIDF University');
    member('did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W', 'Also In The Federation');
    const registries = JSON.parse(new TextDecoder().decode((await local(`${base}/known.json`)).body));
    const client = new RegistryClient();
    client.use({ registries });
    const ours = createTrustRegistry({ lists: [{ url: `${base}/known.json` }], fetch: local });
    for (const did of [
      'did:web:oidf-uni.example',
      'did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W',
      'did:web:credentials.myschool.ca',
      'did:web:nobody.example',
    ]) {
      const theirs = await client.lookupIssuersFor(did);
      expect(theirs.uncheckedRegistries, did).toEqual([]);
      const mine = await ours.lookup(did);
      const shown = (m: { name?: string; url?: string; logo?: string; location?: string }) => ({ name: m.name, url: m.url, logo: m.logo, location: m.location });
      expect(
        mine.matches.map(shown),
        did,
      ).toEqual(
        theirs.matchingIssuers.map((m) => {
          const fe = (m.issuer as unknown as { federation_entity: Record<string, string | undefined> }).federation_entity;
          return { name: fe.organization_name, url: fe.homepage_uri, logo: fe.logo_uri, location: fe.location };
        }),
      );
    }
  });
});

describe("the DCC test registry's real statements", () => {
  const TA_EC = 'https://test.registry.dcconsortium.org/.well-known/openid-federation';
  const FETCH = 'https://test.registry.dcconsortium.org/fetch?sub=did%3Aweb%3Aoneuni.testuni.edu';
  /** Serves the recorded answers; every other URL (the other registries) answers HTTP 404. */
  function recorded(): GuardedFetch & { calls: string[] } {
    const calls: string[] = [];
    const answers: Record<string, string> = {
      [TA_EC]: readFileSync(path.join(DIR, 'dcc-test-registry-entity-configuration.jwt'), 'utf8').trim(),
      [FETCH]: readFileSync(path.join(DIR, 'dcc-test-registry-subordinate-oneuni.jwt'), 'utf8').trim(),
    };
    const fn = (async (url: string): Promise<FetchedDocument> => {
      calls.push(url);
      const body = answers[url];
      if (body === undefined) throw new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: the server answered HTTP 404.`, { url, status: 404 });
      return { url, status: 200, contentType: 'application/entity-statement+jwt', body: new TextEncoder().encode(body) };
    }) as GuardedFetch & { calls: string[] };
    fn.calls = calls;
    return fn;
  }

  it('OneUni University is found on the Test DCC Member Registry of the real list of registries', async () => {
    const fetch = recorded();
    const trust = createTrustRegistry({ lists: [{ file: path.join(DIR, 'dcc-known-did-registries.json') }], fetch, clock: () => Date.parse('2025-04-26T12:00:00Z') });
    const r = await trust.lookup('did:web:oneuni.testuni.edu');
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ name: 'OneUni University', list: 'Test DCC Member Registry', listFormat: 'oidf', url: 'https://oneuni.edu' });
    expect(r.matches[0]?.logo).toMatch(/^data:image\/png;base64,/);
    expect(fetch.calls).toContain(FETCH);
    // The registries that could not be fetched here are named, not skipped.
    const unavailable = r.lists.filter((l) => l.state === 'unavailable').map((l) => l.name);
    expect(unavailable).toEqual([
      'Credential Engine Issuer Registry',
      'Credential Engine Sandbox Issuer Registry',
      'DCC Member Registry',
      'OpenSALT Test Issuer Registry',
      'DCC Sandbox Registry',
      'DCC Community Registry',
      'DCC Member Registry',
      'MSP Registry',
    ]);
  });

  it('after the statement expired, it is not accepted', async () => {
    const trust = createTrustRegistry({ lists: [{ file: path.join(DIR, 'dcc-known-did-registries.json') }], fetch: recorded(), clock: () => Date.parse('2025-04-27T12:00:00Z') });
    const r = await trust.lookup('did:web:oneuni.testuni.edu');
    expect(r.matches).toEqual([]);
    expect(r.lists.find((l) => l.name === 'Test DCC Member Registry')).toMatchObject({ state: 'unavailable', error: expect.stringContaining('it has expired') });
  });
});
