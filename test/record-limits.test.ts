/**
 * Limits of the completion record and the issuer profile: every string, list and number has a bound, text holds no
 * characters that cannot be stored or shown, and a document too deep or too large is refused before its schema.
 * The boundary cases are generated from the schemas themselves, so a field added later is tested without a new row.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateRecord, type RecordProblem } from '../src/record/validate.js';
import { validateProfile } from '../src/record/profile.js';
import { INPUT_BOUNDS } from '../src/record/bounds.js';
import { buildCredential } from '../src/credential/annex1.js';

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const recordSchema = read('../src/schemas/completion-record.schema.json');
const profileSchema = read('../src/schemas/issuer-profile.schema.json');
const exampleProfile = read('../keys.example/profile.json');
const ISSUER = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

/** The full example record plus the optional parts it lacks, so every field of the schema exists in it. */
const FULL = (() => {
  const r = read('../examples/record.json');
  r.course.workload = { hours: 200 };
  r.course.awardingBody = { name: 'Partner University', url: 'https://partner.example.ac.uk/', country: 'United Kingdom', countryCode: 'GB', region: 'Wales', ukprn: '10012345' };
  return r;
})();

type Json = any;
type Segment = string | number;

/** A field of a schema: where it is, its schema node (and the `$defs` entry it refers to), and the branch it lives in. */
interface Field {
  segments: Segment[];
  path: string;
  node: Json;
  def: Json | undefined;
  /** `$.result.grade.kind=other` for a field of an `if`/`then` branch. */
  branch: string | undefined;
}

const pathOf = (segments: Segment[]): string => '$' + segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

/** Every typed node of a schema: properties, list items and the `then` of each `if` branch. */
function fieldsOf(schema: Json): Field[] {
  const out: Field[] = [];
  const walk = (node: Json, segments: Segment[], branch: string | undefined): void => {
    if (!node || typeof node !== 'object') return;
    if (['string', 'array', 'number', 'integer'].includes(node.type)) {
      const def = typeof node.$ref === 'string' ? schema.$defs[node.$ref.replace('#/$defs/', '')] : undefined;
      out.push({ segments, path: pathOf(segments), node, def, branch });
    }
    for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, [...segments, name], branch);
    if (node.items) walk(node.items, [...segments, 0], branch);
    for (const b of node.allOf ?? []) {
      if (!b.then) continue;
      const [[key, cond]] = Object.entries(b.if.properties) as [string, { const: string }][];
      walk(b.then, segments, `${pathOf(segments)}.${key}=${cond.const}`);
    }
  };
  walk(schema, [], undefined);
  return out;
}

const RECORD_FIELDS = fieldsOf(recordSchema);
const PROFILE_FIELDS = fieldsOf(profileSchema);
const strings = (fields: Field[]) => fields.filter((f) => f.node.type === 'string');
const lists = (fields: Field[]) => fields.filter((f) => f.node.type === 'array');
const numbers = (fields: Field[]) => fields.filter((f) => f.node.type === 'number' || f.node.type === 'integer');

/** Puts the record into the branch a field lives in (the full record already is a letter grade and integrated). */
const BRANCHES: Record<string, (r: Json) => void> = {
  '$.result.grade.kind=letter': () => {},
  '$.result.grade.kind=percentage': (r) => {
    r.result.grade = { kind: 'percentage', value: 64 };
  },
  '$.result.grade.kind=pass-fail': (r) => {
    r.result.grade = { kind: 'pass-fail', value: 'pass' };
  },
  '$.result.grade.kind=other': (r) => {
    r.result.grade = { kind: 'other', value: 'Merit', scale: { name: 'Pass/Merit/Distinction', values: ['Pass', 'Merit', 'Distinction'], min: 'Pass', max: 'Distinction' } };
  },
  '$.course.stackability.type=integrated': () => {},
  '$.course.stackability.type=stand-alone': (r) => {
    r.course.stackability = { type: 'stand-alone' };
  },
};

/** Cross-field rules a single changed value would break for reasons other than the one under test. */
function keepConsistent(r: Json, field: Field): void {
  const grade = r.result?.grade;
  if (field.path === '$.result.grade.value' && typeof grade?.value === 'string') {
    // The grade must be one of its scale's values.
    if (Array.isArray(grade.scale) && !grade.scale.includes(grade.value)) grade.scale = undefined;
    if (Array.isArray(grade.scale?.values) && !grade.scale.values.includes(grade.value)) delete grade.scale.values;
    if (grade.scale === undefined) delete grade.scale;
  }
  if (grade?.kind === 'percentage') delete r.result.mark; // a mark must equal a percentage grade
  const last = field.segments[field.segments.length - 1];
  if (field.path.endsWith('.credits.uk') || field.path.endsWith('.credits.ects')) {
    // Only the credit system under test, so the 2 UK = 1 ECTS agreement does not apply.
    const credits = get(r, field.segments.slice(0, -1));
    for (const k of Object.keys(credits)) if (k !== last) delete credits[k];
  }
  if (field.path === '$.course.level.eqf') r.course.level = { framework: 'SCQF', level: 5, eqf: r.course.level.eqf }; // no EQF referencing
}

function get(doc: Json, segments: Segment[]): Json {
  return segments.reduce((node, s) => node?.[s], doc);
}

/** A copy of the base document in the branch the field lives in. */
function baseFor(base: Json, field: Field): Json {
  const doc = structuredClone(base);
  if (field.branch) {
    const enter = BRANCHES[field.branch];
    if (!enter) throw new Error(`no base for branch ${field.branch}: add one to BRANCHES`);
    enter(doc);
  }
  return doc;
}

/** The base document with `value` at the field's place (in its branch), the rest left valid. */
function withValue(base: Json, field: Field, value: unknown): Json {
  const doc = baseFor(base, field);
  const parent = get(doc, field.segments.slice(0, -1));
  if (parent === undefined || parent === null) throw new Error(`${field.path}: the base document has no parent for this field`);
  parent[field.segments[field.segments.length - 1] as string] = value;
  keepConsistent(doc, field);
  return doc;
}

/** A valid value of `length` code points for a string field with a maxLength. */
function textOfLength(field: Field, length: number): string {
  const { node } = field;
  if (node.format === 'uri') return `https://example.org/${'a'.repeat(length - 20)}`;
  if (node.format === 'email') {
    const local = 'a'.repeat(64);
    let rest = length - local.length - 1 - '.example'.length;
    const labels: string[] = [];
    while (rest > 0) {
      const n = Math.min(63, rest === 64 ? 62 : rest); // a label is 1-63 characters; never leave a lone dot
      labels.push('b'.repeat(n));
      rest -= n + 1;
    }
    return `${local}@${labels.join('.')}.example`;
  }
  if (typeof node.pattern === 'string' && node.pattern.startsWith('^did:')) return `did:web:${'a'.repeat(length - 8)}`;
  // One astral character: the limit counts code points (as JSON Schema does), not UTF-16 units.
  return `${'a'.repeat(length - 1)}😀`;
}

/**
 * Fields whose own pattern or format fixes their length, with their longest valid value. A new such field
 * fails the test below until it has a row here.
 */
const LONGEST_FIXED_FORM: Record<string, string> = {
  '$.course.learningOutcomes[0].escoSkill': 'http://data.europa.eu/esco/skill/80f308e6-0e09-404a-80cd-ec5f50f6f304',
  '$.course.subjects.hecos[0].code': '100366',
  '$.course.subjects.cah[0].code': 'CAH11-01-01',
  '$.course.language': 'abcd-Latn-419',
  '$.course.awardingBody.countryCode': 'GB',
  '$.course.awardingBody.ukprn': '10012345',
  '$.countryCode': 'GB',
  '$.ukprn': '10012345',
  '$.result.grade.value': 'Distinct10',
  '$.result.completionDate': '2026-06-19',
  '$.result.activityStartDate': '2026-03-02',
  '$.result.activityEndDate': '2026-05-15',
};

/** The length limit of a string field: its own or its `$defs` entry's maxLength. */
const maxLengthOf = (f: Field): number | undefined => f.node.maxLength ?? f.def?.maxLength;
/** A pattern bounds the length when it is anchored and has no unbounded repetition. */
const boundedPattern = (p: unknown): boolean => typeof p === 'string' && p.startsWith('^') && p.endsWith('$') && !/[*+]|\{\d+,\}/.test(p);

function problemsOf(validate: (d: unknown) => { ok: boolean; problems?: RecordProblem[] }, doc: unknown): RecordProblem[] {
  const v = validate(doc) as { ok: true } | { ok: false; problems: RecordProblem[] };
  return v.ok ? [] : v.problems;
}
const recordProblems = (doc: unknown) => problemsOf(validateRecord, doc);
const profileProblems = (doc: unknown) => problemsOf(validateProfile, doc);

const SCHEMAS = [
  { name: 'record', schema: recordSchema, fields: RECORD_FIELDS, base: FULL, problems: recordProblems },
  { name: 'issuer profile', schema: profileSchema, fields: PROFILE_FIELDS, base: exampleProfile, problems: profileProblems },
] as const;

describe('every string, list and number of the schemas has a limit', () => {
  it('the walk sees every field (49 texts in the record, 9 in the profile)', () => {
    expect(strings(RECORD_FIELDS)).toHaveLength(49);
    expect(strings(PROFILE_FIELDS)).toHaveLength(9);
    expect(lists(RECORD_FIELDS).map((f) => f.path)).toContain('$.course.learningOutcomes');
    expect(validateRecord(FULL).ok).toBe(true);
  });

  for (const { name, fields } of SCHEMAS) {
    it(`${name}: each string has a maxLength (its own or its kind's) or a form that fixes its length`, () => {
      const unbounded = strings(fields).filter((f) => maxLengthOf(f) === undefined && !boundedPattern(f.node.pattern) && f.node.format !== 'date');
      expect(unbounded.map((f) => f.path)).toEqual([]);
      const fixedWithoutSample = strings(fields).filter((f) => maxLengthOf(f) === undefined && !(f.path in LONGEST_FIXED_FORM));
      expect(fixedWithoutSample.map((f) => f.path)).toEqual([]);
    });

    it(`${name}: each list has a maxItems and each number a maximum`, () => {
      expect(lists(fields).filter((f) => typeof f.node.maxItems !== 'number').map((f) => f.path)).toEqual([]);
      const max = (f: Field) => f.node.maximum ?? (f.node.allOf ?? []).find((b: Json) => typeof b.maximum === 'number')?.maximum;
      expect(numbers(fields).filter((f) => typeof max(f) !== 'number').map((f) => f.path)).toEqual([]);
    });
  }

  it('the README states the limits the schemas and the document bounds use', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const note = readme.slice(readme.indexOf('The schema is authoritative for every detail'), readme.indexOf('The awarding body (name, URL'));
    const n = (x: number) => x.toLocaleString('en-GB');
    const course = recordSchema.properties.course.properties;
    const parentCredits = course.stackability.allOf[1].then.properties.parent.properties.credits.properties;
    const claims: [string, number][] = [
      ...['identifier', 'code', 'line', 'text', 'longText', 'url'].map((k) => [`${k} length`, recordSchema.$defs[k].maxLength] as [string, number]),
      ['email length', recordSchema.properties.learner.properties.email.maxLength],
      ['learning outcomes', course.learningOutcomes.maxItems], ['QA entries', course.qualityAssurance.maxItems], ['PSRB entries', course.psrb.maxItems],
      ['HECoS subjects', course.subjects.properties.hecos.maxItems], ['CAH subjects', course.subjects.properties.cah.maxItems],
      ['UK credits', course.credits.properties.uk.allOf[0].maximum], ['ECTS', course.credits.properties.ects.allOf[0].maximum],
      ['parent UK credits', parentCredits.uk.allOf[0].maximum],
      ['depth', INPUT_BOUNDS.maxDepth], ['values', INPUT_BOUNDS.maxValues],
    ];
    for (const [what, value] of claims) expect(note, `${what}: ${value}`).toMatch(new RegExp(`\\b${n(value)}\\b`));
  });

  it('the issuer profile uses the same kinds of text as the record (one definition, kept equal)', () => {
    for (const [kind, def] of Object.entries(profileSchema.$defs)) expect(def, kind).toEqual(recordSchema.$defs[kind]);
  });
});

for (const { name, fields, base, problems } of SCHEMAS) {
  describe(`${name}: text at its limit is accepted, one character more is refused`, () => {
    const cases = strings(fields).map((f) => [f.path + (f.branch ? ` (${f.branch})` : ''), f] as const);
    it.each(cases)('%s', (_label, field) => {
      const limit = maxLengthOf(field);
      if (limit === undefined) {
        const longest = LONGEST_FIXED_FORM[field.path] as string;
        expect(problems(withValue(base, field, longest))).toEqual([]);
        const over = problems(withValue(base, field, longest + longest.slice(-1)));
        expect(over.map((p) => p.path)).toEqual([field.path]);
        return;
      }
      const atLimit = textOfLength(field, limit);
      expect([...atLimit]).toHaveLength(limit);
      expect(problems(withValue(base, field, atLimit))).toEqual([]);
      const over = problems(withValue(base, field, textOfLength(field, limit + 1)));
      expect(over.map((p) => p.message)).toEqual([`${field.path}: expected at most ${limit} characters, found a text of ${limit + 1} characters`]);
    });
  });
}

describe('record: lists at their limit are accepted, one item more is refused', () => {
  /** `n` valid items: the existing ones, then copies of the first (objects) or new distinct values (texts). */
  const items = (existing: Json[], n: number): Json[] =>
    Array.from({ length: n }, (_, i) => existing[i] ?? (typeof existing[0] === 'string' ? `V${i}` : structuredClone(existing[0])));
  it.each(lists(RECORD_FIELDS).map((f) => [f.path + (f.branch ? ` (${f.branch})` : ''), f] as const))('%s', (_label, field) => {
    const limit = field.node.maxItems as number;
    const existing = get(baseFor(FULL, field), field.segments);
    expect(Array.isArray(existing) && existing.length > 0, `${field.path} has items in the base record`).toBe(true);
    expect(recordProblems(withValue(FULL, field, items(existing, limit)))).toEqual([]);
    const over = recordProblems(withValue(FULL, field, items(existing, limit + 1)));
    expect(over.map((p) => p.message)).toEqual([`${field.path}: expected a list of at most ${limit} items, found a list of ${limit + 1} items`]);
  });
});

describe('record: numbers within what the domain allows, and finite', () => {
  it.each(numbers(RECORD_FIELDS).map((f) => [f.path + (f.branch ? ` (${f.branch})` : ''), f] as const))('%s', (_label, field) => {
    const max = field.node.maximum ?? (field.node.allOf as Json[]).find((b) => typeof b.maximum === 'number').maximum;
    const step = field.node.type === 'integer' ? 1 : 0.5;
    expect(recordProblems(withValue(FULL, field, max))).toEqual([]);
    expect(recordProblems(withValue(FULL, field, max + step)).map((p) => p.path)).toEqual([field.path]);
    for (const v of [Infinity, -Infinity, NaN]) {
      expect(recordProblems(withValue(FULL, field, v)).map((p) => p.message)).toEqual([`${field.path}: expected a finite number, found ${String(v)}`]);
    }
  });

  it('refuses the credits of the review (1e308 ECTS, 1e309 UK credits) with the reason', () => {
    const text = JSON.stringify(FULL);
    const ects = JSON.parse(text.replace('"credits":{"uk":20,"ects":10}', '"credits":{"ects":1e308}'));
    expect(recordProblems(ects).map((p) => p.message)).toEqual([
      '$.course.credits.ects: expected at most 60 ECTS credits (a micro-credential is at most a year of full-time study), found 1e+308',
    ]);
    const uk = JSON.parse(text.replace('"credits":{"uk":20,"ects":10}', '"credits":{"uk":1e309}'));
    expect(uk.course.credits.uk).toBe(Infinity);
    expect(recordProblems(uk).map((p) => p.message)).toEqual(['$.course.credits.uk: expected a finite number, found Infinity']);
    // The level (a whole number or an entry level, bounded by its framework's range in code) is finite too.
    const level = structuredClone(FULL);
    level.course.level.level = Infinity;
    expect(recordProblems(level).map((p) => p.path)).toContain('$.course.level.level');
  });

  it('a micro-credential at the credit limit still becomes a valid credential (120 UK credits, 1,200 notional hours)', () => {
    const r = structuredClone(FULL);
    r.course.credits = { ects: 60 };
    const credential = buildCredential(exampleProfile, r, { issuerId: ISSUER });
    expect(credential.credentialSubject.achievement.creditsAvailable).toBe(120);
    expect(credential.credentialSubject.creditsEarned).toBe(120);
  });
});

/** The character kinds of the schemas and what each accepts. */
const KINDS: Record<string, { lineBreaks: boolean }> = {
  identifier: { lineBreaks: false }, code: { lineBreaks: false }, line: { lineBreaks: false }, text: { lineBreaks: true }, longText: { lineBreaks: true },
};

for (const { name, fields, base, problems } of SCHEMAS) {
  describe(`${name}: text fields refuse characters that cannot be stored, sent or seen`, () => {
    const all = strings(fields).map((f) => [f.path + (f.branch ? ` (${f.branch})` : ''), f] as const);
    it.each(all)('%s refuses U+0000 and unpaired surrogates', (_label, field) => {
      const valid = (get(baseFor(base, field), field.segments) ?? LONGEST_FIXED_FORM[field.path]) as string;
      expect(typeof valid, `${field.path} has a value in the base document`).toBe('string');
      for (const bad of [`${valid}\u0000`, `\uD800${valid}`, `${valid}\uDFFF`, `${valid.slice(0, 1)}\uDBFF\uDBFF${valid.slice(1)}`]) {
        const found = problems(withValue(base, field, bad));
        expect(found.map((p) => p.path), JSON.stringify(bad)).toEqual([field.path]);
      }
    });

    const kinded = strings(fields).filter((f) => f.node.$ref).map((f) => [f.path + (f.branch ? ` (${f.branch})` : ''), f] as const);
    it.each(kinded)('%s: control characters, U+FEFF and line breaks by kind', (_label, field) => {
      const kind = (field.node.$ref as string).replace('#/$defs/', '');
      if (kind === 'url') {
        expect(problems(withValue(base, field, 'https://example.org/a\u0000b')).map((p) => p.path)).toEqual([field.path]);
        return;
      }
      const rule = KINDS[kind];
      expect(rule, `kind ${kind}`).toBeDefined();
      for (const [bad, code, at] of [
        ['Am\u0000ara', '0000', 3], ['\uD83DAmara', 'D83D', 1], ['Amara\uDE00', 'DE00', 6], ['Am\u0085ara', '0085', 3],
        ['Am\u007Fara', '007F', 3], ['\uFEFFAmara', 'FEFF', 1], ['Am\u001Bara', '001B', 3], ['Am\u000Bara', '000B', 3],
      ] as const) {
        const found = problems(withValue(base, field, bad));
        expect(found.map((p) => p.message), JSON.stringify(bad)).toEqual([
          `${field.path}: expected ${field.def.expected}, found ${JSON.stringify(bad).replace(/[\u0085\uFEFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)} (U+${code} at character ${at})`,
        ]);
      }
      for (const breaks of ['line one\nline two', 'line one\r\nline two', 'column\tcolumn', 'line\u2028line']) {
        const ok = problems(withValue(base, field, breaks)).length === 0;
        // U+2028 is a line break too: prose may hold it, a single line may not.
        expect(ok, `${kind} with ${JSON.stringify(breaks)}`).toBe(rule!.lineBreaks);
      }
      expect(problems(withValue(base, field, 'Ōkafor-Reid 😀 (Cymraeg: ŵ ŷ)'))).toEqual([]);
    });
  });
}

describe('letter grades', () => {
  it('a letter grade is at most 10 characters on one line; its scale may list longer names, as before', () => {
    const r = structuredClone(FULL);
    r.result.grade = { kind: 'letter', value: 'Merit', scale: ['Fail', 'Pass', 'Merit', 'Distinction'] };
    expect(recordProblems(r)).toEqual([]);
    r.result.grade.value = 'M\u0000';
    expect(recordProblems(r).map((p) => p.path)).toEqual(['$.result.grade.value']);
  });
});

describe('identifiers', () => {
  it('a recordId with a leading U+FEFF is refused (some stores drop it, so two ids would collide)', () => {
    expect(recordProblems({ ...structuredClone(FULL), recordId: '\uFEFFNBU-2026-1' }).map((p) => p.message)).toEqual([
      '$.recordId: expected an identifier without control characters, U+FEFF or unpaired surrogates, found "\\uFEFFNBU-2026-1" (U+FEFF at character 1)',
    ]);
  });
});

describe('a record at every limit at once', () => {
  it('a record filling every list and text to its limit is within the document bounds and becomes a valid credential', () => {
    const r = structuredClone(FULL);
    const maxText = (f: Field) => (maxLengthOf(f) !== undefined ? textOfLength(f, maxLengthOf(f)!) : undefined);
    // Lists first (filled with copies), then every text of every item at its limit.
    for (const f of lists(RECORD_FIELDS).filter((l) => !l.branch)) {
      const list = get(r, f.segments) as Json[];
      while (list.length < f.node.maxItems) list.push(typeof list[0] === 'string' ? `V${list.length}` : structuredClone(list[0]));
    }
    for (const f of strings(RECORD_FIELDS).filter((s) => !s.branch && maxLengthOf(s) !== undefined)) {
      const listAt = f.segments.indexOf(0);
      const owners = listAt < 0 ? [f.segments.slice(0, -1)] : (get(r, f.segments.slice(0, listAt)) as Json[]).map((_, i) => [...f.segments.slice(0, listAt), i, ...f.segments.slice(listAt + 1, -1)]);
      for (const owner of owners) get(r, owner)[f.segments[f.segments.length - 1] as string] = maxText(f);
    }
    const v = validateRecord(r);
    expect(v.ok ? [] : v.problems.map((p) => p.message)).toEqual([]);
    // Far inside the document bounds (about 400 values and 320,000 characters; the letter and other scales add 250 values).
    let values = 0;
    (function count(x: unknown): void {
      values++;
      if (x && typeof x === 'object') for (const c of Object.values(x)) count(c);
    })(r);
    expect(values + 250).toBeLessThan(INPUT_BOUNDS.maxValues / 10);
    expect(JSON.stringify(r).length).toBeLessThan(INPUT_BOUNDS.maxText / 2);
    const credential = buildCredential(exampleProfile, r, { issuerId: ISSUER });
    // What such a record costs: the credential a wallet would hold.
    expect(JSON.stringify(credential).length).toBeLessThan(1_000_000);
  });
});

describe('every problem at once, each with its path, expected and found', () => {
  it('reports the new kinds of problem together with the old ones', () => {
    const r = structuredClone(FULL);
    r.course.title = 'x'.repeat(301);
    r.course.code = 'PHM\u00007021';
    r.course.credits = { ects: 1e308 };
    r.course.learningOutcomes = Array.from({ length: 51 }, () => ({ text: 'Apply basic controls.' }));
    r.learner.studentId = '\uD800';
    r.course.level.eqf = 9;
    const problems = recordProblems(r);
    expect(problems.map((p) => p.path).sort()).toEqual([
      '$.course.code', '$.course.credits.ects', '$.course.learningOutcomes', '$.course.level.eqf', '$.course.title', '$.learner.studentId',
    ]);
    for (const p of problems) expect(p.message).toBe(`${p.path}: expected ${p.expected}, found ${p.found}`);
    expect(problems.find((p) => p.path === '$.course.title')?.message).toBe('$.course.title: expected at most 300 characters, found a text of 301 characters');
  });
});
