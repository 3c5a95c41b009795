import { MicrocredError } from '../errors.js';
import type { ErrorObject } from '../lib/ajv.js';

/** One problem with an input document: where, what was expected, what was found. */
export interface RecordProblem {
  /** JSON path such as `$.course.credits.ects` or `$.course.learningOutcomes[0].text`. */
  path: string;
  expected: string;
  found: string;
  /** `<path>: expected <expected>, found <found>` – one sentence for people. */
  message: string;
}

/**
 * The error for an input with problems: one sentence per problem in the message (what a CLI prints), the list
 * itself as `details` (what an API returns).
 */
export function problemsError(code: 'RECORD_INVALID' | 'PROFILE_INVALID' | 'RULES_INVALID', what: string, problems: RecordProblem[]): MicrocredError {
  return new MicrocredError(
    code,
    `${what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `- ${p.message}`).join('\n'),
    problems,
  );
}

/** Builds a problem and its sentence. */
export function problem(path: string, expected: string, found: string): RecordProblem {
  return { path, expected, found, message: `${path}: expected ${expected}, found ${found}` };
}

/** `/course/learningOutcomes/0/text` -> `$.course.learningOutcomes[0].text`. */
export function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '$';
  for (const p of parts) {
    if (/^[0-9]+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/**
 * Characters that print as nothing or break a line, which JSON.stringify leaves as they are: C1 controls,
 * U+2028/U+2029 and U+FEFF. {@link describe} writes them as `\uXXXX` so people can see them.
 */
const INVISIBLE = /[\u0080-\u009F\u2028\u2029\uFEFF]/g;

/** Describes a found value briefly: strings quoted (invisible characters escaped), objects and arrays by kind, long text cut. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    // Cut text ends before a split surrogate pair, which would print as a lone half the value does not have.
    const s = value.length > 60 ? `${value.slice(0, 57).replace(/[\uD800-\uDBFF]$/, '')}...` : value;
    return JSON.stringify(s).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return String(value);
}

/** Length in code points, as JSON Schema's maxLength counts it. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * For a pattern of the form `^[^…]*$` (the character rules of our schemas): where the first character the
 * pattern refuses is, e.g. ` (U+0000 at character 4)`; empty for other patterns.
 */
function forbiddenAt(pattern: unknown, value: unknown): string {
  if (typeof pattern !== 'string' || typeof value !== 'string') return '';
  const m = /^\^\[\^(.+)\]\*\$$/.exec(pattern);
  if (!m) return '';
  const hit = new RegExp(`[${m[1]}]`, 'u').exec(value);
  if (!hit) return '';
  const code = (hit[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return ` (U+${code} at character ${codePoints(value.slice(0, hit.index)) + 1})`;
}

function withArticle(type: string): string {
  const names: Record<string, string> = {
    string: 'a text', number: 'a number', integer: 'a whole number', boolean: 'true or false',
    object: 'an object', array: 'a list', null: 'null',
  };
  return type.split(',').map((t) => names[t] ?? t).join(' or ');
}

function expectedFrom(err: ErrorObject): string | undefined {
  const parent = err.parentSchema as { expected?: unknown } | undefined;
  return typeof parent?.expected === 'string' ? parent.expected : undefined;
}

/**
 * Turns ajv errors (allErrors + verbose) into problems with clear sentences. Errors that only
 * restate another (an `if` that failed because its `then` did) are dropped, and duplicates merged.
 * `expectedOf` phrases what a failed rule asks for (default: the schema's own `expected` annotation);
 * when it has nothing to say, the sentence is derived from the keyword.
 */
export function problemsFromAjv(
  errors: readonly ErrorObject[] | null | undefined,
  expectedOf: (err: ErrorObject) => string | undefined = expectedFrom,
): RecordProblem[] {
  const out: RecordProblem[] = [];
  const seen = new Set<string>();
  const push = (p: RecordProblem): void => {
    const key = p.message;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  // anyOf/oneOf/contains report the errors of every branch or item too; keep only their summary.
  const summaryKeywords = new Set(['anyOf', 'oneOf', 'contains']);
  const summaries = (errors ?? []).filter((e) => summaryKeywords.has(e.keyword)).map((e) => e.instancePath);
  const underSummary = (e: ErrorObject): boolean =>
    !summaryKeywords.has(e.keyword) && summaries.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  for (const err of errors ?? []) {
    if (underSummary(err)) continue;
    const params = err.params as Record<string, unknown>;
    switch (err.keyword) {
      case 'if':
      case 'allOf':
        continue;
      case 'required': {
        const prop = String(params['missingProperty']);
        push(problem(jsonPath(err.instancePath, prop), 'a value (this field is required)', 'nothing'));
        continue;
      }
      case 'additionalProperties': {
        const prop = String(params['additionalProperty']);
        const allowed = Object.keys((err.parentSchema as { properties?: object }).properties ?? {});
        const data = err.data as Record<string, unknown>;
        push(
          problem(
            jsonPath(err.instancePath, prop),
            allowed.length ? `no such field (allowed here: ${allowed.join(', ')})` : 'no such field',
            describe(data?.[prop]),
          ),
        );
        continue;
      }
      default:
        break;
    }
    const path = jsonPath(err.instancePath);
    let found = describe(err.data);
    let expected = expectedOf(err);
    // Size limits are stated by their number, whatever the field's annotation says (it describes the field's form).
    if (err.keyword === 'maxLength') {
      expected = `at most ${String(params['limit'])} characters`;
      found = `a text of ${codePoints(String(err.data))} characters`;
    } else if (err.keyword === 'maxItems') {
      expected = `a list of at most ${String(params['limit'])} items`;
    } else if (err.keyword === 'type' && typeof err.data === 'number' && !Number.isFinite(err.data)) {
      // Infinity (JSON 1e400) and NaN are numbers to JavaScript but not to JSON Schema or any credential.
      expected = 'a finite number';
    } else if (err.keyword === 'pattern') {
      found += forbiddenAt(params['pattern'], err.data);
    }
    if (expected === undefined) {
      switch (err.keyword) {
        case 'type':
          expected = withArticle(String(params['type']));
          break;
        case 'minLength':
          expected = 'a non-empty text';
          break;
        case 'minItems':
          expected = `a list of at least ${String(params['limit'])} item(s)`;
          break;
        case 'uniqueItems':
          expected = 'a list without repeated values';
          break;
        case 'enum':
          expected = `one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
          break;
        case 'const':
          expected = JSON.stringify(params['allowedValue']);
          break;
        default:
          expected = err.message ?? 'a valid value';
      }
    }
    push(problem(path, expected, found));
  }
  return out;
}
