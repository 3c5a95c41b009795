/**
 * The learner's page and the verification page in a real browser (Debian's chromium through playwright-core):
 * axe-core finds no WCAG 2.2 AA violation on the learner page (valid and revoked), on /verify empty and with a
 * result, in English and Welsh, at 320 px and on a desktop, with nothing the CSP refuses and no sideways scrolling;
 * a baked PNG downloaded from the learner page is uploaded to /verify; the QR code of the downloaded PDF certificate
 * leads back to the page; the PDF's text holds every element the page shows. Screenshots go to test/artifacts/; with
 * MICROCRED_DOCS_SCREENSHOTS=1 the README's screenshots in docs/screenshots/ are written again.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { pageQrCodes } from './support/pdf.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialRows } from '../src/display/rows.js';
import { credentialView } from '../src/display/view.js';
import { axeViolations, browserSkipReason, launchBrowser, screenshot, watchCsp } from './support/browser.js';
import type { TestBrowser } from './support/browser.js';
import { call, record, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

const skip = browserSkipReason();
if (skip) console.warn(`browser tests skipped: ${skip}`);

const WIDTHS = [320, 1280] as const;
const LANGS = ['en', 'cy'] as const;
const DOCS = path.resolve(import.meta.dirname, '..', 'docs', 'screenshots');
const writeDocs = process.env.MICROCRED_DOCS_SCREENSHOTS === '1';
/** The README's screenshots: English, full pages on a desktop, the learner page's first screen on a phone. */
const DOC_SHOTS = new Set(['credential-page-1280', 'credential-page-320', 'credential-page-revoked-320', 'verify-page-1280', 'verify-result-1280']);

/** The PDF's text (white space removed, so line breaks do not matter) and the URLs its QR codes hold. */
async function readPdf(bytes: Uint8Array): Promise<{ text: string; qr: string[] }> {
  const doc = await getDocument({ data: bytes.slice(), isOffscreenCanvasSupported: false, verbosity: 0 }).promise;
  const texts: string[] = [];
  const qr: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    for (const item of (await page.getTextContent()).items) if ('str' in item) texts.push(item.str);
    for (const found of await pageQrCodes(page)) if (found) qr.push(found);
  }
  await doc.destroy();
  return { text: texts.join('').replace(/\s+/g, ''), qr };
}

describe.skipIf(skip !== undefined)('credential pages in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  let valid: any;
  let revoked: any;
  beforeAll(async () => {
    h = await startHarness({ siteName: 'Northbridge University credentials' });
    const issue = async (recordId: string) => (await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...record, recordId } })).body;
    valid = await issue('browser-valid');
    revoked = await issue('browser-revoked');
    await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(revoked.id)}/revoke`, { token: h.tokens.full, body: { reason: 'awarded in error' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** axe clean, no CSP violation, nothing wider than the viewport; a screenshot of each. */
  async function checkOpen(page: Page, name: string, lang: string, width: number): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await axeViolations(page), `${name} ${lang} ${width}`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} ${lang} ${width}: horizontal scrolling`).toBeLessThanOrEqual(0);
    await screenshot(page, `${name}-${lang}-${width}`);
    if (writeDocs && lang === 'en' && DOC_SHOTS.has(`${name}-${width}`)) {
      mkdirSync(DOCS, { recursive: true });
      await page.screenshot({ path: path.join(DOCS, `${name}-${width}.png`), fullPage: width > 600 });
    }
  }

  async function checkPage(name: string, url: string, expectStatus: number, state?: string): Promise<void> {
    for (const lang of LANGS) {
      for (const width of WIDTHS) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        const res = await page.goto(url);
        expect(res?.status(), `${name} ${lang} ${width}`).toBe(expectStatus);
        if (state) expect(await page.getAttribute('.banner', 'data-state')).toBe(state);
        await checkOpen(page, name, lang, width);
        expect(await csp.collect(), `${name} ${lang} ${width}`).toEqual([]);
        await page.close();
      }
    }
  }

  it('the learner page of a valid credential', async () => {
    await checkPage('credential-page', valid.pageUrl, 200, 'valid');
  });

  it('the learner page of a revoked credential: the banner, and no downloads', async () => {
    await checkPage('credential-page-revoked', revoked.pageUrl, 200, 'revoked');
    const page = await browser.page({ width: 320 });
    await page.goto(revoked.pageUrl);
    expect(await page.locator('a[download]').count()).toBe(0);
    await page.close();
  });

  it('the verification page, empty', async () => {
    await checkPage('verify-page', `${h.url}/verify`, 200);
  });

  it('the verification page with a result, pasted in the browser', async () => {
    for (const lang of LANGS) {
      for (const width of WIDTHS) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        await page.goto(`${h.url}/verify`);
        await page.locator('#field-paste').fill(JSON.stringify(valid.credential));
        await Promise.all([page.waitForNavigation(), page.locator('#field-paste').locator('xpath=ancestor::form').locator('button[type=submit]').click()]);
        expect(await page.getAttribute('.banner', 'data-state')).toBe('valid');
        await checkOpen(page, 'verify-result', lang, width);
        expect(await csp.collect()).toEqual([]);
        await page.close();
      }
    }
  });

  it('the verification page with a presentation of two credentials, one of them revoked', async () => {
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [valid.credential, revoked.credential] };
    for (const lang of LANGS) {
      const page = await browser.page({ width: 320, lang });
      await page.goto(`${h.url}/verify`);
      await page.locator('#field-paste').fill(JSON.stringify(vp));
      await Promise.all([page.waitForNavigation(), page.locator('#field-paste').locator('xpath=ancestor::form').locator('button[type=submit]').click()]);
      expect(await page.locator('.banner[data-state]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['valid', 'revoked']);
      await checkOpen(page, 'verify-presentation', lang, 320);
      await page.close();
    }
  });

  it('a baked PNG downloaded from the learner page, uploaded to /verify', async () => {
    const page = await browser.page({ width: 320 });
    await page.goto(valid.pageUrl);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Badge image with the credential (PNG)' }).click()]);
    const file = await download.path();
    expect(file).toBeTruthy();
    await page.goto(`${h.url}/verify`);
    await page.locator('#field-upload').setInputFiles({ name: 'badge.png', mimeType: 'image/png', buffer: readFileSync(file as string) });
    await Promise.all([page.waitForNavigation(), page.getByRole('region', { name: 'Upload a file' }).getByRole('button', { name: 'Check' }).click()]);
    expect(await page.getAttribute('.banner', 'data-state')).toBe('valid');
    expect(await page.textContent('main')).toContain('Read from the credential inside the PNG badge image.');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'verify-uploaded-png-en-320');
    await page.close();
  });

  it('the PDF certificate: its QR code leads back to the page, and its text holds every element the page shows', async () => {
    const page = await browser.page({ width: 1280 });
    await page.goto(valid.pageUrl);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Certificate (PDF)' }).click()]);
    const pdf = await readPdf(new Uint8Array(readFileSync((await download.path()) as string)));
    expect(pdf.qr).toEqual([valid.pageUrl]);
    const rows = credentialRows(credentialView(valid.credential), 'en');
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      // The learner and the title head the certificate, unlabelled.
      if (row.key !== 'learner' && row.key !== 'title') expect(pdf.text, row.label).toContain(row.label.replace(/\s+/g, ''));
      for (const item of row.items) expect(pdf.text, `${row.key}: ${item.text}`).toContain(item.text.replace(/\s+/g, ''));
    }
    for (const secret of ['amara.okafor-reid@example.org', 'S2310457']) expect(pdf.text).not.toContain(secret);
    const res = await page.goto(pdf.qr[0] as string);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Data Analytics for Public Health');
    await page.close();
  });

  it('the copy-link button (added by the one script) copies the page link', async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const page = await browser.page({ width: 320 });
    await page.goto(valid.pageUrl);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.textContent('[data-copy-status]')).toBe('Link copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(valid.pageUrl);
    await page.close();
  });

  it("an uploaded issuer logo loads from this service under the pages' CSP, and the page stays axe clean", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48"><rect width="48" height="48" rx="8" fill="#0b3d91"/></svg>';
    const up = await fetch(`${h.url}/issuers/${h.slug}/logo`, { method: 'PUT', headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'image/svg+xml' }, body: svg });
    expect(up.status).toBe(200);
    for (const width of WIDTHS) {
      const page = await browser.page({ width });
      const csp = await watchCsp(page);
      await page.goto(valid.pageUrl);
      const logo = page.locator('img.issuer-logo');
      await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
      expect(await axeViolations(page), `logo ${width}`).toEqual([]);
      expect(await csp.collect(), `logo ${width}`).toEqual([]);
      await page.close();
    }
  });
});
