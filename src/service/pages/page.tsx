/**
 * # Pages of the service
 *
 * What every HTML page of the service is built from (the learner's credential page, the employer's verification page,
 * and the staff pages to come):
 * - `pageRouter(name, routes)` (router.ts): a router whose answers, error answers included, carry the pages' security headers
 *   (headers.ts: strict CSP, nosniff, no-referrer, no framing, HSTS on https) and whose errors are HTML pages in the
 *   reader's language (errors.tsx);
 * - `pageContext(input, ctx)`: the reader's language (`?lang=` switch, its cookie, `Accept-Language`), the
 *   deployment's base path and name;
 * - `htmlPage(pc, {...})`: a whole page in the layout (layout.tsx) as a `Reply`, with `Content-Language`, `Vary`,
 *   `Cache-Control` and, for `noindex`, `X-Robots-Tag`;
 * - `langQuery`: the `lang` query parameter to declare on every page route (documented; unknown values ignored).
 * Words come from the display catalogues (src/display/i18n, `page.*` and `verdict.*` keys, English and Welsh).
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Lang } from '../../display/i18n/index.js';
import type { ServiceContext } from '../context.js';
import type { Headers, Param, Reply } from '../http/declare.js';
import { problems } from '../problem.js';
import { Layout } from './layout.js';
import { pageLang } from './lang.js';

/** The `lang` query parameter of every page: `en` or `cy`; other values are ignored (the page keeps its language). */
export const langQuery: Param<string> = {
  in: 'query',
  description: 'Language of the page: en or cy (remembered in a cookie). Other values are ignored.',
  schema: { type: 'string', maxLength: 16 },
  refuse: (name) => problems.badRequest(`query parameter "${name}" was refused.`),
};

/** What a page needs to know of the request and the deployment. */
export interface PageContext {
  lang: Lang;
  /** Set when the reader chose the language just now (the `lang` parameter). */
  setCookie?: string;
  /** Path of the public URL, no trailing slash ('' at the root): every link starts with it. */
  base: string;
  /** The deployment's name (configuration `siteName`, else the public URL's host). */
  siteName: string;
  /** The deployment's public URL, no trailing slash. */
  publicUrl: string;
}

/**
 * The deployment's name as pages show it.
 *
 * @example
 * ```ts
 * deploymentName(ctx); // 'credentials.example.ac.uk' unless configured
 * ```
 */
export function deploymentName(ctx: ServiceContext): string {
  return ctx.config.siteName ?? new URL(ctx.publicUrl).host;
}

/**
 * The page context of a request.
 *
 * @example
 * ```ts
 * handler: ({ headers, rawQuery }, { ctx }) => htmlPage(pageContext({ headers, query: rawQuery }, ctx), { title, body })
 * ```
 */
export function pageContext(request: Parameters<typeof pageLang>[0], ctx: ServiceContext): PageContext {
  const choice = pageLang(request, ctx.publicUrl.startsWith('https:'));
  return {
    lang: choice.lang,
    ...(choice.setCookie ? { setCookie: choice.setCookie } : {}),
    base: new URL(ctx.publicUrl).pathname.replace(/\/+$/, ''),
    siteName: deploymentName(ctx),
    publicUrl: ctx.publicUrl,
  };
}

/** A page as HTML text (with its doctype). */
export function renderPage(page: ComponentChildren): string {
  return `<!doctype html>\n${renderToString(<>{page}</>)}`;
}

export interface PageOptions {
  title: string;
  body: ComponentChildren;
  status?: number;
  /** Keep search engines away (meta robots and X-Robots-Tag). */
  noindex?: boolean;
  /** Header name instead of the deployment's (an issuer's page shows the issuer). */
  siteName?: string;
  head?: ComponentChildren;
  banner?: ComponentChildren;
  script?: boolean;
  /** Default `no-store`: pages show live status or what a reader submitted. */
  cache?: string;
  headers?: Headers;
}

/**
 * The headers every page answer has besides the router's: language, caching, robots, the language cookie.
 *
 * @example
 * ```ts
 * pageAnswerHeaders(pc, { noindex: true }); // { 'Content-Language': 'en', Vary: 'Accept-Language, Cookie', ... }
 * ```
 */
export function pageAnswerHeaders(pc: PageContext, o: { noindex?: boolean; cache?: string }): Headers {
  return {
    'Content-Language': pc.lang,
    Vary: 'Accept-Language, Cookie',
    'Cache-Control': o.cache ?? 'no-store',
    ...(o.noindex ? { 'X-Robots-Tag': 'noindex, nofollow' } : {}),
    ...(pc.setCookie ? { 'Set-Cookie': pc.setCookie } : {}),
  };
}

/**
 * A page in the layout, as a handler's reply.
 *
 * @example
 * ```tsx
 * return htmlPage(pc, { title: label(pc.lang, 'page.verify.title'), body: <VerifyForm pc={pc} /> });
 * ```
 */
export function htmlPage(pc: PageContext, o: PageOptions): Reply {
  const html = renderPage(
    <Layout lang={pc.lang} title={o.title} siteName={o.siteName ?? pc.siteName} base={pc.base} noindex={o.noindex === true} head={o.head} script={o.script === true} banner={o.banner}>
      {o.body}
    </Layout>,
  );
  return {
    ...(o.status !== undefined ? { status: o.status } : {}),
    type: 'text/html; charset=utf-8',
    headers: { ...pageAnswerHeaders(pc, o), ...o.headers },
    body: html,
  };
}
