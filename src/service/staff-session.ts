/**
 * Internal: sessions of the staff page (/admin). Signing in takes an issuer's API key once; the session is a cookie
 * (`HttpOnly`, `SameSite=Strict`, `Secure` on https, path /admin) holding the key's id, its issuer, an expiry and a
 * per-session CSRF token, signed with HMAC-SHA-256 (the token itself is never stored or sent back). Every request
 * checks the signature, the expiry and that the key is still active, so revoking the key ends its sessions. Every
 * form POST carries the session's CSRF token (compared in constant time); the sign-in form carries a token of its
 * own cookie (double submit), so no other site can sign a browser in either.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { findActiveApiKeyById, findApiKey } from '../store/api-keys.js';
import type { ApiKeyRow, Scope } from '../store/api-keys.js';
import type { ServiceContext } from './context.js';
import { cookieValue } from './pages/lang.js';
import { HttpProblem, problems } from './problem.js';

export const SESSION_COOKIE = 'microcred-staff';
export const SIGN_IN_COOKIE = 'microcred-staff-signin';
/** A session lasts a working day. */
const SESSION_SECONDS = 8 * 3600;

const secrets = new WeakMap<ServiceContext, Buffer>();

/** The signing secret: MICROCRED_SESSION_SECRET (configuration `sessionSecret`; the same on every instance), else random per process. */
function secret(ctx: ServiceContext): Buffer {
  let s = secrets.get(ctx);
  if (!s) {
    const configured = ctx.config.sessionSecret;
    s = configured ? createHmac('sha256', 'microcred-staff-session').update(configured).digest() : randomBytes(32);
    secrets.set(ctx, s);
  }
  return s;
}

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
const sign = (ctx: ServiceContext, text: string): string => createHmac('sha256', secret(ctx)).update(text).digest('base64url');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface StaffSession {
  key: ApiKeyRow;
  csrf: string;
  actor: string;
}

function cookie(ctx: ServiceContext, name: string, value: string, maxAge: number): string {
  const base = new URL(ctx.publicUrl).pathname.replace(/\/+$/, '');
  return `${name}=${value}; Path=${base}/admin; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${ctx.publicUrl.startsWith('https:') ? '; Secure' : ''}`;
}

/**
 * The session of a request, or undefined (no cookie, a forged or expired one, or its key revoked since).
 *
 * @example
 * ```ts
 * const session = await staffSession(ctx, headers); // undefined: show the sign-in form
 * ```
 */
export async function staffSession(ctx: ServiceContext, headers: IncomingHttpHeaders): Promise<StaffSession | undefined> {
  const value = cookieValue(headers.cookie, SESSION_COOKIE);
  const dot = value?.lastIndexOf('.') ?? -1;
  if (!value || dot < 1) return undefined;
  const body = value.slice(0, dot);
  if (!same(sign(ctx, body), value.slice(dot + 1))) return undefined;
  let claims: { k?: unknown; s?: unknown; x?: unknown; c?: unknown };
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return undefined;
  }
  if (typeof claims.k !== 'string' || typeof claims.c !== 'string' || typeof claims.x !== 'number' || claims.x < Date.now()) return undefined;
  const key = await findActiveApiKeyById(ctx.db, claims.k);
  if (!key || key.issuerSlug !== claims.s) return undefined;
  return { key, csrf: claims.c, actor: `api-key:${key.id}` };
}

/**
 * Signs in with an API key: the `Set-Cookie` values of the new session (and of the sign-in token, cleared). A
 * key that is unknown or revoked is a 401 problem.
 *
 * @example
 * ```ts
 * const { cookies } = await signIn(ctx, token);
 * ```
 */
export async function signIn(ctx: ServiceContext, token: string): Promise<{ key: ApiKeyRow; cookies: string[] }> {
  const key = token.trim() === '' ? undefined : await findApiKey(ctx.db, token.trim());
  if (!key) throw new HttpProblem(401, 'unauthorized', 'Authentication required', 'That API key is not known or has been revoked.');
  const body = b64(JSON.stringify({ k: key.id, s: key.issuerSlug, x: Date.now() + SESSION_SECONDS * 1000, c: b64(randomBytes(18)) }));
  return { key, cookies: [cookie(ctx, SESSION_COOKIE, `${body}.${sign(ctx, body)}`, SESSION_SECONDS), cookie(ctx, SIGN_IN_COOKIE, '', 0)] };
}

/** The `Set-Cookie` value that ends the session. */
export function signOutCookie(ctx: ServiceContext): string {
  return cookie(ctx, SESSION_COOKIE, '', 0);
}

/**
 * The sign-in form's token: the one of the reader's cookie, or a new one with its `Set-Cookie` value.
 *
 * @example
 * ```ts
 * const { token, setCookie } = signInToken(ctx, headers);
 * ```
 */
export function signInToken(ctx: ServiceContext, headers: IncomingHttpHeaders): { token: string; setCookie?: string } {
  const kept = cookieValue(headers.cookie, SIGN_IN_COOKIE);
  if (kept && /^[A-Za-z0-9_-]{24}$/.test(kept)) return { token: kept };
  const token = b64(randomBytes(18));
  return { token, setCookie: cookie(ctx, SIGN_IN_COOKIE, token, 3600) };
}

/** Refuses a form whose CSRF token is not `expected` (403). */
export function checkCsrf(expected: string | undefined, given: unknown): void {
  if (!expected || typeof given !== 'string' || !same(expected, given)) {
    throw problems.forbidden('This form has expired or did not come from this page: go back, reload the page and send it again.');
  }
}

/** Refuses an action the session's key may not do (403). */
export function requireScope(session: StaffSession, scope: Scope): void {
  if (!session.key.scopes.includes(scope)) throw problems.forbidden(`The API key you signed in with lacks the "${scope}" scope (it has: ${session.key.scopes.join(', ')}).`);
}
