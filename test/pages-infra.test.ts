/**
 * The pages' frame, without a browser: language choice (switch, cookie, Accept-Language), the security headers and
 * their CSP, the layout's landmarks and escaping.
 */
import { describe, expect, it } from 'vitest';
import { cookieValue, LANG_COOKIE, pageLang } from '../src/service/pages/lang.js';
import { PAGE_CSP, pageHeaders } from '../src/service/pages/headers.js';
import { Layout } from '../src/service/pages/layout.js';
import { renderPage } from '../src/service/pages/page.js';
import { assetUrl, asset, ASSET_NAMES } from '../src/service/pages/assets.js';
import { h } from 'preact';

describe('page language', () => {
  it('the switch (?lang=) wins and sets a cookie; then the cookie; then Accept-Language; unknown values are ignored', () => {
    const cy = { 'accept-language': 'cy-GB,cy;q=0.9' };
    expect(pageLang({ headers: cy, query: {} }, false)).toEqual({ lang: 'cy' });
    const chosen = pageLang({ headers: cy, query: { lang: 'en' } }, true);
    expect(chosen.lang).toBe('en');
    expect(chosen.setCookie).toBe(`${LANG_COOKIE}=en; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly; Secure`);
    expect(pageLang({ headers: {}, query: { lang: 'cy' } }, false).setCookie).not.toContain('Secure');
    expect(pageLang({ headers: { ...cy, cookie: `a=b; ${LANG_COOKIE}=en` }, query: {} }, false)).toEqual({ lang: 'en' });
    expect(pageLang({ headers: { cookie: `${LANG_COOKIE}=fr` }, query: { lang: 'de' } }, false)).toEqual({ lang: 'en' });
    expect(pageLang({ headers: { cookie: `${LANG_COOKIE}=cy` }, query: { lang: ['cy', 'en'] } }, false)).toEqual({ lang: 'cy' });
  });

  it('reads one cookie of a Cookie header', () => {
    expect(cookieValue('x=1; microcred-lang=cy;y=2', 'microcred-lang')).toBe('cy');
    expect(cookieValue('xmicrocred-lang=cy', 'microcred-lang')).toBeUndefined();
    expect(cookieValue(undefined, 'a')).toBeUndefined();
  });
});

describe('security headers', () => {
  it('a strict CSP: nothing by default, no inline script or style, no framing, forms post here only', () => {
    const directives = Object.fromEntries(PAGE_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['form-action']).toEqual(["'self'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(PAGE_CSP).not.toMatch(/unsafe-|\*|https?:/);
  });

  it('HSTS only for an https deployment; the usual headers always', () => {
    const http = pageHeaders('http://127.0.0.1:3000');
    const https = pageHeaders('https://credentials.example.ac.uk');
    expect(http['Strict-Transport-Security']).toBeUndefined();
    expect(https['Strict-Transport-Security']).toBe('max-age=31536000');
    for (const headers of [http, https]) {
      expect(headers).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY', 'Content-Security-Policy': PAGE_CSP });
    }
  });
});

describe('layout', () => {
  const page = (lang: 'en' | 'cy', extra: Record<string, unknown> = {}) =>
    renderPage(h(Layout, { lang, title: 'Check <b>it</b>', siteName: 'Ysgol "Quotes" & <Co>', base: '/creds', noindex: true, ...extra }, h('p', null, '<script>alert(1)</script>')));

  it('has the landmarks, the skip link, lang, the switch to the other language and robots meta', () => {
    const html = page('cy');
    expect(html.startsWith('<!doctype html>\n<html lang="cy" dir="ltr">')).toBe(true);
    expect(html).toContain('<a class="skip-link" href="#main">Neidio i’r prif gynnwys</a>');
    expect(html).toContain('<main id="main" class="wrap" tabindex="-1">');
    expect(html).toContain('<nav class="lang-switch" aria-label="Iaith"><ul><li><a href="?lang=en" hreflang="en" lang="en">English</a></li></ul></nav>');
    expect(html).toContain('<link rel="alternate" hreflang="en" href="?lang=en"/>');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow"/>');
    expect(html).toContain(`href="${assetUrl('/creds', 'microcred.css')}"`);
    expect(html).toContain('<a href="/creds/verify">Gwirio tystlythyr</a>');
    expect(page('en')).not.toContain('<script src=');
    expect(page('en', { script: true })).toContain(`<script src="${assetUrl('/creds', 'microcred.js')}" defer></script>`);
    expect(page('en', { noindex: false })).not.toContain('robots');
  });

  it('escapes every text and attribute, and writes no inline script, style or handler', () => {
    const html = page('en', { script: true });
    expect(html).toContain('<title>Check &lt;b>it&lt;/b> – Ysgol &quot;Quotes&quot; &amp; &lt;Co></title>');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it('serves every asset it links to, with a content hash in the URL', () => {
    for (const name of ASSET_NAMES) {
      expect(asset(name).body.length, name).toBeGreaterThan(100);
      expect(assetUrl('', name)).toMatch(new RegExp(`^/assets/${name.replace('.', '\\.')}\\?v=[A-Za-z0-9_-]{8}$`));
    }
    expect(new TextDecoder().decode(asset('microcred.css').body)).toContain('source-sans-3-regular.woff2');
  });
});
