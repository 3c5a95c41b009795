/**
 * The stacking rules document: JSON Schema (`src/schemas/stacking-rules.schema.json`, compiled by a strict 2019-09
 * Ajv) plus the cross-field rules a schema cannot say, every problem reported at once with its JSON path.
 */
import { createStrictAjv, lazyValidator, readSchema, type ErrorObject } from '../lib/ajv.js';
import { FRAMEWORK_LEVELS } from '../record/levels.js';
import { describe, problem, problemsError, problemsFromAjv, type RecordProblem } from '../record/problems.js';
import type { FrameworkLevel, LevelFramework } from '../record/types.js';
import type { StackingRules } from './types.js';

export type RulesValidation = { ok: true; rules: StackingRules } | { ok: false; problems: RecordProblem[] };

const rulesValidator = lazyValidator(() => createStrictAjv().compile(readSchema('stacking-rules.schema.json')));

/** Phrases what a failed keyword asks for (the strict schema carries no custom annotations). */
function expectedOf(err: ErrorObject): string | undefined {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'maxLength':
      return `a text of at most ${String(p['limit'])} characters`;
    case 'maxItems':
      return `a list of at most ${String(p['limit'])} items`;
    case 'minimum':
      return `a number of at least ${String(p['limit'])}`;
    case 'maximum':
      return `a number of at most ${String(p['limit'])}`;
    case 'exclusiveMinimum':
      return `a number greater than ${String(p['limit'])}`;
    case 'minProperties':
      return `an object with at least ${String(p['limit'])} field(s)`;
    case 'maxProperties':
      return `an object with exactly one of its fields`;
    case 'format':
      return p['format'] === 'date' ? 'a date written YYYY-MM-DD' : `a valid ${String(p['format'])}`;
    case 'pattern': {
      const path = err.instancePath;
      if (/\/cah\/\d+$/.test(path)) return 'a CAH code such as "CAH11", "CAH11-01" or "CAH11-01-01"';
      if (/\/hecos\/\d+$/.test(path)) return 'a six-digit HECoS code such as "100366"';
      if (/\/domain$/.test(path)) return 'a lower-case domain name such as "uni.example.ac.uk"';
      if (/\/url$/.test(path)) return 'an http(s) URL';
      if (/\/(id|issuer|did|achievementId)$/.test(path)) return 'a URI (a DID, an https URL or a urn:uuid:)';
      return `a value matching ${String(p['pattern'])}`;
    }
    default:
      return undefined;
  }
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function checkLevel(level: unknown, path: string, out: RecordProblem[]): void {
  const l = obj(level);
  if (!l) return;
  const fw = l['framework'];
  const at = l['atLeast'];
  if (fw === 'EQF') {
    if (typeof at !== 'number' || at < 1 || at > 8) out.push(problem(`${path}.atLeast`, 'an EQF level from 1 to 8', describe(at)));
  } else if (typeof fw === 'string' && fw in FRAMEWORK_LEVELS) {
    const allowed = FRAMEWORK_LEVELS[fw as LevelFramework];
    if ((typeof at === 'number' || typeof at === 'string') && !allowed.includes(at as FrameworkLevel)) {
      out.push(problem(`${path}.atLeast`, `a ${fw} level (${allowed.map((x) => JSON.stringify(x)).join(', ')})`, describe(at)));
    }
  }
}

function checkCourse(course: unknown, path: string, out: RecordProblem[]): void {
  const c = obj(course);
  if (c && c['code'] === undefined && c['achievementId'] === undefined) {
    out.push(problem(path, 'a course named by "code" (with an optional "issuer") or by "achievementId"', 'neither'));
  }
}

function checkUniqueIds(items: unknown, path: string, out: RecordProblem[]): void {
  const seen = new Set<string>();
  arr(items).forEach((item, i) => {
    const id = obj(item)?.['id'];
    if (typeof id !== 'string') return;
    if (seen.has(id)) out.push(problem(`${path}[${i}].id`, 'an id not used by another entry of the list', JSON.stringify(id)));
    seen.add(id);
  });
}

/** Cross-field rules; they run on whatever parts have the right shape, so one pass reports everything. */
function crossFieldRules(rules: Loose, out: RecordProblem[]): void {
  const requirements = ['totalCredits', 'minimums', 'groups', 'requiredCourses'].filter((k) => rules[k] !== undefined);
  if (requirements.length === 0) {
    out.push(problem('$', 'at least one requirement: totalCredits, minimums, groups or requiredCourses', 'none'));
  }
  arr(rules['minimums']).forEach((m, i) => checkLevel(obj(m)?.['level'], `$.minimums[${i}].level`, out));
  arr(rules['groups']).forEach((g, i) => {
    checkLevel(obj(g)?.['level'], `$.groups[${i}].level`, out);
    arr(obj(g)?.['courses']).forEach((c, j) => checkCourse(c, `$.groups[${i}].courses[${j}]`, out));
  });
  arr(rules['bundles']).forEach((b, i) => checkLevel(obj(b)?.['level'], `$.bundles[${i}].level`, out));
  arr(rules['requiredCourses']).forEach((c, i) => checkCourse(c, `$.requiredCourses[${i}]`, out));
  arr(rules['equivalences']).forEach((e, i) => arr(obj(e)?.['courses']).forEach((c, j) => checkCourse(c, `$.equivalences[${i}].courses[${j}]`, out)));
  checkUniqueIds(rules['groups'], '$.groups', out);
  checkUniqueIds(rules['bundles'], '$.bundles', out);
  checkUniqueIds(rules['minimums'], '$.minimums', out);
  const rpl = obj(rules['rpl']);
  if (rpl) {
    if (rules['homeProviders'] === undefined) {
      out.push(problem('$.homeProviders', 'the home providers (whose credit is not prior learning), because "rpl" limits credit from everyone else', 'nothing'));
    }
    if (rpl['maxShare'] !== undefined && rpl['maxCredits'] === undefined && rules['totalCredits'] === undefined) {
      out.push(problem('$.totalCredits', 'the total credit of the award, because "rpl.maxShare" is a share of it (or give "rpl.maxCredits")', 'nothing'));
    }
  }
  const issuers = new Set<string>();
  arr(rules['creditMappings']).forEach((m, i) => {
    const issuer = obj(m)?.['issuer'];
    if (typeof issuer !== 'string') return;
    if (issuers.has(issuer)) out.push(problem(`$.creditMappings[${i}].issuer`, 'one mapping per issuer', JSON.stringify(issuer)));
    issuers.add(issuer);
  });
}

/**
 * Validates a stacking rules document against its JSON Schema and the cross-field rules, reporting every problem
 * at once with its JSON path.
 *
 * @example
 * ```ts
 * const v = validateStackingRules(JSON.parse(text));
 * if (!v.ok) for (const p of v.problems) console.error(p.message);
 * // "$.groups[1].level.atLeast: expected a FHEQ level (3, 4, 5, 6, 7, 8), found 9"
 * ```
 */
export function validateStackingRules(input: unknown): RulesValidation {
  const validate = rulesValidator();
  const problems = validate(input) ? [] : problemsFromAjv(validate.errors, expectedOf);
  const rules = obj(input);
  if (rules) {
    const known = new Set(problems.map((p) => p.path));
    const extra: RecordProblem[] = [];
    crossFieldRules(rules, extra);
    for (const p of extra) if (!known.has(p.path)) problems.push(p);
  }
  if (problems.length || !rules) return { ok: false, problems };
  const copy = structuredClone(rules);
  for (const key of Object.keys(copy)) if (key.startsWith('_') || key === '$schema') delete copy[key];
  return { ok: true, rules: copy as unknown as StackingRules };
}

/**
 * Like {@link validateStackingRules} but returns the rules or throws `MicrocredError('RULES_INVALID')` whose
 * `details` is the list of problems.
 *
 * @example
 * ```ts
 * const rules = assertStackingRules(JSON.parse(await readFile('rules.json', 'utf8')));
 * ```
 */
export function assertStackingRules(input: unknown): StackingRules {
  const v = validateStackingRules(input);
  if (v.ok) return v.rules;
  throw problemsError('RULES_INVALID', 'The stacking rules', v.problems);
}
