/**
 * Internal: the rules every request parameter passes (path, query, and the fields of the small JSON bodies;
 * completion records are validated by the record module): text the store can hold, strict percent-encoding, and
 * the 4xx problem that names a refused parameter, so input never becomes a database error and a 500. The kinds of
 * parameter built on them are in http/inputs.ts.
 */
import { isStorableText } from '../store/db.js';
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
 * JSON Schema `pattern` (ECMAScript, Unicode mode, as ajv and OpenAPI 3.1 read it) of text the database can hold:
 * no U+0000 and no UTF-16 surrogate that is not half of a pair (in Unicode mode a pair reads as one code point
 * above U+FFFF, a lone surrogate as itself). Matches exactly the strings `isStorableText` accepts.
 */
export const STORABLE_TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

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
  const problem = textProblem(source, name, value, maxLength);
  if (problem) throw problem;
  return value;
}

/** What `checkText` would refuse `value` with, or undefined. */
export function textProblem(source: ParamSource, name: string, value: string, maxLength?: number): HttpProblem | undefined {
  if (!isStorableText(value)) return badParam(source, name, 'must not contain U+0000 or an unpaired UTF-16 surrogate.');
  if (maxLength !== undefined && value.length > maxLength) return badParam(source, name, `must be at most ${maxLength} characters; found ${value.length}.`);
  return undefined;
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

/** `"a", "b" or "c"`. */
export function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length === 1 ? (quoted[0] as string) : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** A value as problems quote it: JSON, cut at 80 characters. */
export function describeValue(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
