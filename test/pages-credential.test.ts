/**
 * The learner's credential page over HTTP: issuing returns its unguessable URL, the page shows every element of the
 * signed credential in reading order (never the e-mail address or student id), the live status with its banner, the
 * downloads (JSON, VC-JWT, baked PNG and SVG that unbake to the stored credential byte for byte, the PDF), the
 * LinkedIn link; withdrawal (404), indexing opt-in, the badge image (drawn, uploaded) that credentials carry as
 * achievement.image, and the signer shown as proven with the issuer known because this service hosts it.
 */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../src/store/migrate.js';
import { openDb } from '../src/store/open.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';
import { unbake } from '../src/baking/unbake.js';
import { badgePng } from '../src/display/badge.js';
import { credentialView } from '../src/display/view.js';
import { h as h_ } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { credentialPageUrlOf, pageState } from '../src/service/credential-page.js';
import { runJobsUntilIdle } from '../src/service/job-worker.js';
import { getJobStatus, submitJob } from '../src/service/jobs.js';
import { serviceContext } from './bulk-helpers.js';
import { StatusBanner } from '../src/service/pages/credential.js';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { call, profile, record, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function issue(recordId: string, format: 'di' | 'jwt' = 'di', extra: Record<string, unknown> = {}): Promise<any> {
  const res = await call(h, 'POST', `/issuers/${h.slug}/credentials?format=${format}`, { token: h.tokens.full, body: { ...record, recordId, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; bytes: Uint8Array }> {
  const res = await fetch(url, { headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, text: new TextDecoder().decode(bytes), bytes };
}

/** The text of the page without tags (entities of the escaped characters decoded). */
function visible(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
}

describe('the learner page', () => {
  it('issuing returns the page URL (unguessable, under the public URL), and the API view carries it too', async () => {
    const issued = await issue('page-url-1');
    expect(issued.pageUrl).toMatch(new RegExp(`^${h.url}/c/[A-Za-z0-9_-]{43}$`));
    const other = await issue('page-url-2');
    expect(other.pageUrl).not.toBe(issued.pageUrl);
    const read = await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(issued.id)}`, { token: h.tokens.readOnly });
    expect(read.body.pageUrl).toBe(issued.pageUrl);
    const batch = await call(h, 'POST', `/issuers/${h.slug}/credentials/batch`, { token: h.tokens.full, body: [{ ...record, recordId: 'page-url-1' }, { ...record, recordId: 'page-url-3' }] });
    expect(batch.body.results[0].pageUrl).toBe(issued.pageUrl);
    expect(batch.body.results[1].pageUrl).toMatch(/\/c\/[A-Za-z0-9_-]{43}$/);
    const again = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...record, recordId: 'page-url-1' } });
    expect(again.status).toBe(200);
    expect(again.body.pageUrl).toBe(issued.pageUrl);
  });

  it('shows every element from the signed credential, in reading order, valid now, with no e-mail or student id', async () => {
    const issued = await issue('page-content');
    const page = await get(issued.pageUrl, { 'accept-language': 'en-GB' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    const text = visible(page.text);
    expect(page.text).toContain('data-state="valid"');
    const ordered = ['Amara Okafor-Reid', 'Data Analytics for Public Health', 'Awarding body', 'Signed by', 'Date of issue', 'Credits', '20 UK credits (200 notional hours)', '10 ECTS credits', 'Level', 'FHEQ level 7', 'EQF level 7', 'Subject', 'Learning outcomes', 'Form of participation', 'Type of assessment', 'Supervision and identity verification', 'Quality assurance', 'Professional, statutory or regulatory body recognition', 'Prerequisites', 'Integration and stacking', 'Grade'];
    let at = -1;
    for (const word of ordered) {
      const next = text.indexOf(word, at + 1);
      expect(next, `${word} after position ${at}`).toBeGreaterThan(at);
      at = next;
    }
    // Who really signed it, as proven: a key published at this host; known because this service hosts the issuer.
    expect(text).toContain(`Signed with a key published at ${new URL(h.url).host}`);
    expect(text).toContain(`listed in the issuers ${new URL(h.url).host} hosts`);
    for (const secret of ['amara.okafor-reid@example.org', 'S2310457']) expect(page.text).not.toContain(secret);
    // Values from what was signed: the rows carry the signed title even if the database row said otherwise.
    expect(text).toContain(credentialView(issued.credential).title as string);
  });

  it('the awarding body\'s logo is shown when the profile gives it as a data: URI (the pages load nothing from elsewhere)', async () => {
    const logo = `data:image/png;base64,${Buffer.from(badgePng(credentialView({}), { size: 32 })).toString('base64')}`;
    const slug = `logo-${Math.random().toString(36).slice(2, 8)}`;
    await createIssuer(h.db, { slug, profile: { ...profile, name: 'Logo College', logo }, publicUrl: h.url, keysRoot: h.keysRoot });
    const { token } = await createApiKey(h.db, { issuer: slug, scopes: ['issue'] });
    const issued = (await call(h, 'POST', `/issuers/${slug}/credentials`, { token, body: { ...record, recordId: 'logo-1' } })).body;
    const html = (await get(issued.pageUrl)).text;
    expect(html).toContain(`<img class="issuer-logo" src="${logo}" alt/>`);
    const https = (await get((await issue('logo-2')).pageUrl)).text;
    expect(https).not.toContain('issuer-logo');
    expect(https).not.toContain(profile.logo as string);
  });

  it('the page token never reaches the logs (they name the route, not the URL)', async () => {
    const issued = await issue('page-logs');
    const before = h.logs.length;
    await get(issued.pageUrl);
    await get(`${issued.pageUrl}/badge.svg`);
    const logged = h.logs.slice(before).join('\n');
    expect(logged).toContain('/c/:token');
    expect(logged).not.toContain(new URL(issued.pageUrl).pathname.slice(3));
  });

  it('Welsh chrome, the credential\'s own text as issued', async () => {
    const issued = await issue('page-cy');
    const page = await get(`${issued.pageUrl}?lang=cy`);
    expect(page.text).toContain('<html lang="cy"');
    const text = visible(page.text);
    expect(text).toContain('Dilys');
    expect(text).toContain('Canlyniadau dysgu');
    expect(text).toContain(`wedi’i restru yn y cyhoeddwyr y mae ${new URL(h.url).host} yn eu cynnal`);
    expect(text).toContain('Data Analytics for Public Health');
    expect(page.headers.get('set-cookie')).toContain('microcred-lang=cy');
  });

  it('downloads: JSON, baked PNG and SVG carrying the stored credential byte for byte, and a PDF', async () => {
    const issued = await issue('page-downloads');
    const stored = JSON.stringify(issued.credential);
    const json = await get(`${issued.pageUrl}/credential.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="data-analytics-for-public-health\.json"$/);
    expect(JSON.parse(json.text)).toEqual(issued.credential);
    for (const kind of ['png', 'svg'] as const) {
      const baked = await get(`${issued.pageUrl}/badge.${kind}`);
      expect(baked.status).toBe(200);
      expect(baked.headers.get('content-type')).toContain(kind === 'png' ? 'image/png' : 'image/svg+xml');
      const out = unbake(baked.bytes);
      expect(out.image).toBe(kind);
      expect(out.format).toBe('json');
      // Byte for byte what was signed and stored (the JSON download is the stored text).
      expect(out.text).toBe(json.text);
      expect(out.text).toBe(stored);
    }
    const pdf = await get(`${issued.pageUrl}/certificate.pdf?lang=cy`);
    expect(pdf.status).toBe(200);
    expect(new TextDecoder().decode(pdf.bytes.slice(0, 5))).toBe('%PDF-');
    expect((await get(`${issued.pageUrl}/credential.jwt`)).status).toBe(404);
    const page = visible((await get(issued.pageUrl)).text);
    expect(page).toContain('Credential (JSON)');
    expect(page).not.toContain('Credential (VC-JWT)');
  });

  it('a JWT credential offers its VC-JWT, and the baked badges carry the compact JWS as it is', async () => {
    const issued = await issue('page-jwt', 'jwt');
    const jwt = await get(`${issued.pageUrl}/credential.jwt`);
    expect(jwt.status).toBe(200);
    expect(jwt.text).toBe(issued.credential);
    for (const kind of ['png', 'svg'] as const) {
      const out = unbake((await get(`${issued.pageUrl}/badge.${kind}`)).bytes);
      expect(out).toMatchObject({ format: 'jwt', credential: issued.credential });
    }
    expect(visible((await get(issued.pageUrl)).text)).toContain('Credential (VC-JWT)');
  });

  it('the LinkedIn link carries name, organisation, issue date, page URL and credential id; the copy-link field has the URL', async () => {
    const issued = await issue('page-linkedin');
    const html = (await get(issued.pageUrl)).text;
    const href = /href="(https:\/\/www\.linkedin\.com\/profile\/add\?[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBeDefined();
    const q = new URL(href as string).searchParams;
    const issuedAt = new Date(issued.credential.validFrom);
    expect(Object.fromEntries(q)).toMatchObject({
      startTask: 'CERTIFICATION_NAME',
      name: 'Data Analytics for Public Health',
      organizationName: profile.name,
      issueYear: String(issuedAt.getUTCFullYear()),
      issueMonth: String(issuedAt.getUTCMonth() + 1),
      certUrl: issued.pageUrl,
      certId: issued.id,
    });
    expect(html).toContain(`value="${issued.pageUrl}"`);
    expect(html).toContain('data-copy="Copy link"');
  });

  it('revoked: the banner says so, no downloads are offered or served; suspended: its own banner', async () => {
    const issued = await issue('page-revoked');
    const revoke = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(issued.id)}/revoke`, { token: h.tokens.full, body: { reason: 'awarded in error' } });
    expect(revoke.status).toBe(200);
    const page = await get(issued.pageUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-state="revoked"');
    expect(visible(page.text)).toContain('The issuer has revoked this credential');
    expect(page.text).not.toMatch(/\/c\/[^"]+\/(credential\.json|badge\.png|badge\.svg|certificate\.pdf)/);
    expect(page.text).not.toContain('linkedin.com');
    for (const file of ['credential.json', 'badge.png', 'badge.svg', 'certificate.pdf']) expect((await get(`${issued.pageUrl}/${file}`)).status).toBe(410);

    const other = await issue('page-suspended');
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(other.id)}/suspend`, { token: h.tokens.full, body: {} });
    const suspended = await get(other.pageUrl);
    expect(suspended.text).toContain('data-state="suspended"');
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(other.id)}/unsuspend`, { token: h.tokens.full, body: {} });
    expect((await get(other.pageUrl)).text).toContain('data-state="valid"');
  });

  it('replaced by a re-issue: the old page says revoked and links the current credential\'s page, through re-issues of re-issues', async () => {
    const withMark = (mark: number) => ({ result: { ...(record.result as Record<string, unknown>), mark } });
    const first = await issue('page-replaced', 'di', withMark(60));
    const second = await call(h, 'POST', `/issuers/${h.slug}/credentials?reissue=true`, { token: h.tokens.full, body: { ...record, recordId: 'page-replaced', ...withMark(61) } });
    expect(second.status, second.text).toBe(201);
    const old = await get(first.pageUrl, { 'accept-language': 'en-GB' });
    expect(old.text).toContain('data-state="revoked"');
    expect(visible(old.text)).toContain('The issuer has issued a corrected credential in its place. See the current credential');
    const path = new URL(second.body.pageUrl).pathname;
    expect(old.text).toContain(`href="${path}?lang=en"`);
    // A second correction: both older pages lead to the newest.
    const third = await call(h, 'POST', `/issuers/${h.slug}/credentials?reissue=true`, { token: h.tokens.full, body: { ...record, recordId: 'page-replaced', ...withMark(62) } });
    expect(third.status, third.text).toBe(201);
    const newest = new URL(third.body.pageUrl).pathname;
    for (const url of [first.pageUrl, second.body.pageUrl]) expect((await get(`${url}?lang=cy`)).text).toContain(`href="${newest}?lang=cy"`);
    expect((await get(third.body.pageUrl)).text).not.toContain('See the current credential');
    // A withdrawn current page is not linked.
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(third.body.id)}/page/withdraw`, { token: h.tokens.full });
    expect((await get(first.pageUrl)).text).not.toContain('See the current credential');
  });

  it('an unknown or malformed token is a 404 page; withdrawal makes the page a 404 while the credential still verifies', async () => {
    expect((await get(`${h.url}/c/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await get(`${h.url}/c/short`)).status).toBe(404);
    const issued = await issue('page-withdraw');
    const path = `/issuers/${h.slug}/credentials/${encodeURIComponent(issued.id)}/page/withdraw`;
    expect((await call(h, 'POST', path, { token: h.tokens.readOnly })).status).toBe(403);
    expect((await call(h, 'POST', path, { token: h.tokens.other })).status).toBe(403);
    const withdrawn = await call(h, 'POST', path, { token: h.tokens.full });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ id: issued.id, pageUrl: issued.pageUrl });
    const gone = await get(issued.pageUrl);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('text/html');
    expect((await get(`${issued.pageUrl}/badge.png`)).status).toBe(404);
    const again = await call(h, 'POST', path, { token: h.tokens.full });
    expect(again.body.withdrawnAt).toBe(withdrawn.body.withdrawnAt);
    const verified = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.credential } });
    expect(verified.body.verified).toBe(true);
    expect((await call(h, 'POST', `/issuers/${h.slug}/credentials/urn%3Auuid%3Anone/page/withdraw`, { token: h.tokens.full })).status).toBe(404);
  });

  it('a withdrawn page can be put back at its address, or at a new one that leaves the old address a 404', async () => {
    const issued = await issue('page-restore');
    const base = `/issuers/${h.slug}/credentials/${encodeURIComponent(issued.id)}/page`;
    await call(h, 'POST', `${base}/withdraw`, { token: h.tokens.full });
    expect((await get(issued.pageUrl)).status).toBe(404);
    expect((await call(h, 'POST', `${base}/restore`, { token: h.tokens.readOnly })).status).toBe(403);
    const back = await call(h, 'POST', `${base}/restore`, { token: h.tokens.full });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toEqual({ id: issued.id, pageUrl: issued.pageUrl });
    expect((await get(issued.pageUrl)).status).toBe(200);
    // A new link: the old address is gone for good, the new one is as unguessable and is what the API names now.
    const moved = await call(h, 'POST', `${base}/restore`, { token: h.tokens.full, body: { newLink: true } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.pageUrl).toMatch(new RegExp(`^${h.url}/c/[A-Za-z0-9_-]{43}$`));
    expect(moved.body.pageUrl).not.toBe(issued.pageUrl);
    expect((await get(issued.pageUrl)).status).toBe(404);
    expect((await get(moved.body.pageUrl)).text).toContain('data-state="valid"');
    expect((await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(issued.id)}`, { token: h.tokens.readOnly })).body.pageUrl).toBe(moved.body.pageUrl);
    expect((await call(h, 'POST', `${base}/restore`, { token: h.tokens.full, body: { newLink: 'perhaps' } })).status).toBe(400);
    expect((await call(h, 'POST', `/issuers/${h.slug}/credentials/urn%3Auuid%3Anone/page/restore`, { token: h.tokens.full })).status).toBe(404);
    const audit = await call(h, 'GET', `/issuers/${h.slug}/audit?target=${encodeURIComponent(issued.id)}`, { token: h.tokens.admin });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { action: string; details?: unknown }) => [e.action, e.details])).toEqual(
      expect.arrayContaining([['credential.page.restore', { newLink: true }], ['credential.page.restore', { newLink: false }]]),
    );
  });

  it('noindex by default; an issuer that opts in gets indexable pages', async () => {
    const issued = await issue('page-index');
    expect((await get(issued.pageUrl)).text).toContain('<meta name="robots" content="noindex, nofollow"/>');
    const settings = `/issuers/${h.slug}/page-settings`;
    expect((await call(h, 'PUT', settings, { token: h.tokens.full, body: { indexable: true } })).status).toBe(403);
    expect((await call(h, 'PUT', settings, { token: h.tokens.admin, body: { indexable: 'maybe' } })).status).toBe(400);
    expect((await call(h, 'PUT', settings, { token: h.tokens.admin, body: { indexable: true } })).body).toEqual({ indexable: true });
    const page = await get(issued.pageUrl);
    expect(page.text).not.toContain('noindex');
    expect(page.headers.get('x-robots-tag')).toBeNull();
    expect((await call(h, 'GET', settings, { token: h.tokens.readOnly })).body).toEqual({ indexable: true });
    await call(h, 'PUT', settings, { token: h.tokens.admin, body: { indexable: false } });
    expect((await get(issued.pageUrl)).text).toContain('noindex');
  });
});

describe('the banner state', () => {
  const report = (checks: [string, string][], verified = false, credential: Record<string, unknown> = {}) =>
    ({ verified, checks: checks.map(([id, status]) => ({ id, status, message: id === 'status' ? 'The issuer has revoked this credential.' : 'x' })), credential }) as never;
  it('revoked and suspended from the store first, then the verdict; expired only when the validity check alone failed', () => {
    expect(pageState(report([['proof', 'pass']], true), 'revoked')).toBe('revoked');
    expect(pageState(report([['proof', 'pass']], true), 'suspended')).toBe('suspended');
    expect(pageState(report([['proof', 'pass']], true), 'active')).toBe('valid');
    expect(pageState(report([['proof', 'pass'], ['status', 'fail']]))).toBe('revoked');
    expect(pageState(report([['validity', 'fail']], false, { validUntil: '2020-01-01T00:00:00Z' }))).toBe('expired');
    expect(pageState(report([['validity', 'fail']], false, { validUntil: '2999-01-01T00:00:00Z' }))).toBe('invalid');
    expect(pageState(report([['validity', 'fail'], ['proof', 'fail']], false, { validUntil: '2020-01-01T00:00:00Z' }))).toBe('invalid');
    expect(pageState(report([['status', 'unknown']]))).toBe('unknown');
  });

  it('an expired credential: the banner names the date it was valid until', async () => {
    const view = { ...credentialView({}), dates: { validUntil: '2020-01-31T00:00:00Z' } };
    const html = renderToString(h_(StatusBanner, { lang: 'en', state: 'expired', view }));
    expect(html).toContain('data-state="expired"');
    expect(html).toContain('This credential was valid until 31 January 2020. It has expired.');
  });
});

describe('badge images', () => {
  it('credentials carry achievement.image at the service; it serves the drawn badge until the issuer uploads one', async () => {
    const issued = await issue('image-1', 'di', { course: { ...(record.course as object), code: 'IMG-1' } });
    const image = issued.credential.credentialSubject.achievement.image;
    expect(image).toEqual({ id: `${h.url}/issuers/${h.slug}/achievements/IMG-1/image`, type: 'Image' });
    const drawn = await get(image.id);
    expect(drawn.status).toBe(200);
    expect(drawn.headers.get('content-type')).toContain('image/svg+xml');
    expect(drawn.headers.get('content-security-policy')).toContain('sandbox');
    expect(drawn.text).toContain('Data Analytics for Public Health');

    const png = badgePng(credentialView(issued.credential), { size: 64 });
    const upload = (body: Uint8Array | string, type: string, token = h.tokens.admin) =>
      fetch(`${h.url}/issuers/${h.slug}/achievements/IMG-1/image`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
    expect((await upload(png, 'image/png', h.tokens.full)).status).toBe(403);
    expect((await upload('not an image', 'image/png')).status).toBe(415);
    expect((await upload(png, 'image/svg+xml')).status).toBe(415);
    const baked = (await get(`${issued.pageUrl}/badge.png`)).bytes;
    expect((await upload(baked, 'image/png')).status).toBe(422);
    const ok = await upload(png, 'image/png');
    expect(ok.status).toBe(200);
    const served = await get(image.id);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.bytes).toEqual(png);
    // The baked PNG download is the uploaded image with the credential in it.
    const download = (await get(`${issued.pageUrl}/badge.png`)).bytes;
    expect(unbake(download).format).toBe('json');
    expect(download.length).toBeGreaterThan(png.length);
    expect((await get(`${h.url}/issuers/${h.slug}/achievements/NOTHING/image`)).status).toBe(404);
  });

  it('an issuer whose logo is a URL of another site uploads it here, and its pages show it from this service', async () => {
    const issued = await issue('uploaded-logo-1');
    expect((await get(issued.pageUrl)).text).not.toContain('issuer-logo');
    expect((await get(`${h.url}/issuers/${h.slug}/logo`)).status).toBe(404);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#0b3d91"/></svg>';
    const upload = (body: Uint8Array | string, type: string, token = h.tokens.admin) =>
      fetch(`${h.url}/issuers/${h.slug}/logo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
    expect((await upload(svg, 'image/svg+xml', h.tokens.full)).status).toBe(403);
    const notImage = await upload('not an image', 'image/png');
    expect(notImage.status).toBe(415);
    expect(((await notImage.json()) as { detail: string }).detail).toMatch(/A logo must be a PNG or an SVG image/);
    expect((await upload(svg, 'image/png')).status).toBe(415);
    const big = await upload(new Uint8Array(1024 * 1024 + 1), 'image/png');
    expect(big.status).toBe(413);
    expect(((await big.json()) as { detail: string }).detail).toMatch(/A logo may be at most 1024 KiB/);
    expect((await get(`${h.url}/issuers/${h.slug}/logo`)).status).toBe(404);

    const ok = await upload(svg, 'image/svg+xml');
    expect(ok.status).toBe(200);
    const stored = (await ok.json()) as { mediaType: string; sha256: string; size: number };
    expect(stored).toMatchObject({ mediaType: 'image/svg+xml', size: svg.length });
    const served = await get(`${h.url}/issuers/${h.slug}/logo`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toContain('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(served.text).toBe(svg);
    expect((await get(`${h.url}/issuers/${h.slug}/logo`, { 'if-none-match': served.headers.get('etag') as string })).status).toBe(304);
    // The page of a credential issued before the upload shows it, from this service; the credential is unchanged.
    const html = (await get(issued.pageUrl)).text;
    expect(html).toContain(`<img class="issuer-logo" src="/issuers/${h.slug}/logo?v=${stored.sha256.slice(0, 16)}" alt/>`);
    expect(html).not.toContain(profile.logo as string);
    const audit = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE issuer_slug = $1 AND action = 'issuer.logo.upload'`, [h.slug]);
    expect(audit.rows[0]?.n).toBe(1);
  });
});

describe('on PostgreSQL', async () => {
  const unavailable = await postgresUnavailable();
  it.skipIf(unavailable !== undefined)('the migration gives existing and new credentials a page token; pages and withdrawal work the same', async () => {
    const pgDb = await createTestDatabase();
    const db = await openDb({ databaseUrl: pgDb.url, migrate: false });
    try {
      // A credential row written before 006 gets its token when 006 runs.
      const earlier = mkdtempSync(path.join(tmpdir(), 'microcred-migrations-'));
      for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '006')) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(earlier, f));
      await migrate(db, earlier);
      const before = await startHarness({}, db);
      const old = await call(before, 'POST', `/issuers/${before.slug}/credentials`, { token: before.tokens.full, body: { ...record, recordId: 'pg-old' } });
      await before.close();
      await migrate(db);
      const pg = await startHarness({}, db);
      try {
        const tokens = (await db.query<{ page_token: string }>('SELECT page_token FROM credentials')).rows.map((r) => r.page_token);
        expect(tokens).toHaveLength(1);
        expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(old.body.pageUrl).toBeUndefined();
        const issued = await call(pg, 'POST', `/issuers/${pg.slug}/credentials`, { token: pg.tokens.full, body: { ...record, recordId: 'pg-new' } });
        expect(issued.body.pageUrl).toMatch(/\/c\/[A-Za-z0-9_-]{43}$/);
        expect((await fetch(issued.body.pageUrl)).status).toBe(200);
        await call(pg, 'POST', `/issuers/${pg.slug}/credentials/${encodeURIComponent(issued.body.id)}/page/withdraw`, { token: pg.tokens.full });
        expect((await fetch(issued.body.pageUrl)).status).toBe(404);
      } finally {
        await pg.close();
      }
    } finally {
      await db.close();
      await pgDb.drop();
    }
  });
});

describe('credentials issued by a bulk job', () => {
  it('carry achievement.image and have a page, whose URL the mail and report seam looks up', async () => {
    const ctx = serviceContext(h.db, { publicUrl: h.url });
    const job = await submitJob(ctx, h.slug, [`${JSON.stringify({ ...record, recordId: 'bulk-page-1' })}\n`], { input: 'ndjson', actor: 'test' });
    await runJobsUntilIdle(ctx);
    const row = (await h.db.query<{ id: string; credential: string }>("SELECT id, credential FROM credentials WHERE record_id = 'bulk-page-1'")).rows[0];
    expect(row, JSON.stringify(await getJobStatus(ctx, h.slug, job.id))).toBeDefined();
    const credential = JSON.parse(row?.credential as string);
    expect(credential.credentialSubject.achievement.image).toEqual({ id: `${h.url}/issuers/${h.slug}/achievements/PHM7021/image`, type: 'Image' });
    const pageUrl = await credentialPageUrlOf(ctx, h.slug, row?.id as string);
    expect(pageUrl).toMatch(/\/c\/[A-Za-z0-9_-]{43}$/);
    expect((await get(pageUrl as string)).status).toBe(200);
    expect(await credentialPageUrlOf(ctx, h.slug, 'urn:uuid:none')).toBeUndefined();
  });
});
