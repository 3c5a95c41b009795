/**
 * Browser wallets call the wallet-facing endpoints from their own origin. In a real browser (Debian's chromium), a
 * page served from another origin reads the VC-API exchange, the OID4VCI token, nonce and credential endpoints and
 * their errors (the preflights of JSON and Authorization requests answered), while the issuer's API-key routes stay
 * closed to other origins.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import type { TestBrowser } from './support/browser.js';
import { call, expectOk, PUBLIC_URL, startWallet } from './wallet-helpers.js';
import type { WalletHarness } from './wallet-helpers.js';

const skip = browserSkipReason();

describe.skipIf(skip !== undefined)(`browser wallets on another origin${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let h: WalletHarness;
  let browser: TestBrowser;
  let walletSite: http.Server;
  let page: Page;

  beforeAll(async () => {
    h = await startWallet({ jobWorker: false });
    // The wallet's own origin: another port of 127.0.0.1 is another origin.
    walletSite = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><title>Wallet</title><p>wallet</p>'));
    await new Promise<void>((resolve) => walletSite.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await browser.page({ width: 1280 });
    await page.goto(`http://127.0.0.1:${(walletSite.address() as AddressInfo).port}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (walletSite ? walletSite.close(() => resolve()) : resolve()));
    await h?.close();
  });

  /** The service's address of a link the service names under its public URL. */
  const local = (url: string): string => h.url + url.slice(PUBLIC_URL.length);

  /** A fetch run by the wallet's page: what the page can read of the answer, or the error a blocked request gives. */
  async function fetchFromWallet(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status?: number; body?: string; wwwAuthenticate?: string | null; error?: string }> {
    return page.evaluate(async ({ url, init }) => {
      try {
        const res = await fetch(url, init);
        return { status: res.status, body: await res.text(), wwwAuthenticate: res.headers.get('www-authenticate') };
      } catch (e) {
        return { error: String(e) };
      }
    }, { url, init });
  }

  async function newOffer(): Promise<{ exchange: string; token: string; nonce: string; credential: string; code: string }> {
    const id = await h.issue(`cors-${Math.random().toString(36).slice(2, 8)}`);
    const created = expectOk(await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/offers`, { token: h.token, json: { txCode: false } })).body;
    const offer = expectOk(await call(h, 'GET', created.links.oid4vci.credentialOfferUri)).body;
    const code = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] as string;
    const issuer = `/issuers/${h.slug}/oid4vci`;
    return { exchange: local(created.links.exchange), token: `${h.url}${issuer}/token`, nonce: `${h.url}${issuer}/nonce`, credential: `${h.url}${issuer}/credential`, code };
  }

  it('the VC-API exchange: a JSON POST (preflighted) is answered with the presentation request', async () => {
    const { exchange } = await newOffer();
    const res = await fetchFromWallet(exchange, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body as string).verifiablePresentationRequest).toBeTruthy();
  });

  it('OID4VCI: the token and nonce answers, and the credential endpoint\'s 401 with its WWW-Authenticate, are readable', async () => {
    const { token, nonce, credential, code } = await newOffer();
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code }).toString();
    const tokenRes = await fetchFromWallet(token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(tokenRes.status, tokenRes.body ?? tokenRes.error).toBe(200);
    const accessToken = JSON.parse(tokenRes.body as string).access_token as string;
    expect(accessToken).toBeTruthy();
    const nonceRes = await fetchFromWallet(nonce, { method: 'POST' });
    expect(nonceRes.status).toBe(200);
    expect(JSON.parse(nonceRes.body as string).c_nonce).toBeTruthy();
    // Authorization and a JSON body: the browser asks first (preflight), then sends it.
    const denied = await fetchFromWallet(credential, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: 'OpenBadgeCredential_ldp_vc' }),
    });
    expect(denied.error).toBeUndefined();
    expect(denied.status).toBe(401);
    expect(denied.wwwAuthenticate).toMatch(/^Bearer /);
    expect(JSON.parse(denied.body as string).error).toBe('invalid_token');
    // With the real access token but no proof: the wallet reads why.
    const noProof = await fetchFromWallet(credential, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: 'OpenBadgeCredential_ldp_vc' }),
    });
    expect(noProof.status).toBe(400);
    expect(JSON.parse(noProof.body as string).error).toMatch(/^invalid_(proof|credential_request)$/);
  });

  it('the issuer\'s API (API keys) is not open to other origins: the browser blocks the request', async () => {
    const res = await fetchFromWallet(`${h.url}/issuers/${h.slug}/credentials`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.error).toMatch(/Failed to fetch/);
  });
});

describe('CORS preflights over HTTP', () => {
  let h: WalletHarness;
  beforeAll(async () => {
    h = await startWallet({ jobWorker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answer the wallet-facing paths with their methods and headers; the API paths get no CORS headers', async () => {
    const ask = (path: string) =>
      fetch(`${h.url}${path}`, { method: 'OPTIONS', headers: { origin: 'https://wallet.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, dpop' } });
    const pre = await ask(`/issuers/${h.slug}/oid4vci/credential`);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, DPoP');
    expect((await ask(`/issuers/${h.slug}/exchanges/abc`)).headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect((await ask('/stacking/exchanges/abc')).status).toBe(204);
    const api = await ask(`/issuers/${h.slug}/credentials`);
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    // The answers themselves, errors included, carry the origin header.
    const err = await fetch(`${h.url}/issuers/${h.slug}/oid4vci/token`, { method: 'POST', headers: { origin: 'https://wallet.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=x' });
    expect(err.status).toBe(400);
    expect(err.headers.get('access-control-allow-origin')).toBe('*');
    const apiAnswer = await fetch(`${h.url}/issuers/${h.slug}/credentials`, { headers: { origin: 'https://wallet.example' } });
    expect(apiAnswer.headers.get('access-control-allow-origin')).toBeNull();
  });
});
