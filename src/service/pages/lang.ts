/**
 * Internal: the language of a page. The reader's choice wins: the `lang` query parameter (the visible switch links
 * to it), then the cookie that choice sets, then the browser's `Accept-Language`. Unknown values are ignored, never
 * an error: a page always has a language.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isLang, negotiateLang } from '../../display/i18n/index.js';
import type { Lang } from '../../display/i18n/index.js';

/** The cookie that keeps the reader's choice of language (a preference the reader asked for; nothing else). */
export const LANG_COOKIE = 'microcred-lang';

/** Seconds the choice is kept: a year. */
const COOKIE_AGE = 365 * 24 * 3600;

/** The value of one cookie of a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface LangChoice {
  lang: Lang;
  /** A `Set-Cookie` value when the reader chose the language with the query parameter now. */
  setCookie?: string;
}

/**
 * The page's language and, when the reader picked it just now, the cookie that remembers it.
 *
 * @example
 * ```ts
 * pageLang({ headers: { 'accept-language': 'cy-GB,cy;q=0.9' }, query: {} }, false); // { lang: 'cy' }
 * pageLang({ headers: {}, query: { lang: 'cy' } }, true).setCookie; // 'microcred-lang=cy; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly; Secure'
 * ```
 */
export function pageLang(request: { headers: IncomingHttpHeaders; query: Readonly<Record<string, unknown>> }, secure: boolean): LangChoice {
  const asked = request.query.lang;
  if (isLang(asked)) {
    return { lang: asked, setCookie: `${LANG_COOKIE}=${asked}; Path=/; Max-Age=${COOKIE_AGE}; SameSite=Lax; HttpOnly${secure ? '; Secure' : ''}` };
  }
  const kept = cookieValue(request.headers.cookie, LANG_COOKIE);
  if (isLang(kept)) return { lang: kept };
  return { lang: negotiateLang(request.headers['accept-language']) };
}
