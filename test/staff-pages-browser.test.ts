/**
 * The staff page (/admin) in a real browser (Debian's chromium through playwright-core), as registry staff use it:
 * sign in with an API key, upload the SIS export with its mapping, watch the job finish (the page refreshes
 * itself; no script on these pages), download the report, find a learner, suspend a credential with a reason, read
 * the audit log, sign out. Every page: axe-core finds no WCAG 2.2 AA violation, in English and Welsh, at 320 px and
 * on a desktop, with nothing the CSP refuses and no horizontal scrolling.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createApiKey } from '../src/service/admin.js';
import { axeViolations, browserSkipReason, launchBrowser, screenshot, watchCsp } from './support/browser.js';
import type { TestBrowser } from './support/browser.js';
import { call, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

const skip = browserSkipReason();
if (skip) console.warn(`browser tests skipped: ${skip}`);
const example = (name: string): string => new URL(`../examples/${name}`, import.meta.url).pathname;

describe.skipIf(skip !== undefined)('the staff page in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  let token: string;
  const visited: { name: string; path: string }[] = [];

  beforeAll(async () => {
    h = await startHarness({ jobWorkerThreads: 0 });
    token = (await createApiKey(h.db, { issuer: h.slug, scopes: ['issue', 'read', 'revoke', 'admin'] })).token;
    for (const code of ['PHM7021', 'CYB4010']) {
      await call(h, 'PUT', `/issuers/${h.slug}/courses/${code}`, { token: h.tokens.full, body: JSON.parse(readFileSync(example(`catalogue/${code}.json`), 'utf8')) });
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function clean(page: Page, name: string): Promise<void> {
    expect(await axeViolations(page), name).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name}: horizontal scrolling`).toBeLessThanOrEqual(0);
    expect(await page.evaluate(() => document.scripts.length), `${name}: works without script`).toBe(0);
    await screenshot(page, name);
  }

  it('sign in, upload, watch, download, find, suspend, audit, sign out', { timeout: 120_000 }, async () => {
    const page = await browser.page({ width: 1280 });
    const csp = await watchCsp(page);
    await page.goto(`${h.url}/admin`);
    await clean(page, 'staff-sign-in-en-1280');
    visited.push({ name: 'sign-in', path: '/admin' });

    await page.fill('#token', 'mcred_wrong');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('not known');
    await clean(page, 'staff-sign-in-failed-en-1280');
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('#upload-heading');
    const cookies = await browser.context.cookies(`${h.url}/admin`);
    const session = cookies.find((c) => c.name === 'microcred-staff');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    await clean(page, 'staff-dashboard-en-1280');

    await page.setInputFiles('#mapping', example('sits-mapping.json'));
    await page.setInputFiles('#file', example('sits-export.csv'));
    await page.click('#upload-heading ~ form button[type=submit]');
    await page.waitForURL(/\/admin\/jobs\/[0-9a-f-]+\?watch=1$/);
    const jobPath = new URL(page.url()).pathname;
    // The page refreshes itself (Refresh header) until the job is done.
    await page.waitForSelector('dd:text-is("Done")', { timeout: 60_000 });
    expect(await page.textContent('main')).toContain('Rejected');
    await clean(page, 'staff-job-en-1280');
    visited.push({ name: 'job', path: jobPath });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="report?type=csv"]')]);
    const report = readFileSync((await download.path()) as string, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(report[0]).toBe('row,line,recordId,outcome,credentialId,url,problems');
    expect(report.slice(1).map((l) => l.split(',')[3])).toEqual(['issued', 'issued', 'rejected', 'issued', 'rejected', 'issued']);

    await page.goto(`${h.url}/admin`);
    expect(await page.textContent('#jobs-heading ~ ul')).toContain('Done');
    await page.fill('#learner', '02310457');
    await page.click('#find-heading ~ form button');
    await page.waitForURL(/\/admin\/credentials\?learner=02310457$/);
    expect(await page.textContent('main')).toContain('Active');
    await clean(page, 'staff-credentials-en-1280');
    visited.push({ name: 'credentials', path: '/admin/credentials?learner=02310457' });
    await page.fill('#reason-0', 'Grade under appeal');
    await page.click('button[value=suspend]');
    await page.waitForURL(/changed=1$/);
    expect(await page.textContent('[role=status]')).toContain('Status changed');
    expect(await page.textContent('main')).toContain('Suspended (Grade under appeal)');
    await clean(page, 'staff-credentials-changed-en-1280');

    await page.goto(`${h.url}/admin/audit`);
    expect(await page.textContent('main')).toContain('credential.suspend');
    expect(await page.textContent('main')).toContain('Grade under appeal');
    await clean(page, 'staff-audit-en-1280');
    visited.push({ name: 'audit', path: '/admin/audit' });
    visited.push({ name: 'dashboard', path: '/admin' });
    expect(await csp.collect()).toEqual([]);
    await page.close();
  });

  it('every page in Welsh and English at 320 px, and in Welsh on a desktop: axe clean, no CSP violation', { timeout: 120_000 }, async () => {
    for (const lang of ['cy', 'en'] as const) {
      for (const width of lang === 'cy' ? [320, 1280] : [320]) {
        for (const v of visited) {
          if (v.name === 'sign-in') continue;
          const page = await browser.page({ width, lang });
          const csp = await watchCsp(page);
          await page.goto(`${h.url}${v.path}`);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);
          await clean(page, `staff-${v.name}-${lang}-${width}`);
          expect(await csp.collect()).toEqual([]);
          await page.close();
        }
      }
    }
    // Signed out again: the sign-in form in Welsh.
    const page = await browser.page({ width: 320, lang: 'cy' });
    await page.goto(`${h.url}/admin`);
    await page.click('form[action="/admin/sign-out"] button');
    await page.waitForSelector('#token');
    expect(await page.textContent('h1')).toBe('Staff y gofrestrfa');
    await clean(page, 'staff-sign-in-cy-320');
    await page.close();
  });
});
