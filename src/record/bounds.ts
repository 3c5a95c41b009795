import { jsonPath, problem, type RecordProblem } from './problems.js';

/**
 * Bounds on the shape of an input document, checked before its schema, because the schema check and the
 * copy that follows recurse (a record nested a few thousand levels deep overflows the stack) and report
 * every unknown field (a million of them would be a million problems).
 *
 * The limits are far above anything a valid record or profile has: the record schema nests at most 5
 * levels (`$.result.grade.scale.values[0]`), a record filling every list and text to its schema limit has
 * under 700 values and about 320,000 characters, and no field name of the schema is longer than 20
 * characters. `_` comment fields count too: they are free-form but dropped, so they have no reason to be large.
 */
export interface ShapeBounds {
  /** Deepest allowed value, in path segments from the top (`$.a.b` is depth 2). */
  maxDepth: number;
  /** Objects, lists and plain values together. */
  maxValues: number;
  /**
   * Characters of text: every string value and every field name, in UTF-16 code units. Twice the service's
   * default 5 MB body limit, so within that a text too long is named by its field's own limit.
   */
  maxText: number;
  /** Longest field name, in UTF-16 code units. */
  maxKeyLength: number;
}

export const INPUT_BOUNDS: Readonly<ShapeBounds> = { maxDepth: 32, maxValues: 10_000, maxText: 10_000_000, maxKeyLength: 200 };

/** Where a walk stopped: the keys from the top to the value, and what was found there. */
interface Stop {
  keys: string[];
  problem: (path: string) => RecordProblem;
}

const pathOf = (keys: string[]): string => jsonPath(keys.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));

/**
 * The problems with the shape of `input` (too deep, too many values, too much text, too long a field name);
 * empty when it is within `bounds`. The walk recurses at most `maxDepth` levels, whatever the input, and
 * stops at the first bound passed.
 *
 * @example
 * ```ts
 * const problems = shapeProblems(JSON.parse(text));
 * if (problems.length) return { ok: false, problems }; // the schema check would not be safe
 * ```
 */
export function shapeProblems(input: unknown, bounds: Readonly<ShapeBounds> = INPUT_BOUNDS): RecordProblem[] {
  let values = 1;
  let text = 0;
  let over: 'values' | 'text' | undefined;
  /** Undefined when `value` (at `depth`) is within bounds; else where and why it is not (keys added on the way out). */
  const walk = (value: unknown, depth: number): Stop | undefined => {
    if (typeof value === 'string') {
      text += value.length;
      if (text > bounds.maxText) over = 'text';
      return undefined;
    }
    if (value === null || typeof value !== 'object') return undefined;
    const isList = Array.isArray(value);
    const keys = isList ? undefined : Object.keys(value);
    values += keys ? keys.length : (value as unknown[]).length;
    // Checked before the children are listed, so a list of a million items costs nothing more.
    if (values > bounds.maxValues) {
      over = 'values';
      return undefined;
    }
    const list = keys ?? Object.keys(value);
    if (list.length > 0 && depth === bounds.maxDepth) {
      const key = list[0] as string;
      const child = (value as Record<string, unknown>)[key];
      return { keys: [key], problem: (path) => problem(path, `a value at most ${bounds.maxDepth} levels deep (objects and lists nested no deeper)`, `${describeKind(child)} at level ${depth + 1}`) };
    }
    for (const key of list) {
      if (!isList) {
        if (key.length > bounds.maxKeyLength) {
          return { keys: [], problem: (path) => problem(path, `field names of at most ${bounds.maxKeyLength} characters`, `a field name of ${key.length} characters`) };
        }
        text += key.length;
      }
      const stop = walk((value as Record<string, unknown>)[key], depth + 1);
      if (stop) {
        stop.keys.unshift(key);
        return stop;
      }
      if (over) return undefined;
    }
    if (text > bounds.maxText) over = 'text';
    return undefined;
  };
  const stop = walk(input, 0);
  if (stop) return [stop.problem(pathOf(stop.keys))];
  if (over === 'values') {
    const at = largest(input, bounds.maxDepth, (v) => (Array.isArray(v) ? v.length : v !== null && typeof v === 'object' ? Object.keys(v).length : 0));
    const what = Array.isArray(at.value) ? `a list of ${at.size} items` : `an object of ${at.size} fields`;
    return [problem(pathOf(at.keys), `at most ${bounds.maxValues} values (objects, lists, texts, numbers) in the whole document`, `${what} here`)];
  }
  if (over === 'text') {
    const at = largest(input, bounds.maxDepth, (v) => (typeof v === 'string' ? v.length : 0));
    return [problem(pathOf(at.keys), `at most ${bounds.maxText} characters of text in the whole document`, `a text of ${at.size} characters here`)];
  }
  return [];
}

/**
 * The largest part of a document by `size`, to name in a "too large" problem: the list or text to cut,
 * nearly always. Only called once a bound was passed; one more pass, recursing at most `maxDepth` levels.
 */
function largest(input: unknown, maxDepth: number, size: (v: unknown) => number): { keys: string[]; value: unknown; size: number } {
  let best = { keys: [] as string[], value: input, size: size(input) };
  const visit = (value: unknown, keys: string[]): void => {
    const n = size(value);
    if (n > best.size) best = { keys, value, size: n };
    if (value === null || typeof value !== 'object' || keys.length >= maxDepth) return;
    for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], [...keys, key]);
  };
  visit(input, []);
  return best;
}

function describeKind(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return 'a value';
}
