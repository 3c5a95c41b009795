/**
 * Every page in a real browser (Debian's chromium through playwright-core): axe-core finds no WCAG 2.2 AA
 * violation, in English and Welsh, at 320 px and on a desktop; the page needs nothing its CSP refuses (no inline
 * script or style); a screenshot of each is kept in test/artifacts/ for CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, browserSkipReason, launchBrowser, screenshot, watchCsp } from './support/browser.js';
import type { TestBrowser } from './support/browser.js';
import { PAGE_CSP } from '../src/service/pages/headers.js';
import { startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

const skip = browserSkipReason();
if (skip) console.warn(`browser tests skipped: ${skip}`);

const WIDTHS = [320, 1280] as const;
const LANGS = ['en', 'cy'] as const;

describe.skipIf(skip !== undefined)('pages in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  beforeAll(async () => {
    h = await startHarness();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Opens a URL in each language and width: axe clean, no CSP violation, nothing wider than the viewport. */
  async function checkPage(name: string, url: string, expectStatus: number): Promise<void> {
    for (const lang of LANGS) {
      for (const width of WIDTHS) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        const res = await page.goto(url);
        expect(res?.status(), `${name} ${lang} ${width}`).toBe(expectStatus);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await axeViolations(page), `${name} ${lang} ${width}`).toEqual([]);
        expect(await csp.collect(), `${name} ${lang} ${width}`).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${name} ${lang} ${width}: horizontal scrolling`).toBeLessThanOrEqual(0);
        await screenshot(page, `${name}-${lang}-${width}`);
        await page.close();
      }
    }
  }

  it('the CSP watch is not blind: a page that needs inline script or style is caught', async () => {
    const page = await browser.page({ width: 1280 });
    const body = '<!doctype html><html lang="en"><title>probe</title><p style="color: red">x</p><script>document.title = "ran"</script></html>';
    await page.route('http://csp-probe.invalid/', (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/html', 'content-security-policy': PAGE_CSP }, body }));
    const csp = await watchCsp(page);
    await page.goto('http://csp-probe.invalid/');
    const seen = await csp.collect();
    expect(seen.some((v) => v.includes('script-src')), seen.join('\n')).toBe(true);
    expect(seen.some((v) => v.includes('style-src')), seen.join('\n')).toBe(true);
    expect(await page.title()).toBe('probe');
    await page.close();
  });

  it('an error page (404)', async () => {
    await checkPage('error-404', `${h.url}/assets/nothing-here.css`, 404);
  });

  it('the language switch works without JavaScript and is remembered', async () => {
    const context = browser.context;
    const page = await browser.page({ width: 320, lang: 'en' });
    await page.goto(`${h.url}/assets/nothing-here.css`);
    await page.getByRole('link', { name: 'Cymraeg' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('cy');
    await page.goto(`${h.url}/assets/nothing-here.css`);
    expect(await page.getAttribute('html', 'lang')).toBe('cy');
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
    await context.clearCookies();
  });
});
