// The staff page (/admin) over HTTP: sign-in and its cookie (HttpOnly, SameSite=Strict), CSRF tokens refused when
// missing or foreign, a revoked key ending its session, the upload of the SIS export to a job page and its report,
// a learner's credentials revoked and suspended with a reason (in the audit log), scopes, and HTML error pages.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/service/admin.js';
import { revokeApiKey } from '../src/store/api-keys.js';
import { PAGE_CSP } from '../src/service/pages/headers.js';
import { call, recordMinimal, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

const example = (name: string): string => new URL(`../examples/${name}`, import.meta.url).pathname;

interface Browserish {
  cookies: Map<string, string>;
  get(path: string): Promise<Response>;
  post(path: string, body: URLSearchParams | FormData): Promise<Response>;
}

function browserish(h: Harness): Browserish {
  const cookies = new Map<string, string>();
  const keep = (res: Response): Response => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = (pair as string).split('=');
      if (value === '') cookies.delete(name as string);
      else cookies.set(name as string, value as string);
    }
    return res;
  };
  const cookie = (): Record<string, string> => (cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {});
  return {
    cookies,
    get: async (p) => keep(await fetch(`${h.url}${p}`, { headers: cookie(), redirect: 'manual' })),
    post: async (p, body) => keep(await fetch(`${h.url}${p}`, { method: 'POST', headers: cookie(), body, redirect: 'manual' })),
  };
}

const hidden = (html: string, name: string): string => (new RegExp(`name="${name}" value="([^"]*)"`).exec(html) ?? [])[1] ?? '';

async function signedIn(h: Harness, token: string): Promise<{ b: Browserish; csrf: string; html: string }> {
  const b = browserish(h);
  const form = await (await b.get('/admin')).text();
  const res = await b.post('/admin/sign-in', new URLSearchParams({ csrf: hidden(form, 'csrf'), token }));
  expect(res.status).toBe(303);
  const html = await (await b.get('/admin')).text();
  return { b, csrf: hidden(html, 'csrf'), html };
}

describe('the staff page /admin', () => {
  let h: Harness;
  let staffToken: string;
  beforeAll(async () => {
    h = await startHarness({ jobWorkerThreads: 0 });
    staffToken = (await createApiKey(h.db, { issuer: h.slug, scopes: ['issue', 'read', 'revoke', 'admin'], label: 'registry office' })).token;
    for (const code of ['PHM7021', 'CYB4010']) {
      const r = await call(h, 'PUT', `/issuers/${h.slug}/courses/${code}`, { token: h.tokens.full, body: JSON.parse(readFileSync(example(`catalogue/${code}.json`), 'utf8')) });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('signed out: the sign-in form, with the pages\' CSP; a wrong key is a 401 page with the form again', async () => {
    const b = browserish(h);
    const res = await b.get('/admin');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    const html = await res.text();
    expect(html).toContain('<input type="password" id="token" name="token"');
    expect(res.headers.getSetCookie().join()).toMatch(/microcred-staff-signin=[^;]+; Path=\/admin; Max-Age=3600; HttpOnly; SameSite=Strict/);
    const wrong = await b.post('/admin/sign-in', new URLSearchParams({ csrf: hidden(html, 'csrf'), token: 'mcred_not-a-key' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That API key is not known or has been revoked.');
    // Without the sign-in form's own token (another site posting the form), nothing happens.
    const forged = await b.post('/admin/sign-in', new URLSearchParams({ csrf: 'x'.repeat(24), token: staffToken }));
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toMatch(/text\/html/);
    expect(forged.headers.getSetCookie().join()).not.toContain('microcred-staff=');
  });

  it('signing in sets an HttpOnly SameSite=Strict session cookie that holds no token; the page shows what the scopes allow', async () => {
    const b = browserish(h);
    const form = await (await b.get('/admin')).text();
    const res = await b.post('/admin/sign-in', new URLSearchParams({ csrf: hidden(form, 'csrf'), token: staffToken }));
    expect([res.status, res.headers.get('location')]).toEqual([303, '/admin']);
    const set = res.headers.getSetCookie().find((c) => c.startsWith('microcred-staff='));
    expect(set).toMatch(/; Path=\/admin; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    expect(set).not.toContain(staffToken);
    const page = await (await b.get('/admin')).text();
    for (const heading of ['Issue from an export', 'Recent jobs', "Find a learner's credentials", 'Audit log']) expect(page).toContain(heading);
    const readOnly = await signedIn(h, h.tokens.readOnly);
    expect(readOnly.html).not.toContain('Issue from an export');
    expect(readOnly.html).not.toContain('Audit log');
    expect((await readOnly.b.get('/admin/audit')).status).toBe(403);
  });

  it('every form POST needs the session\'s CSRF token; signing out ends the session; a revoked key ends it too', async () => {
    const { b, csrf } = await signedIn(h, staffToken);
    expect((await b.post('/admin/sign-out', new URLSearchParams({ csrf: 'wrong' }))).status).toBe(403);
    const other = await signedIn(h, staffToken);
    expect(other.csrf).not.toBe(csrf);
    expect((await b.post('/admin/sign-out', new URLSearchParams({ csrf: other.csrf }))).status).toBe(403);
    const out = await b.post('/admin/sign-out', new URLSearchParams({ csrf }));
    expect(out.status).toBe(303);
    expect((await (await b.get('/admin')).text())).toContain('name="token"');
    // A forged cookie is no session.
    b.cookies.set('microcred-staff', `${Buffer.from(JSON.stringify({ k: 'ak_x', s: h.slug, x: Date.now() + 1e6, c: 'c' })).toString('base64url')}.AAAA`);
    expect((await b.get('/admin/audit')).status).toBe(303);
    const key = await createApiKey(h.db, { issuer: h.slug, scopes: ['read'] });
    const s = await signedIn(h, key.token);
    expect((await s.b.get('/admin/credentials?learner=nobody')).status).toBe(200);
    await revokeApiKey(h.db, h.slug, key.id);
    expect((await s.b.get('/admin/credentials?learner=nobody')).status).toBe(303);
  });

  it('upload the SIS export with its mapping: a job page that refreshes while watched, then the report to download', async () => {
    const { b, csrf } = await signedIn(h, staffToken);
    const form = new FormData();
    form.append('csrf', csrf);
    form.append('mapping', new Blob([readFileSync(example('sits-mapping.json'))], { type: 'application/json' }), 'sits-mapping.json');
    form.append('file', new Blob([readFileSync(example('sits-export.csv'))], { type: 'text/csv' }), 'sits-export.csv');
    const res = await b.post('/admin/jobs', form);
    expect(res.status, await res.clone().text()).toBe(303);
    const location = res.headers.get('location') as string;
    expect(location).toMatch(/^\/admin\/jobs\/[0-9a-f-]+\?watch=1$/);
    let page = '';
    for (let i = 0; i < 200; i++) {
      const r = await b.get(location);
      page = await r.text();
      if (page.includes('<dd>Done</dd>')) {
        expect(r.headers.get('refresh')).toBeNull();
        break;
      }
      expect(r.headers.get('refresh')).toBe('3');
      await new Promise((x) => setTimeout(x, 50));
    }
    expect(page).toContain('<dd>Done</dd>');
    expect(page).toMatch(/<dt>Issued<\/dt><dd>4<\/dd>/);
    expect(page).toMatch(/<dt>Rejected<\/dt><dd>2<\/dd>/);
    const report = await b.get(`${location.split('?')[0]}/report?type=csv`);
    expect(report.headers.get('content-disposition')).toMatch(/^attachment; filename="job-[0-9a-f-]+-report\.csv"$/);
    expect((await report.text()).trim().split('\r\n')).toHaveLength(7);
    // Without the CSRF token the upload is refused before anything is stored.
    const bare = new FormData();
    bare.append('file', new Blob(['x']), 'x.ndjson');
    expect((await b.post('/admin/jobs', bare)).status).toBe(403);
    // A CSV without its mapping: the page says which field.
    const noMapping = new FormData();
    noMapping.append('csrf', csrf);
    noMapping.append('file', new Blob([readFileSync(example('sits-export.csv'))], { type: 'text/csv' }), 'export.csv');
    const refused = await b.post('/admin/jobs', noMapping);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('mapping');
  });

  it("find a learner's credentials, suspend then revoke with a reason; the audit log shows who and why", async () => {
    const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'STAFF-1', learner: { fullName: 'Sam Taylor', studentId: 'S-STAFF-1' } } });
    expect(issued.status).toBe(201);
    const id = issued.body.id as string;
    const { b, csrf } = await signedIn(h, staffToken);
    const found = await (await b.get('/admin/credentials?learner=S-STAFF-1')).text();
    expect(found).toContain(id);
    expect(found).toContain('<dd>Active</dd>');
    const suspend = await b.post('/admin/credentials/status', new URLSearchParams({ csrf, id, action: 'suspend', reason: 'under review', learner: 'S-STAFF-1' }));
    expect([suspend.status, suspend.headers.get('location')]).toEqual([303, '/admin/credentials?learner=S-STAFF-1&changed=1']);
    expect(await (await b.get(suspend.headers.get('location') as string)).text()).toContain('Suspended (under review)');
    const noReason = await b.post('/admin/credentials/status', new URLSearchParams({ csrf, id, action: 'revoke', reason: ' ', learner: 'S-STAFF-1' }));
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('A revocation needs a reason');
    const badAction = await b.post('/admin/credentials/status', new URLSearchParams({ csrf, id, action: 'delete', learner: 'S-STAFF-1' }));
    expect(badAction.status).toBe(400);
    // Without the CSRF field the form is malformed (400); with another session's token it is refused (403).
    expect((await b.post('/admin/credentials/status', new URLSearchParams({ id, action: 'suspend' }))).status).toBe(400);
    expect((await b.post('/admin/credentials/status', new URLSearchParams({ csrf: 'A'.repeat(24), id, action: 'suspend' }))).status).toBe(403);
    const revoke = await b.post('/admin/credentials/status', new URLSearchParams({ csrf, id, action: 'revoke', reason: 'awarded in error', learner: 'S-STAFF-1' }));
    expect(revoke.status).toBe(303);
    const stored = await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}`, { token: h.tokens.full });
    expect([stored.body.status, stored.body.reason]).toEqual(['revoked', 'awarded in error']);
    const audit = await (await b.get('/admin/audit')).text();
    expect(audit).toContain('credential.revoke');
    expect(audit).toContain('awarded in error');
    expect(audit).toContain('credential.suspend');
    // Text from the data is escaped.
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/unsuspend`, { token: h.tokens.full, body: { reason: '<script>alert(1)</script>' } });
    const escaped = await (await b.get('/admin/audit')).text();
    expect(escaped).not.toContain('<script>alert(1)</script>');
  });

  it("withdraw a learner's page, put it back, and move it to a new address, from the learner's credentials", async () => {
    const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'STAFF-PAGE-1', learner: { fullName: 'Sam Taylor', studentId: 'S-STAFF-PAGE' } } });
    expect(issued.status).toBe(201);
    const { id, pageUrl } = issued.body as { id: string; pageUrl: string };
    const pagePath = new URL(pageUrl).pathname;
    const { b, csrf } = await signedIn(h, staffToken);
    const listed = await (await b.get('/admin/credentials?learner=S-STAFF-PAGE')).text();
    expect(listed).toContain(`href="${pagePath}"`);
    expect(listed).toContain('Withdraw the page');
    const form = (action: string) => new URLSearchParams({ csrf, id, action, learner: 'S-STAFF-PAGE' });
    const withdrawn = await b.post('/admin/credentials/page', form('withdraw'));
    expect([withdrawn.status, withdrawn.headers.get('location')]).toEqual([303, '/admin/credentials?learner=S-STAFF-PAGE&page=1']);
    expect((await fetch(pageUrl)).status).toBe(404);
    const after = await (await b.get(withdrawn.headers.get('location') as string)).text();
    expect(after).toContain('Page changed.');
    expect(after).toContain('Withdrawn: the address answers “not found”');
    expect(after).toContain('Put the page back');
    expect((await b.post('/admin/credentials/page', form('restore'))).status).toBe(303);
    expect((await fetch(pageUrl)).status).toBe(200);
    expect((await b.post('/admin/credentials/page', form('new-link'))).status).toBe(303);
    expect((await fetch(pageUrl)).status).toBe(404);
    const moved = (await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}`, { token: h.tokens.full })).body.pageUrl as string;
    expect(moved).not.toBe(pageUrl);
    expect(await (await b.get('/admin/credentials?learner=S-STAFF-PAGE')).text()).toContain(`href="${new URL(moved).pathname}"`);
    expect((await b.post('/admin/credentials/page', new URLSearchParams({ csrf: 'A'.repeat(24), id, action: 'withdraw' }))).status).toBe(403);
    expect((await b.post('/admin/credentials/page', form('delete'))).status).toBe(400);
    const audit = await (await b.get('/admin/audit')).text();
    expect(audit).toContain('credential.page.withdraw');
    expect(audit).toContain('credential.page.restore');
  });

  it('the logs hold no API key, session cookie, CSRF token or learner e-mail address', async () => {
    const { b, csrf } = await signedIn(h, staffToken);
    const logs = h.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [staffToken, h.tokens.full, b.cookies.get('microcred-staff') as string, csrf, 'amara.okafor-reid@example.org']) expect(logs).not.toContain(secret);
  });

  it('signed out, the pages send the reader to the sign-in form; unknown jobs are 404 pages', async () => {
    const b = browserish(h);
    for (const p of ['/admin/jobs/x', '/admin/jobs/x/report', '/admin/credentials?learner=a', '/admin/audit']) {
      const r = await b.get(p);
      expect([p, r.status, r.headers.get('location')]).toEqual([p, 303, '/admin']);
    }
    expect((await b.post('/admin/jobs/x/cancel', new URLSearchParams({ csrf: 'x' }))).status).toBe(401);
    const { b: s } = await signedIn(h, staffToken);
    const missing = await s.get('/admin/jobs/no-such-job');
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, expect.stringMatching(/text\/html/)]);
    expect((await s.get('/admin/credentials?learner=')).status).toBe(400);
  });
});
