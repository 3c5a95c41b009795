/**
 * Documents too deep or too large for the checks that follow are refused first, with one clear problem
 * (a record nested 5,000 deep overflowed the stack in validateRecord).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateRecord, type RecordProblem } from '../src/record/validate.js';
import { validateProfile } from '../src/record/profile.js';
import { INPUT_BOUNDS } from '../src/record/bounds.js';

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const FULL = read('../examples/record.json');
const exampleProfile = read('../keys.example/profile.json');
type Json = any;

const problemsOf = (v: { ok: true } | { ok: false; problems: RecordProblem[] }): RecordProblem[] => (v.ok ? [] : v.problems);
const recordProblems = (doc: unknown) => problemsOf(validateRecord(doc));
const profileProblems = (doc: unknown) => problemsOf(validateProfile(doc));

describe('documents too deep or too large are refused before the schema check', () => {
  const nested = (depth: number, leaf: unknown = 'x'): unknown => {
    let v: unknown = leaf;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };

  it('a record nested 5,000 deep is one clear problem, not a stack overflow, wherever the nesting is', () => {
    for (const place of [(r: Json) => (r._comment = nested(5000)), (r: Json) => (r.course.stackability.parent = nested(5000)), (r: Json) => (r.extra = nested(5000))]) {
      const r = structuredClone(FULL);
      place(r);
      const v = validateRecord(r);
      expect(v.ok).toBe(false);
      const problems = v.ok ? [] : v.problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]!.expected).toBe('a value at most 32 levels deep (objects and lists nested no deeper)');
      expect(problems[0]!.found).toBe('an object at level 33');
      expect(problems[0]!.message).toBe(`${problems[0]!.path}: expected ${problems[0]!.expected}, found ${problems[0]!.found}`);
    }
    let list: unknown = [];
    for (let i = 0; i < 5000; i++) list = [list];
    expect(recordProblems({ ...structuredClone(FULL), recordId: list }).map((p) => p.found)).toEqual(['a list at level 33']);
    expect(profileProblems({ ...exampleProfile, _note: nested(5000) }).map((p) => p.found)).toEqual(['an object at level 33']);
  });

  it('nesting to the bound is accepted (in a comment field), one level more is refused', () => {
    // `_comment` is level 1, so 31 more objects put the leaf at level 32.
    expect(recordProblems({ ...structuredClone(FULL), _comment: nested(31) })).toEqual([]);
    expect(recordProblems({ ...structuredClone(FULL), _comment: nested(32) }).map((p) => p.message)).toEqual([
      `$._comment${'.a'.repeat(32)}: expected a value at most 32 levels deep (objects and lists nested no deeper), found a value at level 33`,
    ]);
  });

  it('too many values, too much text and too long field names are refused, named where the document is too large', () => {
    expect(recordProblems({ ...structuredClone(FULL), _comment: new Array(INPUT_BOUNDS.maxValues).fill(0) }).map((p) => p.message)).toEqual([
      `$._comment: expected at most ${INPUT_BOUNDS.maxValues} values (objects, lists, texts, numbers) in the whole document, found a list of ${INPUT_BOUNDS.maxValues} items here`,
    ]);
    expect(recordProblems({ ...structuredClone(FULL), _comment: 'x'.repeat(INPUT_BOUNDS.maxText) }).map((p) => p.message)).toEqual([
      `$._comment: expected at most ${INPUT_BOUNDS.maxText} characters of text in the whole document, found a text of ${INPUT_BOUNDS.maxText} characters here`,
    ]);
    const longKey = `_${'k'.repeat(INPUT_BOUNDS.maxKeyLength)}`;
    expect(recordProblems({ ...structuredClone(FULL), course: { ...FULL.course, [longKey]: 1 } }).map((p) => p.message)).toEqual([
      `$.course: expected field names of at most ${INPUT_BOUNDS.maxKeyLength} characters, found a field name of ${INPUT_BOUNDS.maxKeyLength + 1} characters`,
    ]);
    // 20,000 learning outcomes (the review's 4 MB credential) are named at the list.
    const many = structuredClone(FULL);
    many.course.learningOutcomes = Array.from({ length: 20_000 }, () => ({ text: 'Apply basic controls.' }));
    expect(recordProblems(many).map((p) => p.message)).toEqual([
      `$.course.learningOutcomes: expected at most ${INPUT_BOUNDS.maxValues} values (objects, lists, texts, numbers) in the whole document, found a list of 20000 items here`,
    ]);
    // A list of a million items is refused without looking at each.
    expect(profileProblems({ ...exampleProfile, _note: new Array(1_000_000) }).map((p) => p.path)).toEqual(['$._note']);
  });
});
