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
  /** Characters of text: every string value and every field name, in UTF-16 code units. */
  maxText: number;
  /** Longest field name, in UTF-16 code units. */
  maxKeyLength: number;
}

export const INPUT_BOUNDS: Readonly<ShapeBounds> = { maxDepth: 32, maxValues: 10_000, maxText: 1_000_000, maxKeyLength: 200 };

/**
 * The problems with the shape of `input` (too deep, too many values, too much text, too long a field name),
 * found without recursion; empty when it is within `bounds`. Stops at the first bound passed, so its own
 * work is bounded too.
 *
 * @example
 * ```ts
 * const problems = shapeProblems(JSON.parse(text));
 * if (problems.length) return { ok: false, problems }; // the schema check would not be safe
 * ```
 */
export function shapeProblems(input: unknown, bounds: Readonly<ShapeBounds> = INPUT_BOUNDS): RecordProblem[] {
  // Each pending value knows its parent, so a path is built only for a problem.
  interface Entry { value: unknown; key: string; parent: Entry | undefined; depth: number }
  const path = (entry: Entry | undefined): string => {
    const parts: string[] = [];
    for (let e = entry; e?.parent; e = e.parent) parts.unshift(`/${e.key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    return jsonPath(parts.join(''));
  };
  const tooMany = (): RecordProblem[] => [problem('$', `a document of at most ${bounds.maxValues} values (objects, lists, texts, numbers)`, `more than ${bounds.maxValues}`)];
  const tooMuchText = (): RecordProblem[] => [problem('$', `a document of at most ${bounds.maxText} characters of text`, `more than ${bounds.maxText}`)];
  const stack: Entry[] = [{ value: input, key: '', parent: undefined, depth: 0 }];
  let values = 1;
  let text = 0;
  while (stack.length > 0) {
    const entry = stack.pop() as Entry;
    const { value } = entry;
    if (typeof value === 'string') {
      text += value.length;
      if (text > bounds.maxText) return tooMuchText();
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const isList = Array.isArray(value);
    if (isList && values + value.length > bounds.maxValues) return tooMany();
    const keys = Object.keys(value);
    if (keys.length === 0) continue;
    values += keys.length;
    if (values > bounds.maxValues) return tooMany();
    const depth = entry.depth + 1;
    for (const key of keys) {
      const child = { value: (value as Record<string, unknown>)[key], key, parent: entry, depth };
      if (depth > bounds.maxDepth) {
        return [problem(path(child), `a value at most ${bounds.maxDepth} levels deep (objects and lists nested no deeper)`, `${describeKind(child.value)} at level ${depth}`)];
      }
      if (!isList) {
        if (key.length > bounds.maxKeyLength) {
          return [problem(path(entry), `field names of at most ${bounds.maxKeyLength} characters`, `a field name of ${key.length} characters`)];
        }
        text += key.length;
      }
      stack.push(child);
    }
    if (text > bounds.maxText) return tooMuchText();
  }
  return [];
}

function describeKind(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return 'a value';
}
