/**
 * The kinds of parameter and body field the routes declare, each with its schema (documented, checked by ajv) and
 * the problem that names it when a value is refused. The wording of every problem is the service's contract with
 * its callers: it is kept here, next to the schema it explains.
 */
import type { JwtAlg } from '../../keyset/keyset.js';
import type { CredentialFormat } from '../../store/credentials.js';
import { decodeCursor } from '../../store/cursor.js';
import type { CursorKey } from '../../store/cursor.js';
import { parseTimestamp } from '../../store/time.js';
import { SLUG_RE } from '../admin.js';
import { badParam, describeValue, oneOf, STORABLE_TEXT_PATTERN, textProblem } from '../params.js';
import type { ParamSource } from '../params.js';
import { problems } from '../problem.js';
import type { HttpProblem } from '../problem.js';
import { REFUSED } from './declare.js';
import type { Field, JsonSchema, Param } from './declare.js';

// ---- path and query parameters ----

/** Text, checked only by the rules every parameter has. */
export function textParam(where: 'path' | 'query', description: string): Param<string> {
  return { in: where, description, schema: { type: 'string' }, refuse: (name) => problems.badRequest(`${where} parameter "${name}" was refused.`) };
}

/**
 * The `{slug}` of an issuer route: a slug no issuer can have is a 404 without a database look-up.
 */
export const slugParam: Param<string> = {
  in: 'path',
  description: 'Issuer slug (path segment of its did:web).',
  schema: { type: 'string', pattern: SLUG_RE.source },
  refuse: (_name, text) => problems.notFound(`There is no issuer ${JSON.stringify(text)} on this server (issuer slugs are lower-case letters, digits and "-").`),
};

/** An integer from `min` to `max`, written as `digits` (default: up to 15 decimal digits). */
export function integerParam(
  where: 'path' | 'query',
  description: string,
  min: number,
  max: number,
  options: { digits?: RegExp; refuse?: Param['refuse'] } = {},
): Param<number> {
  const digits = options.digits ?? /^\d{1,15}$/;
  return {
    in: where,
    description,
    schema: { type: 'integer', minimum: min, maximum: max },
    decode: (text) => (digits.test(text) ? Number(text) : REFUSED),
    refuse: options.refuse ?? ((name, text) => badParam(where, name, `must be an integer from ${min} to ${max}; found ${JSON.stringify(text)}.`)),
  };
}

/** One of `values`. */
export function enumParam<T extends string>(where: 'path' | 'query', description: string, values: readonly T[], refuse?: Param['refuse']): Param<T> {
  return {
    in: where,
    description,
    schema: { enum: [...values] },
    refuse: refuse ?? ((name, text) => badParam(where, name, `must be ${oneOf(values)}; found ${JSON.stringify(text)}.`)),
  };
}

/** An ISO 8601 date or date-time of a real day and time (UTC when it has no offset), normalised for the store. */
export function timestampParam(description: string): Param<string> {
  return {
    in: 'query',
    description,
    schema: { type: 'string' },
    decode: (text) => parseTimestamp(text) ?? REFUSED,
    refuse: (name, text) => badParam('query', name, `must be an ISO 8601 date or date-time of a real day (e.g. 2026-06-19 or 2026-06-19T10:00:00Z); found ${JSON.stringify(text)}.`),
  };
}

/** A paging cursor this server handed out (the `next` of a previous page). */
export function cursorParam(key: CursorKey): Param<string> {
  return {
    in: 'query',
    description: 'From the previous page\'s "next".',
    schema: { type: 'string' },
    decode: (text) => {
      try {
        decodeCursor(text, key);
        return text;
      } catch {
        return REFUSED;
      }
    },
    refuse: (name) => badParam('query', name, 'is not a cursor this server handed out: use the "next" URL of a page as it is, or start again without a cursor.'),
  };
}

/** true/false (also 1/0). */
export function flagParam(description: string): Param<boolean> {
  return {
    in: 'query',
    description,
    schema: { type: 'boolean' },
    decode: (text) => (text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : REFUSED),
    refuse: (name, text) => badParam('query', name, `must be true or false; found ${describeValue(text)}.`),
  };
}

/** Proof format of an issuing request: "di" (default) or "jwt". */
export const formatParam: Param<CredentialFormat> = enumParam('query', 'Proof format (default di).', ['di', 'jwt'] as const, (name, text) =>
  badParam('query', name, `must be "di" or "jwt"; found ${describeValue(text)}.`),
);

/** JWT algorithm of an issuing request. */
export const algParam: Param<JwtAlg> = enumParam('query', 'JWT algorithm (default ES256 for did:web issuers).', ['ES256', 'EdDSA'] as const, (name, text) =>
  badParam('query', name, `must be "ES256" or "EdDSA"; found ${describeValue(text)}.`),
);

// ---- body fields ----

/** A string field of at most `maxLength` characters, storable (no U+0000, no unpaired surrogate). */
export function textField(description: string, maxLength: number, refuseMissing?: (path: string) => HttpProblem): Field {
  return {
    schema: { type: 'string', maxLength, pattern: STORABLE_TEXT_PATTERN, description },
    refuse: (found, path) => {
      if (found === undefined && refuseMissing) return refuseMissing(path);
      if (typeof found !== 'string') return badParam('body', path, `must be a string; found ${describeValue(found)}.`);
      return textProblem('body', path, found, maxLength) ?? badParam('body', path, 'was refused.');
    },
  };
}

/** A field that must be one of `values` (a 400 naming it otherwise). */
export function enumField(description: string, values: readonly unknown[], source: ParamSource = 'body'): Field {
  const quoted = values.map((v) => JSON.stringify(v));
  const expected = quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
  return { schema: { enum: [...values], description }, refuse: (found, path) => badParam(source, path, `must be ${expected}; found ${describeValue(found)}.`) };
}

/** A flag of a body: true/false (also the strings "true"/"false"/"1"/"0", as query parameters are written). */
export function flagField(description: string): Field {
  return {
    schema: { enum: [true, false, 'true', 'false', '1', '0'], description },
    refuse: (found, path) => badParam('body', path, `must be true or false; found ${describeValue(found)}.`),
  };
}

/**
 * The value of a checked `flagField` (a form sends its text): true for true, "true" and "1".
 *
 * @example
 * ```ts
 * flagValue(body.newLink); // false when absent
 * ```
 */
export function flagValue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}

/**
 * Content that a core function checks and reports in full (every problem with its JSON path), documented here and
 * only required to be present, if at all, by the pipeline.
 */
export function checkedElsewhere(schema: JsonSchema, refuseMissing?: (path: string) => HttpProblem): Field {
  return { schema, accepts: {}, ...(refuseMissing ? { refuse: (_found: unknown, path: string) => refuseMissing(path) } : {}) };
}

/**
 * An object of fields. With `typed: false` a value that is not an object is let through unread (VC-API clients send
 * `"options": null`): the handlers read its fields only when it is one.
 */
export function objectField(properties: Record<string, Field>, options: { required?: string[]; description?: string; typed?: boolean; refuse?: Field['refuse'] } = {}): Field {
  return {
    schema: { ...(options.typed === false ? {} : { type: 'object' }), ...(options.description ? { description: options.description } : {}) },
    properties,
    ...(options.required ? { required: options.required } : {}),
    ...(options.refuse ? { refuse: options.refuse } : {}),
  };
}
