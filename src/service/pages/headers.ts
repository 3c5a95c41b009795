/**
 * Internal: the security headers of every page and of its error answers. The pages load nothing from elsewhere:
 * styles, the one script (progressive enhancement only) and the fonts come from this origin, images from this
 * origin or `data:` URIs; no inline script or style is allowed, forms post only here, and no other site may frame
 * a page. HSTS is sent when the deployment's public URL is https.
 */
import type { Headers } from '../http/declare.js';

/**
 * The Content-Security-Policy of the pages. `'unsafe-inline'` and `'unsafe-eval'` never appear: a page that needed
 * them would break in the browser tests.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** HSTS for a year; subdomains are the deployer's to decide, not ours. */
const HSTS = 'max-age=31536000';

/**
 * The headers of a page (and of its error answers) for a deployment at `publicUrl`.
 *
 * @example
 * ```ts
 * const router: Router = { name: 'pages', headers: (deps) => pageHeaders(deps.ctx.publicUrl), routes };
 * ```
 */
export function pageHeaders(publicUrl: string): Headers {
  return {
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    // The learner's page is at an unguessable URL: never send it to the sites a page links to.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    ...(publicUrl.startsWith('https:') ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}
