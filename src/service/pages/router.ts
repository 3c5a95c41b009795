/** Internal: a router of pages (see page.tsx for what pages are built from). */
import type { AnyRoute, Router } from '../http/declare.js';
import { htmlErrors } from './errors.js';
import { pageHeaders } from './headers.js';

/**
 * A router of pages: the pages' security headers on every answer (error answers included), HTML error pages in the
 * reader's language.
 *
 * @example
 * ```ts
 * export const adminPages = pageRouter('admin-pages', [dashboard, issuerPage]);
 * ```
 */
export function pageRouter(name: string, routes: readonly AnyRoute[]): Router {
  return { name, headers: (deps) => pageHeaders(deps.ctx.publicUrl), errorFormat: htmlErrors, routes };
}
