import { MicrocredError } from '../errors.js';
import type { ErrorObject } from '../schema/ajv.js';

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

/** Describes a found value briefly: strings quoted, objects and arrays by kind, long text cut. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(s);
  }
  return String(value);
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
    const found = describe(err.data);
    let expected = expectedOf(err);
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
