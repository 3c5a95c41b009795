/**
 * Internal: every request parameter the route handlers read (path, query, and the fields of their small JSON bodies;
 * completion records are validated by the record module) goes through one of these readers. Each checks the value
 * before it can reach the store or the core and throws a 4xx problem that names the parameter, so input never
 * becomes a database error and a 500.
 */
import type { Request } from 'express';
import type { JwtAlg } from '../keyset/keyset.js';
import type { CredentialFormat } from '../store/credentials.js';
import { decodeCursor } from '../store/cursor.js';
import type { CursorKey } from '../store/cursor.js';
import { isStorableText } from '../store/db.js';
import { parseTimestamp } from '../store/time.js';
import { SLUG_RE } from './admin.js';
import { HttpProblem, problems } from './problem.js';

/** Where a parameter comes from: named so in problem details (`query parameter "limit"`, `"reason"`). */
export type ParamSource = 'path' | 'query' | 'body';

function label(source: ParamSource, name: string): string {
  return source === 'body' ? `"${name}"` : `${source} parameter "${name}"`;
}

/** A 400 problem about one parameter; `parameter` says which, for programs. */
export function badParam(source: ParamSource, name: string, detail: string): HttpProblem {
  return problems.badRequest(`${label(source, name)} ${detail}`, { parameter: { in: source, name } });
}

/**
 * `value` when it is text the database can hold (no U+0000, no unpaired surrogate) of at most `maxLength`
 * characters; a 400 problem naming the parameter otherwise.
 *
 * @example
 * ```ts
 * const reason = checkText('body', 'reason', body.reason, 500);
 * ```
 */
export function checkText(source: ParamSource, name: string, value: string, maxLength?: number): string {
  if (!isStorableText(value)) throw badParam(source, name, 'must not contain U+0000 or an unpaired UTF-16 surrogate.');
  if (maxLength !== undefined && value.length > maxLength) throw badParam(source, name, `must be at most ${maxLength} characters; found ${value.length}.`);
  return value;
}

/**
 * express "query parser": like the default (`node:querystring`, flat keys, repeated keys become arrays) but strict
 * about percent-encoding: an escape that is not UTF-8 is a 400 naming the parameter, where the default silently
 * turned it into U+FFFD and so looked up a different value than the one sent.
 */
export function parseQueryString(query: string | null | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (!query) return out;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replaceAll('+', ' '));
    } catch {
      throw problems.badRequest(`The query parameter name ${JSON.stringify(rawKey)} is not valid percent-encoded UTF-8.`);
    }
    try {
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      throw badParam('query', key, 'is not valid percent-encoded UTF-8.');
    }
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/**
 * A path parameter (already percent-decoded by the router), checked as text.
 *
 * @example
 * ```ts
 * const id = pathParam(req, 'id');
 * ```
 */
export function pathParam(req: Request, name: string): string {
  const v = (req.params as Record<string, string | undefined>)[name];
  if (v === undefined) throw problems.badRequest(`missing path parameter "${name}".`);
  return checkText('path', name, v);
}

/**
 * The `:slug` of an issuer route. A slug no issuer can have is a 404 without a database look-up.
 *
 * @example
 * ```ts
 * const slug = issuerSlug(req); // 'northbridge'
 * ```
 */
export function issuerSlug(req: Request): string {
  const slug = pathParam(req, 'slug');
  if (!SLUG_RE.test(slug)) throw problems.notFound(`There is no issuer ${JSON.stringify(slug)} on this server (issuer slugs are lower-case letters, digits and "-").`);
  return slug;
}

/**
 * A query parameter given at most once, checked as text; undefined when absent.
 *
 * @example
 * ```ts
 * const learner = queryParam(req, 'learner');
 * ```
 */
export function queryParam(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParam('query', name, 'must be given once, as a string.');
  return checkText('query', name, v);
}

/**
 * An integer query parameter from `min` to `max` (digits only); undefined when absent.
 *
 * @example
 * ```ts
 * const limit = queryInt(req, 'limit', 1, 500);
 * ```
 */
export function queryInt(req: Request, name: string, min: number, max: number): number | undefined {
  const v = queryParam(req, name);
  if (v === undefined) return undefined;
  const n = /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw badParam('query', name, `must be an integer from ${min} to ${max}; found ${JSON.stringify(v)}.`);
  return n;
}

/**
 * A query parameter that must be one of `values`; undefined when absent.
 *
 * @example
 * ```ts
 * const status = queryEnum(req, 'status', ['active', 'revoked', 'suspended'] as const);
 * ```
 */
export function queryEnum<T extends string>(req: Request, name: string, values: readonly T[]): T | undefined {
  const v = queryParam(req, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw badParam('query', name, `must be ${oneOf(values)}; found ${JSON.stringify(v)}.`);
  return v as T;
}

/**
 * An ISO 8601 date or date-time query parameter of a real day and time (UTC when it has no offset), normalised for
 * the store; undefined when absent.
 *
 * @example
 * ```ts
 * const from = queryTimestamp(req, 'from'); // '2026-06-19T00:00:00Z' for ?from=2026-06-19
 * ```
 */
export function queryTimestamp(req: Request, name: string): string | undefined {
  const v = queryParam(req, name);
  if (v === undefined) return undefined;
  const at = parseTimestamp(v);
  if (at === undefined) throw badParam('query', name, `must be an ISO 8601 date or date-time of a real day (e.g. 2026-06-19 or 2026-06-19T10:00:00Z); found ${JSON.stringify(v)}.`);
  return at;
}

/**
 * A paging cursor handed out by this server (`next` of a previous page); undefined when absent.
 *
 * @example
 * ```ts
 * const cursor = queryCursor(req, 'text');
 * ```
 */
export function queryCursor(req: Request, key: CursorKey): string | undefined {
  const v = queryParam(req, 'cursor');
  if (v === undefined) return undefined;
  try {
    decodeCursor(v, key);
  } catch {
    throw badParam('query', 'cursor', 'is not a cursor this server handed out: use the "next" URL of a page as it is, or start again without a cursor.');
  }
  return v;
}

/**
 * `format` from the query or a body's options: "di" (default) or "jwt".
 *
 * @example
 * ```ts
 * const format = parseFormat(opts.format ?? queryParam(req, 'format'), opts.format !== undefined ? 'body' : 'query');
 * ```
 */
export function parseFormat(value: unknown, source: ParamSource, name = 'format'): CredentialFormat {
  if (value === undefined) return 'di';
  if (value === 'di' || value === 'jwt') return value;
  throw badParam(source, name, `must be "di" or "jwt"; found ${describeValue(value)}.`);
}

/** `alg` of a JWT: "ES256" or "EdDSA", or undefined (the issuer's default). */
export function parseAlg(value: unknown, source: ParamSource, name = 'alg'): JwtAlg | undefined {
  if (value === undefined) return undefined;
  if (value === 'ES256' || value === 'EdDSA') return value;
  throw badParam(source, name, `must be "ES256" or "EdDSA"; found ${describeValue(value)}.`);
}

/** A flag: true/false (also "1"/"0"); absent = false. */
export function parseBool(value: unknown, source: ParamSource, name: string): boolean {
  if (value === undefined) return false;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw badParam(source, name, `must be true or false; found ${describeValue(value)}.`);
}

/**
 * An optional string field of a JSON body, checked as text of at most `maxLength` characters.
 *
 * @example
 * ```ts
 * const label = bodyText(body, 'label', 200);
 * ```
 */
export function bodyText(body: Record<string, unknown>, name: string, maxLength: number, path = name): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParam('body', path, `must be a string; found ${describeValue(v)}.`);
  return checkText('body', path, v, maxLength);
}

function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length === 1 ? (quoted[0] as string) : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function describeValue(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
