/**
 * The claim page in a real browser (Debian's chromium through playwright-core): axe-core finds no WCAG 2.2 AA
 * violation, in English and Welsh, at 320 px and on a desktop; nothing its CSP refuses; the QR codes as the browser
 * draws them decode (jsQR) to the links of the buttons, which are the offer's LCW and OID4VCI links; an offer
 * that can no longer be claimed is an HTML error page in the reader's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import { axeViolations, browserSkipReason, launchBrowser, screenshot, watchCsp } from './support/browser.js';
import type { TestBrowser } from './support/browser.js';
import type { CreatedOffer } from '../src/service/wallet/offers.js';
import { getCredential } from '../src/store/credentials.js';
import { call, expectOk, lcwHolder, PUBLIC_URL, startWallet } from './wallet-helpers.js';
import type { WalletHarness } from './wallet-helpers.js';

const skip = browserSkipReason();
if (skip) console.warn(`browser tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the claim page in a real browser', () => {
  let h: WalletHarness;
  let browser: TestBrowser;
  beforeAll(async () => {
    h = await startWallet();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function offer(recordId: string, body: Record<string, unknown> = {}): Promise<CreatedOffer> {
    const id = await h.issue(recordId);
    return expectOk(await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/offers`, { token: h.token, json: body })).body;
  }
  /** The page as the browser reaches it: the deployment's URL on the listening socket. */
  const local = (url: string) => h.url + url.slice(PUBLIC_URL.length);

  it('is accessible in both languages and widths, needs nothing its CSP refuses, and its QR codes are its links', async () => {
    const created = await offer('claim-page-1', { txCode: true });
    let lcwLink = '';
    expect(created.links.page).toBe(`${PUBLIC_URL}/issuers/${h.slug}/claim/${created.links.exchange.split('/').pop()}`);
    for (const lang of ['en', 'cy'] as const) {
      for (const width of [320, 1280]) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        const res = await page.goto(local(created.links.page));
        expect(res?.status()).toBe(200);
        expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
        expect(res?.headers()['x-robots-tag']).toBe('noindex, nofollow');
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await axeViolations(page), `${lang} ${width}`).toEqual([]);
        expect(await csp.collect(), `${lang} ${width}`).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${lang} ${width}: horizontal scrolling`).toBeLessThanOrEqual(0);
        const lcw = page.getByRole('link', { name: lang === 'en' ? 'Open in Learner Credential Wallet' : 'Agor yn Learner Credential Wallet' });
        expect(await lcw.getAttribute('href')).toBe(created.links.lcw.universal);
        const vci = page.getByRole('link', { name: lang === 'en' ? 'Open in an OID4VCI wallet' : 'Agor mewn waled OID4VCI' });
        expect(await vci.getAttribute('href')).toBe(created.links.oid4vci.offer);
        expect(await page.getByText(lang === 'en' ? /ask for a PIN/ : /gofyn am PIN/).count()).toBe(1);
        await screenshot(page, `claim-page-${lang}-${width}`);
        if (lang === 'en' && width === 1280) {
          const decoded = await decodeQrCodes(page);
          expect(decoded).toEqual([created.links.lcw.universal, created.links.oid4vci.offer]);
          lcwLink = decoded[0] as string;
          expect(await page.getByRole('img', { name: /QR code to add the credential to Learner Credential Wallet/ }).count()).toBe(1);
        }
        await page.close();
      }
    }
    // The page is a view: the offer is still open. LCW, given the link of the QR code as the browser drew it, claims it.
    expect(await h.db.query("SELECT state FROM claim_offers WHERE id = $1", [created.offer.id]).then((r) => r.rows[0])).toEqual({ state: 'open' });
    const request = JSON.parse(decodeURI(new URL(lcwLink).searchParams.get('request') as string));
    const holder = await lcwHolder();
    const vpr = expectOk(await call(h, 'POST', request.protocols.vcapi, { json: {} })).body.verifiablePresentationRequest;
    const answer = expectOk(await call(h, 'POST', request.protocols.vcapi, { json: { verifiablePresentation: await holder.sign(vpr) } })).body;
    const copy = answer.verifiablePresentation.verifiableCredential[0];
    expect(copy.credentialSubject.id).toBe(holder.did);
    expect((await h.app.verifier.credential(copy)).verified).toBe(true);
  }, 180_000);

  it('the learner\'s credential page with an offer\'s wallet section: accessible, within its CSP; another credential\'s offer is not its', async () => {
    const id = await h.issue('claim-learner-page');
    const created = expectOk(await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/offers`, { token: h.token })).body as CreatedOffer;
    const token = (await getCredential(h.db, h.slug, id))?.pageToken as string;
    const secretOf = (o: CreatedOffer) => o.links.exchange.split('/').pop() as string;
    for (const lang of ['en', 'cy'] as const) {
      for (const width of [320, 1280]) {
        const page = await browser.page({ width, lang });
        const csp = await watchCsp(page);
        const res = await page.goto(`${h.url}/c/${token}/wallet/${secretOf(created)}`);
        expect(res?.status()).toBe(200);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await axeViolations(page), `${lang} ${width}`).toEqual([]);
        expect(await csp.collect(), `${lang} ${width}`).toEqual([]);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${lang} ${width}: horizontal scrolling`).toBeLessThanOrEqual(0);
        expect(await page.getByRole('heading', { name: lang === 'en' ? 'Add to your wallet' : 'Ychwanegu at eich waled' }).count()).toBe(1);
        expect(await page.getByRole('link', { name: lang === 'en' ? 'Open in Learner Credential Wallet' : 'Agor yn Learner Credential Wallet' }).getAttribute('href')).toBe(created.links.lcw.universal);
        await screenshot(page, `learner-wallet-${lang}-${width}`);
        await page.close();
      }
    }
    // The plain learner page has no wallet section; another credential's offer is a 404 on this page.
    const plain = await call(h, 'GET', `/c/${token}`);
    expect(plain.status).toBe(200);
    expect(plain.text).not.toContain('Open in Learner Credential Wallet');
    const other = await offer('claim-learner-other');
    const wrong = await call(h, 'GET', `/c/${token}/wallet/${secretOf(other)}`);
    expect([wrong.status, wrong.headers['content-type']]).toEqual([404, expect.stringMatching(/^text\/html/)]);
  }, 180_000);

  it('a withdrawn offer is an HTML error page (410) in the reader\'s language, accessible too', async () => {
    const created = await offer('claim-page-gone');
    expectOk(await call(h, 'POST', `/issuers/${h.slug}/offers/${created.offer.id}/revoke`, { token: h.token, json: {} }));
    for (const lang of ['en', 'cy'] as const) {
      const page = await browser.page({ width: 320, lang });
      const res = await page.goto(local(created.links.page));
      expect(res?.status()).toBe(410);
      expect(res?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }
    const unknown = await call(h, 'GET', `/issuers/${h.slug}/claim/${'x'.repeat(43)}`);
    expect([unknown.status, unknown.headers['content-type']]).toEqual([404, expect.stringMatching(/^text\/html/)]);
  }, 120_000);
});

/** Every QR code of the page, drawn by the browser (image → canvas) and decoded with jsQR. */
async function decodeQrCodes(page: import('playwright-core').Page): Promise<string[]> {
  const images = await page.$$eval('img.qr', async (shown) => {
    const out: { data: number[]; width: number; height: number }[] = [];
    for (const qr of shown as HTMLImageElement[]) {
      const size = 400;
      const img = new Image(size, size);
      img.src = qr.src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = size;
      canvas.height = size;
      const c2d = canvas.getContext('2d') as CanvasRenderingContext2D;
      c2d.drawImage(img, 0, 0, size, size);
      out.push({ data: Array.from(c2d.getImageData(0, 0, size, size).data), width: size, height: size });
    }
    return out;
  });
  return images.map((i) => jsQR(Uint8ClampedArray.from(i.data), i.width, i.height)?.data ?? '(not a QR code)');
}
