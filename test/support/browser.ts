/**
 * The browser of the page tests: Debian's chromium (`/usr/bin/chromium`, or MICROCRED_CHROMIUM) driven by
 * playwright-core (no browser download, ever), with a fresh profile per run, and axe-core injected from
 * node_modules for WCAG 2.2 AA checks. Without chromium the tests are skipped with the reason, except under CI
 * (`CI` set), where .ci/run installs it and a missing browser is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.MICROCRED_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. Under CI a missing browser is not a reason. */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI) return undefined; // let the launch fail loudly: CI always has chromium
  return `no chromium at ${CHROMIUM} (install Debian's package: apt-get install chromium; .ci/run does)`;
}

/** Folder of the screenshots CI keeps as artifacts (git-ignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'artifacts');

/** The flags of every launch: headless, no sandbox (CI runs as root), nothing that reaches the network by itself. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab at the given viewport width, reading pages in `lang` (Accept-Language). */
  page(options: { width: number; lang?: 'en' | 'cy' }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts chromium with a fresh user-data-dir (removed on close).
 *
 * @example
 * ```ts
 * const browser = await launchBrowser();
 * const page = await browser.page({ width: 320, lang: 'cy' });
 * ```
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'microcred-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    async page({ width, lang = 'en' }) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: width < 600 ? 740 : 900 });
      await page.setExtraHTTPHeaders({ 'Accept-Language': lang === 'cy' ? 'cy-GB,cy;q=0.9' : 'en-GB,en;q=0.9' });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The axe rule tags every page must pass: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page (injected from node_modules; the page's CSP does not apply to an evaluated script) and
 * returns the violations of the WCAG 2.2 AA rules and of axe's best practices.
 *
 * @example
 * ```ts
 * expect(await axeViolations(page)).toEqual([]);
 * ```
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: [...tags, 'best-practice'] }, resultTypes: ['violations'] });
  }, WCAG_TAGS);
  return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
}

/**
 * Saves a full-page screenshot to the artifacts folder; returns its path.
 *
 * @example
 * ```ts
 * await screenshot(page, 'credential-page-en-320');
 * ```
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collects the Content-Security-Policy violations a page reports (Chromium logs each one to the console, and
 * fires `securitypolicyviolation`), so a test fails when a page needs `'unsafe-inline'` or anything else the
 * policy refuses.
 *
 * @example
 * ```ts
 * const csp = await watchCsp(page); await page.goto(url); expect(await csp.collect()).toEqual([]);
 * ```
 */
export async function watchCsp(page: Page): Promise<{ violations: string[]; collect(): Promise<string[]> }> {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  // The event as the page sees it (an init script runs outside the page's CSP).
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
  });
  return {
    violations,
    async collect() {
      const inPage = await page.evaluate(() => (globalThis as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
      return [...violations, ...inPage];
    },
  };
}
