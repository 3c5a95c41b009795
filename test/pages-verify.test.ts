/**
 * The employer's verification page over HTTP: paste (JSON, JWT, a presentation), upload (JSON file, baked PNG and
 * SVG badges), a web address (fetched through the guarded fetch; a link to one of this service's pages too), in
 * English and Welsh. The verdict comes first, then each check, then the content; a self-made did:key issuer that
 * calls itself "University of Oxford" is shown as a self-asserted key that only says it is, unless a configured
 * trust list names it. Nothing submitted reaches the logs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCredential } from '../src/credential/annex1.js';
import { issueCredential } from '../src/issue.js';
import { loadKeySet } from '../src/keyset/keyset.js';
import { createGuardedFetch } from '../src/lib/guarded-fetch.js';
import { serviceConfigFromEnv } from '../src/service/config.js';
import { call, profile, record, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

let h: Harness;
let trusted: Harness;
let oxford: Record<string, unknown>;
const listDir = mkdtempSync(path.join(tmpdir(), 'microcred-trust-'));

beforeAll(async () => {
  const keys = await loadKeySet(path.resolve(import.meta.dirname, '..', 'keys.example'));
  const unsigned = buildCredential({ ...(profile as object), name: 'University of Oxford' } as never, record as never, { issuerId: keys.controller });
  oxford = (await issueCredential(unsigned, { format: 'di', keys })) as unknown as Record<string, unknown>;
  const list = path.join(listDir, 'trust.json');
  writeFileSync(list, JSON.stringify({ name: 'Test Registry', issuers: [{ id: keys.controller, name: 'Listed Oxford Test Issuer' }] }));
  // Plain http and loopback addresses only because the test server is on 127.0.0.1.
  const fetch = createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true, timeoutMs: 5000 });
  h = await startHarness({ fetch });
  trusted = await startHarness({ fetch, trustLists: [{ file: list }] });
});
afterAll(async () => {
  await h?.close();
  await trusted?.close();
});

async function issue(recordId: string, format: 'di' | 'jwt' = 'di'): Promise<any> {
  const res = await call(h, 'POST', `/issuers/${h.slug}/credentials?format=${format}`, { token: h.tokens.full, body: { ...record, recordId } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function submit(target: Harness, fields: Record<string, string | { bytes: Uint8Array | string; name: string; type: string }>, lang = 'en'): Promise<{ status: number; html: string; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.bytes as BlobPart], { type: value.type }), value.name);
  }
  const res = await fetch(`${target.url}/verify`, { method: 'POST', body: form, headers: { 'accept-language': lang } });
  const html = await res.text();
  return { status: res.status, html, text: html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/\s+/g, ' ') };
}

async function bytes(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

describe('the verification page', () => {
  it('offers paste, upload and web address, in English and Welsh', async () => {
    for (const [lang, words] of [['en', ['Paste a credential', 'Upload a file', 'Check a web address']], ['cy', ['Gludo tystlythyr', 'Lanlwytho ffeil', 'Gwirio cyfeiriad gwe']]] as const) {
      const res = await fetch(`${h.url}/verify`, { headers: { 'accept-language': lang } });
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
      for (const w of words) expect(html).toContain(w);
      expect(html.match(/<form method="post" action="\/verify" enctype="multipart\/form-data">/g)).toHaveLength(3);
      expect(html).toContain('name="credential"');
      expect(html).toContain('type="file"');
      expect(html).toContain('type="url"');
    }
  });

  it('paste: the verdict first, then every check, then the content; the hosted issuer is known', async () => {
    const issued = await issue('verify-paste');
    const out = await submit(h, { credential: JSON.stringify(issued.credential) });
    expect(out.status).toBe(200);
    const verdict = out.text.indexOf('The credential is genuine');
    const checks = out.text.indexOf('How this credential was checked');
    const content = out.text.indexOf('What the credential says');
    expect(verdict).toBeGreaterThan(-1);
    expect(checks).toBeGreaterThan(verdict);
    expect(content).toBeGreaterThan(checks);
    for (const check of ['parse', 'proof', 'issuer-key', 'issuer-trust', 'validity', 'status']) expect(out.html).toContain(`data-check="${check}"`);
    expect(out.html).toMatch(/data-check="issuer-trust" data-status="pass"/);
    expect(out.text.slice(content)).toContain('20 UK credits (200 notional hours)');
    expect(out.text).toContain(`Signed with a key published at ${new URL(h.url).host}`);
  });

  it('paste a JWT, and a presentation holding a credential', async () => {
    const jwt = (await issue('verify-jwt', 'jwt')).credential as string;
    const out = await submit(h, { credential: jwt });
    expect(out.html).toContain('data-state="valid"');
    const di = (await issue('verify-vp')).credential;
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [di] };
    const pres = await submit(h, { credential: JSON.stringify(vp) });
    expect(pres.status).toBe(200);
    expect(pres.text).toContain('The presentation');
    expect(pres.text).toContain('Credential 1 of 1');
    expect(pres.html).toContain('data-state="valid"');
  });

  it('upload: a JSON file, and the baked PNG and SVG badges from the learner page', async () => {
    const issued = await issue('verify-upload');
    const json = await submit(h, { file: { bytes: JSON.stringify(issued.credential), name: 'credential.json', type: 'application/json' } });
    expect(json.html).toContain('data-state="valid"');
    for (const kind of ['png', 'svg'] as const) {
      const badge = await bytes(`${issued.pageUrl}/badge.${kind}`);
      const out = await submit(h, { file: { bytes: badge, name: `badge.${kind}`, type: kind === 'png' ? 'image/png' : 'image/svg+xml' } });
      expect(out.status).toBe(200);
      expect(out.text).toContain(`Read from the credential inside the ${kind.toUpperCase()} badge image.`);
      expect(out.html).toContain('data-state="valid"');
    }
  });

  it('a web address: a download URL fetched through the guarded fetch, and a link to a credential page', async () => {
    const issued = await issue('verify-url');
    const download = await submit(h, { url: `${issued.pageUrl}/badge.png` });
    expect(download.html).toContain('data-state="valid"');
    expect(download.text).toContain('Fetched from');
    const page = await submit(h, { url: issued.pageUrl });
    expect(page.html).toContain('data-state="valid"');
    const nothing = await submit(h, { url: `${h.url}/nothing-here.json` });
    expect(nothing.status).toBe(422);
    expect(nothing.text).toContain('The web address could not be fetched.');
    const notUrl = await submit(h, { url: 'not a url' });
    expect(notUrl.status).toBe(422);
  });

  it('a PDF certificate is checked through its link; another deployment\'s page is followed to the credential it offers', async () => {
    const issued = await issue('verify-pdf');
    const pdf = await bytes(`${issued.pageUrl}/certificate.pdf`);
    const out = await submit(h, { file: { bytes: pdf, name: 'certificate.pdf', type: 'application/pdf' } });
    expect(out.status).toBe(200);
    expect(out.text).toContain('Read through the link in the PDF certificate.');
    expect(out.html).toContain('data-state="valid"');
    // Seen from another service, the page is fetched and its alternate link (the credential's JSON) followed.
    const elsewhere = await submit(trusted, { url: issued.pageUrl });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.text).toContain(`Fetched from ${issued.pageUrl}.`);
    expect(elsewhere.html).toMatch(/data-check="parse" data-status="pass"/);
    expect(elsewhere.text).toContain('Data Analytics for Public Health');
    const other = await issue('verify-pdf-revoked');
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(other.id)}/revoke`, { token: h.tokens.full, body: { reason: 'error' } });
    const gone = await submit(trusted, { url: other.pageUrl });
    expect(gone.status).toBe(422);
    expect(gone.text).toContain('offers no credential to check');
    const notPdf = await submit(h, { file: { bytes: '%PDF-1.7 broken', name: 'x.pdf', type: 'application/pdf' } });
    expect(notPdf.status).toBe(422);
  });

  it('a revoked credential gets the revoked banner; a changed one fails its signature check', async () => {
    const issued = await issue('verify-revoked');
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(issued.id)}/revoke`, { token: h.tokens.full, body: { reason: 'error' } });
    expect((await submit(h, { credential: JSON.stringify(issued.credential) })).html).toContain('data-state="revoked"');
    const other = await issue('verify-tampered');
    const changed = JSON.parse(JSON.stringify(other.credential));
    changed.credentialSubject.achievement.name = 'Something else';
    const out = await submit(h, { credential: JSON.stringify(changed) });
    expect(out.html).toContain('data-state="invalid"');
    expect(out.html).toMatch(/data-check="proof" data-status="fail"/);
  });

  it('who really signed it: a did:key issuer only says it is "University of Oxford" unless a configured list names it', async () => {
    const out = await submit(h, { credential: JSON.stringify(oxford) });
    expect(out.text).toContain('A self-asserted key (did:key), not tied to any organisation');
    expect(out.text).toContain('says it is University of Oxford');
    expect(out.html).toMatch(/data-check="issuer-trust" data-status="warning"/);
    const listed = await submit(trusted, { credential: JSON.stringify(oxford) });
    expect(listed.html).toMatch(/data-check="issuer-trust" data-status="pass"/);
    expect(listed.text).toContain('Listed Oxford Test Issuer, listed in Test Registry');
    const cy = await submit(h, { credential: JSON.stringify(oxford) }, 'cy');
    expect(cy.text).toContain('yn dweud mai University of Oxford ydyw');
    expect(cy.text).toContain('Nid yw ar unrhyw restr a ffurfweddwyd');
    expect(cy.html).toContain('<html lang="cy"');
    // The verify route's report carries the same check.
    const report = await call(trusted, 'POST', '/credentials/verify', { body: { verifiableCredential: oxford } });
    expect(report.body.checks.find((c: { id: string }) => c.id === 'issuer-trust')).toMatchObject({ status: 'pass' });
  });

  it('the example keys are never known, even where this service hosts the example issuer', async () => {
    const withExample = await startHarness({ fetch: createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true }), exampleIssuer: true });
    try {
      const issuers = await call(withExample, 'GET', '/issuers');
      expect(issuers.body.items.map((i: { slug: string }) => i.slug)).toContain('example');
      const out = await submit(withExample, { credential: JSON.stringify(oxford) });
      expect(out.html).toMatch(/data-check="issuer-trust" data-status="warning"/);
      expect(out.text).toContain('says it is University of Oxford');
    } finally {
      await withExample.close();
    }
  });

  it('trust lists come from MICROCRED_TRUST_LISTS; a list file that is not one stops the service at start-up', async () => {
    const list = path.join(listDir, 'trust.json');
    expect(serviceConfigFromEnv({ MICROCRED_TRUST_LISTS: `${list}, https://trust.example.org/list.json` }).trustLists).toEqual([{ file: list }, { url: 'https://trust.example.org/list.json' }]);
    expect(serviceConfigFromEnv({}).trustLists).toBeUndefined();
    const bad = path.join(listDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ issuers: 'none' }));
    await expect(startHarness({ trustLists: [{ file: bad }] })).rejects.toMatchObject({ code: 'TRUST_LIST_INVALID' });
  });

  it('bad submissions: nothing (400), not multipart (415), not a credential, a PNG without one (422), each on the page', async () => {
    const empty = await submit(h, { credential: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Paste a credential, choose a file or give a web address.');
    const form = await fetch(`${h.url}/verify`, { method: 'POST', body: 'credential=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(await form.text()).toContain('<html');
    const json = await submit(h, { credential: '{"not json' });
    expect(json.status).toBe(422);
    const plain = await bytes(`${h.url}/issuers/${h.slug}/achievements/${encodeURIComponent(record.course && (record.course as { code: string }).code)}/image`);
    const png = await submit(h, { file: { bytes: plain, name: 'plain.svg', type: 'image/svg+xml' } });
    expect(png.status).toBe(422);
    expect(png.text).toContain('This is not a credential that can be read.');
    const big = await submit(h, { credential: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
  });

  it('odd input is never a 500', async () => {
    const inputs = ['[]', '"text"', '{}', 'null', '{"type":"VerifiablePresentation","verifiableCredential":[5, null, "x"]}', '{"type":["VerifiablePresentation"],"verifiableCredential":{"a":1},"proof":{}}',
      'eyJhbGciOiJFUzI1NiJ9.eyJ4Ijo1fQ.c2ln', 'a\u0000b', '{"@context":5,"issuer":{"id":"\u0000"},"credentialSubject":[]}', '\uFEFF{"id":"urn:x"}'];
    for (const credential of inputs) {
      const out = await submit(h, { credential });
      expect(out.status, credential).toBeLessThan(500);
      expect(out.html, credential).toContain('<html');
    }
    for (const url of ['ftp://x.example/a', 'https://127.0.0.1:1/none', `${h.url}/c/${'x'.repeat(43)}`]) expect((await submit(h, { url })).status, url).toBeLessThan(500);
  });

  it('nothing submitted is logged', async () => {
    const issued = await issue('verify-logs');
    const before = h.logs.length;
    await submit(h, { credential: JSON.stringify(issued.credential) });
    await submit(h, { url: issued.pageUrl });
    await submit(h, { credential: '{"secret-marker-123' });
    const logged = h.logs.slice(before).join('\n');
    expect(logged).toContain('/verify');
    for (const s of [issued.id, 'Amara Okafor-Reid', 'secret-marker-123', new URL(issued.pageUrl).pathname]) expect(logged).not.toContain(s);
  });

  it("a hosted issuer's uploaded logo is shown for the credentials it is proven to have signed, not for a forgery naming it", async () => {
    const issued = await issue('verify-logo');
    expect((await submit(h, { credential: JSON.stringify(issued.credential) })).html).not.toContain('issuer-logo');
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18"/></svg>';
    const up = await fetch(`${h.url}/issuers/${h.slug}/logo`, { method: 'PUT', headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'image/svg+xml' }, body: svg });
    expect(up.status).toBe(200);
    const { sha256 } = (await up.json()) as { sha256: string };
    const img = `<img class="issuer-logo" src="/issuers/${h.slug}/logo?v=${sha256.slice(0, 16)}" alt/>`;
    expect((await submit(h, { credential: JSON.stringify(issued.credential) })).html).toContain(img);
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [issued.credential] };
    expect((await submit(h, { credential: JSON.stringify(vp) })).html).toContain(img);
    // The same credential changed after signing still names the hosted issuer, but nothing proves it signed it.
    const forged = await submit(h, { credential: JSON.stringify({ ...issued.credential, name: 'Something else' }) });
    expect(forged.text).not.toContain('The credential is genuine');
    expect(forged.html).not.toContain('issuer-logo');
  });
});
