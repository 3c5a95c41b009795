/**
 * The staff stacking page in a real browser (Debian's chromium through playwright-core): the form, a set uploaded
 * through the file input and its report, and a wallet request (QR code, then the report once an LCW-style wallet
 * answered); axe-core finds no WCAG 2.2 AA violation, in English and Welsh, at 320 px and on a desktop, with nothing
 * the CSP refuses and nothing wider than the viewport.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations, browserSkipReason, launchBrowser, screenshot, watchCsp } from './support/browser.js';
import type { TestBrowser } from './support/browser.js';
import { call, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';
import { stackingFixtures, topUpRules } from './stacking-fixtures.js';
import type { StackingFixtures } from './stacking-fixtures.js';

const skip = browserSkipReason();
if (skip) console.warn(`browser tests skipped: ${skip}`);

const WIDTHS = [320, 1280] as const;
const LANGS = ['en', 'cy'] as const;
const CODE = 'BSC-COMP-TU';

describe.skipIf(skip !== undefined)('the stacking page in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  let fx: StackingFixtures;
  let files: string[];
  beforeAll(async () => {
    fx = await stackingFixtures();
    h = await startHarness({ fetch: fx.fetch });
    browser = await launchBrowser();
    const put = await call(h, 'PUT', `/issuers/${h.slug}/parent-courses/${CODE}`, { token: h.tokens.full, body: topUpRules(fx) });
    expect(put.status).toBe(201);
    const dir = mkdtempSync(path.join(tmpdir(), 'microcred-stacking-page-'));
    files = [fx.c.a1, fx.c.a2, fx.c.b1, fx.c.a3Revoked].map((c, i) => {
      const file = path.join(dir, `module-${i + 1}.json`);
      writeFileSync(file, JSON.stringify(c));
      return file;
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** The page as it is now: axe clean, no CSP violation, no horizontal scrolling; a screenshot kept. */
  async function audit(page: Page, name: string, csp: Awaited<ReturnType<typeof watchCsp>>): Promise<void> {
    expect(await axeViolations(page), name).toEqual([]);
    expect(await csp.collect(), name).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name}: horizontal scrolling`).toBeLessThanOrEqual(0);
    await screenshot(page, name);
  }

  it('upload a set, pick the parent course, read the report', async () => {
    for (const lang of LANGS) {
      for (const width of WIDTHS) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        const res = await page.goto(`${h.url}/stacking`);
        expect(res?.status()).toBe(200);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        await audit(page, `stacking-form-${lang}-${width}`, csp);
        const upload = page.locator('form[action$="/stacking"]');
        await upload.getByLabel(lang === 'en' ? 'Credentials' : 'Tystlythyrau', { exact: true }).setInputFiles(files);
        await upload.getByLabel(lang === 'en' ? 'Parent course' : 'Cwrs rhiant').selectOption(`${h.slug}/${CODE}`);
        await upload.getByRole('button', { name: lang === 'en' ? 'Check' : 'Gwirio' }).click();
        await page.waitForLoadState();
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        const status = page.getByRole('status');
        await expect.poll(() => status.textContent()).toContain('The credentials do not meet the rules of BSc (Hons) Computing (top-up)');
        expect(await page.textContent('main')).toContain('Not met: at least 120 UK credits; 90 UK credits counted, so it needs 30 more credits.');
        expect(await page.textContent('main')).toMatch(/Cloud Computing: not counted, because the credential is not valid/);
        if (lang === 'cy') expect(await page.locator('.banner p[lang="en"]').count()).toBeGreaterThan(0);
        await audit(page, `stacking-report-${lang}-${width}`, csp);
        await page.close();
      }
    }
  });

  it('a wallet request: the QR code page, then the report once the wallet answered', async () => {
    for (const lang of LANGS) {
      for (const width of WIDTHS) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        await page.goto(`${h.url}/stacking`);
        const wallet = page.locator('form[action$="/stacking/wallet"]');
        await wallet.getByLabel(lang === 'en' ? 'Parent course' : 'Cwrs rhiant').selectOption(`${h.slug}/${CODE}`);
        await wallet.getByRole('button', { name: lang === 'en' ? 'Show a QR code' : 'Dangos cod QR' }).click();
        await page.waitForURL(/\/stacking\/wallet\/[A-Za-z0-9_-]{43}$/);
        const qr = page.getByRole('img', { name: lang === 'en' ? 'QR code of the wallet request' : 'Cod QR cais y waled' });
        expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
        await audit(page, `stacking-wallet-waiting-${lang}-${width}`, csp);
        const interaction = await page.getByLabel(lang === 'en' ? 'Link for the wallet' : 'Dolen ar gyfer y waled').inputValue();
        const exchange = (await call(h, 'GET', new URL(interaction).pathname + new URL(interaction).search)).body.protocols.vcapi as string;
        const vpr = (await call(h, 'POST', new URL(exchange).pathname, { body: {} })).body.verifiablePresentationRequest;
        const vp = await fx.learner.sign([fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2], { challenge: vpr.challenge, domain: vpr.domain });
        expect((await call(h, 'POST', new URL(exchange).pathname, { body: { verifiablePresentation: vp } })).status).toBe(200);
        await page.getByRole('link', { name: lang === 'en' ? 'Check for the result' : 'Gwirio am y canlyniad' }).click();
        await page.waitForLoadState();
        expect(await page.getByRole('status').textContent()).toContain('The credentials meet the rules of BSc (Hons) Computing (top-up).');
        expect(await page.textContent('main')).toContain(`The presentation was signed by its holder ${fx.learner.did}.`);
        await audit(page, `stacking-wallet-done-${lang}-${width}`, csp);
        await page.close();
      }
    }
  });
});
