import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedFetch, createGuardedFetch, type Transport } from '../src/lib/guarded-fetch.js';
import { nonPublicReason } from '../src/lib/ip-ranges.js';
import { MicrocredError } from '../src/errors.js';

async function errorOf(p: Promise<unknown>): Promise<MicrocredError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MicrocredError);
    return e as MicrocredError;
  }
  throw new Error('expected the fetch to be refused');
}

const publicLookup = async () => [{ address: '93.184.216.34', family: 4 }];
const okTransport: Transport = async () => new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } });

describe('address classification', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['192.168.0.10', 'private'],
    ['172.20.0.1', 'private'],
    ['100.64.1.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
  ])('%s is not public (%s)', (ip, word) => {
    expect(nonPublicReason(ip)).toContain(word);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34'])('%s is public', (ip) => {
    expect(nonPublicReason(ip)).toBeUndefined();
  });
});

describe('guardedFetch refuses', () => {
  it('plain http', async () => {
    const e = await errorOf(guardedFetch('http://issuer.example/did.json', { lookup: publicLookup, fetch: okTransport }));
    expect(e.code).toBe('FETCH_BLOCKED');
    expect(e.message).toContain('http://issuer.example/did.json');
    expect(e.message).toContain('only https');
  });

  it.each([
    ['10.0.0.7', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['::1', 'loopback'],
    ['fc00::5', 'unique local'],
    ['::ffff:127.0.0.1', 'loopback'],
  ])('a host resolving to %s', async (address, word) => {
    let called = false;
    const e = await errorOf(
      guardedFetch('https://issuer.example/status/1', {
        lookup: async () => [{ address, family: address.includes(':') ? 6 : 4 }],
        fetch: async (...args) => {
          called = true;
          return okTransport(...args);
        },
      }),
    );
    expect(e.code).toBe('FETCH_BLOCKED');
    expect(e.message).toContain('https://issuer.example/status/1');
    expect(e.message).toContain(address);
    expect(e.message).toContain(word);
    expect(called).toBe(false);
  });

  it('an IP literal URL in a private range', async () => {
    const e = await errorOf(guardedFetch('https://[::ffff:127.0.0.1]/x', { fetch: okTransport }));
    expect(e.code).toBe('FETCH_BLOCKED');
  });

  it('a host with one public and one private address', async () => {
    const e = await errorOf(
      guardedFetch('https://issuer.example/', {
        lookup: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.1', family: 4 },
        ],
        fetch: okTransport,
      }),
    );
    expect(e.code).toBe('FETCH_BLOCKED');
  });

  it('a redirect to a private address', async () => {
    const transport: Transport = async (url) =>
      url === 'https://issuer.example/list'
        ? new Response(null, { status: 302, headers: { location: 'https://internal.example/admin' } })
        : okTransport(url, {} as never);
    const lookup = async (host: string) => [{ address: host === 'internal.example' ? '192.168.1.1' : '93.184.216.34', family: 4 }];
    const e = await errorOf(guardedFetch('https://issuer.example/list', { lookup, fetch: transport }));
    expect(e.code).toBe('FETCH_BLOCKED');
    expect(e.message).toContain('https://internal.example/admin');
    expect(e.message).toContain('192.168.1.1');
  });

  it('a redirect to a private IP literal and to http', async () => {
    for (const location of ['https://10.0.0.1/', 'http://issuer.example/plain']) {
      const transport: Transport = async () => new Response(null, { status: 301, headers: { location } });
      const e = await errorOf(guardedFetch('https://issuer.example/a', { lookup: publicLookup, fetch: transport }));
      expect(e.code).toBe('FETCH_BLOCKED');
    }
  });

  it('too many redirects', async () => {
    let n = 0;
    const transport: Transport = async () => new Response(null, { status: 302, headers: { location: `https://issuer.example/${++n}` } });
    const e = await errorOf(guardedFetch('https://issuer.example/0', { lookup: publicLookup, fetch: transport, maxRedirects: 2 }));
    expect(e.code).toBe('FETCH_FAILED');
    expect(e.message).toContain('more than 2 redirects');
  });

  it('an oversized body, declared or streamed', async () => {
    const big = new Uint8Array(5000);
    const declared: Transport = async () => new Response(big, { status: 200, headers: { 'content-length': '5000' } });
    let e = await errorOf(guardedFetch('https://issuer.example/big', { lookup: publicLookup, fetch: declared, maxBytes: 1000 }));
    expect(e.code).toBe('FETCH_FAILED');
    expect(e.message).toContain('1000');
    // Streamed without a length: the limit is enforced while reading.
    const streamed: Transport = async () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(400));
          },
        }),
        { status: 200 },
      );
    e = await errorOf(guardedFetch('https://issuer.example/endless', { lookup: publicLookup, fetch: streamed, maxBytes: 1000 }));
    expect(e.code).toBe('FETCH_FAILED');
    expect(e.message).toContain('larger than the limit of 1000 bytes');
  });

  it('a slow answer (timeout)', async () => {
    const slow: Transport = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const started = Date.now();
    const e = await errorOf(guardedFetch('https://issuer.example/slow', { lookup: publicLookup, fetch: slow, timeoutMs: 100 }));
    expect(e.code).toBe('FETCH_FAILED');
    expect(e.message).toContain('within 100 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('non-2xx answers', async () => {
    const notFound: Transport = async () => new Response('nope', { status: 404 });
    const e = await errorOf(guardedFetch('https://issuer.example/missing', { lookup: publicLookup, fetch: notFound }));
    expect(e.code).toBe('FETCH_FAILED');
    expect(e.message).toContain('HTTP 404');
  });
});

describe('guardedFetch against a local server', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/doc') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accept: req.headers.accept }));
      } else if (req.url === '/etag') {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=60' });
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'cache-control': 'max-age=60', 'x-other': 'dropped' });
          res.end('{}');
        }
      } else if (req.url === '/hop') {
        res.writeHead(302, { location: '/doc' });
        res.end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000).unref();
      } else if (req.url === '/huge') {
        res.writeHead(200);
        res.write(Buffer.alloc(64 * 1024));
        setTimeout(() => res.end(Buffer.alloc(64 * 1024)), 10).unref();
      } else {
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

  it('is refused by default (http and loopback)', async () => {
    expect((await errorOf(guardedFetch(`${base}/doc`))).code).toBe('FETCH_BLOCKED');
    expect((await errorOf(guardedFetch(`${base}/doc`, { allowHttp: true }))).message).toContain('loopback');
  });

  it('is allowed when configured, follows a redirect and sends the Accept header', async () => {
    const fetchLocal = createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true });
    const doc = await fetchLocal(`${base}/hop`, { accept: 'application/did+json' });
    expect(doc.status).toBe(200);
    expect(doc.url).toBe(`${base}/doc`);
    expect(JSON.parse(new TextDecoder().decode(doc.body))).toEqual({ accept: 'application/did+json' });
  });

  it('pins the connection to the checked address even when the name is not resolvable by the system', async () => {
    const port = new URL(base).port;
    const fetchLocal = createGuardedFetch({
      allowHttp: true,
      allowPrivateNetwork: true,
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const doc = await fetchLocal(`http://issuer.invalid:${port}/doc`);
    expect(doc.status).toBe(200);
  });

  it('keeps the caching headers, sends conditional headers and resolves a 304 to them; an error status is in the details', async () => {
    const fetchLocal = createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true });
    const doc = await fetchLocal(`${base}/etag`);
    expect(doc.headers).toEqual({ etag: '"v1"', 'cache-control': 'max-age=60', date: expect.any(String) });
    const again = await fetchLocal(`${base}/etag`, { ifNoneMatch: '"v1"' });
    expect(again).toMatchObject({ status: 304, body: new Uint8Array(0), headers: { etag: '"v1"' } });
    const e = await errorOf(fetchLocal(`${base}/missing`));
    expect(e.details).toMatchObject({ status: 404 });
  });

  it('times out and enforces the size limit over a real connection', async () => {
    const local = { allowHttp: true, allowPrivateNetwork: true };
    expect((await errorOf(guardedFetch(`${base}/slow`, { ...local, timeoutMs: 200 }))).message).toContain('within 200 ms');
    expect((await errorOf(guardedFetch(`${base}/huge`, { ...local, maxBytes: 100_000 }))).message).toContain('limit of 100000');
  });
});
