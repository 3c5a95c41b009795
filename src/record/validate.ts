import { createAjv, lazyValidator, readSchema } from '../lib/ajv.js';
import { shapeProblems } from './bounds.js';
import { FRAMEWORK_LEVELS, eqfFor, levelLabel } from './levels.js';
import { describe, problem, problemsError, problemsFromAjv, type RecordProblem } from './problems.js';
import type { CompletionRecord, FrameworkLevel, LevelFramework } from './types.js';

export type { RecordProblem } from './problems.js';

export type RecordValidation = { ok: true; record: CompletionRecord } | { ok: false; problems: RecordProblem[] };

/** UK credits per ECTS credit (QAA credit framework: 2 UK credits = 1 ECTS). */
export const UK_CREDITS_PER_ECTS = 2;

// strictNumbers: Infinity and NaN (what JSON.parse makes of 1e400, what code may pass) are not numbers here.
const recordValidator = lazyValidator(() => createAjv({ strictNumbers: true }).compile(readSchema('completion-record.schema.json')));

const sameNumber = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

/* Cross-field rules run even when the schema check failed, on whatever parts have the right
   shape, so one pass reports every problem. Hence the defensive reads below. */
type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A real calendar date written YYYY-MM-DD (so "2026-13-01", already reported by the schema, orders nothing). */
function isDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(v);
}

/** Checks credit agreement and fills the missing system in place. */
function normaliseCredits(credits: Loose | undefined, path: string, problems: RecordProblem[]): void {
  if (!credits) return;
  const uk = num(credits['uk']);
  const ects = num(credits['ects']);
  if (uk !== undefined && ects !== undefined) {
    if (!sameNumber(uk, ects * UK_CREDITS_PER_ECTS)) {
      problems.push(
        problem(
          path,
          `UK credits equal to 2 × ECTS credits (for ${ects} ECTS: ${ects * UK_CREDITS_PER_ECTS} UK credits), or only one of the two`,
          `${uk} UK credits and ${ects} ECTS`,
        ),
      );
    }
  } else if (uk !== undefined && credits['ects'] === undefined) {
    credits['ects'] = uk / UK_CREDITS_PER_ECTS;
  } else if (ects !== undefined && credits['uk'] === undefined) {
    credits['uk'] = ects * UK_CREDITS_PER_ECTS;
  }
}

/**
 * Cross-field rules:
 * - credits or workload: a course has credits, or (a course without credit) its workload in hours;
 * - credits: when both UK and ECTS are given, UK = 2 × ECTS; the missing one is derived
 *   (also for the parent course of an integrated micro-credential);
 * - level: within the framework's range (FHEQ 3–8, SCQF 1–12, RQF/CQFW entry1–entry3 then 1–8);
 *   EQF derived from the UK referencing where it gives one, and a stated EQF that disagrees is rejected;
 * - dates: activityStartDate ≤ activityEndDate ≤ completionDate (and start ≤ completion when there
 *   is no end date). Future dates are not rejected here: that depends on the clock, not the record;
 * - grades: a letter/other grade must be one of its scale's values when a scale is given; a
 *   percentage grade and a mark must agree;
 * - supervision: a setting (online/on-site) only with a supervised option.
 * Mutates `record` (a private clone) to fill derived values.
 */
function crossFieldRules(record: Loose, problems: RecordProblem[]): void {
  const course = obj(record['course']);
  if (course && course['credits'] === undefined && course['workload'] === undefined) {
    // Annex I asks for ECTS "wherever possible": a course without credit states its workload instead.
    problems.push(problem('$.course.credits', 'credits ({"uk": 20} or {"ects": 10}), or for a course without credit its workload in hours ({"workload": {"hours": 12}})', 'neither credits nor workload'));
  }
  normaliseCredits(obj(course?.['credits']), '$.course.credits', problems);
  const stack = obj(course?.['stackability']);
  if (stack?.['type'] === 'integrated') {
    normaliseCredits(obj(obj(stack['parent'])?.['credits']), '$.course.stackability.parent.credits', problems);
  }

  const lv = obj(course?.['level']);
  const framework = lv?.['framework'];
  if (lv && typeof framework === 'string' && framework in FRAMEWORK_LEVELS) {
    const fw = framework as LevelFramework;
    const level = lv['level'] as FrameworkLevel;
    const eqf = lv['eqf'];
    if (typeof level === 'number' || typeof level === 'string') {
      if (!FRAMEWORK_LEVELS[fw].includes(level)) {
        const range =
          fw === 'FHEQ' ? 'a level from 3 to 8' : fw === 'SCQF' ? 'a level from 1 to 12' : 'a level "entry1", "entry2", "entry3" or 1 to 8';
        problems.push(problem('$.course.level.level', `${range} for ${fw}`, describe(level)));
      } else {
        const derived = eqfFor(fw, level);
        if (derived !== undefined) {
          if (eqf !== undefined && eqf !== derived) {
            problems.push(
              problem(
                '$.course.level.eqf',
                `EQF level ${derived}, which the UK referencing gives for ${levelLabel(fw, level)} (or leave it out)`,
                describe(eqf),
              ),
            );
          }
          lv['eqf'] = derived;
        }
      }
    }
  }

  const r = obj(record['result']);
  if (r) {
    const start = isDate(r['activityStartDate']) ? r['activityStartDate'] : undefined;
    const end = isDate(r['activityEndDate']) ? r['activityEndDate'] : undefined;
    const done = isDate(r['completionDate']) ? r['completionDate'] : undefined;
    if (start !== undefined && end !== undefined && start > end) {
      problems.push(problem('$.result.activityEndDate', `a date on or after the activity start date ${start}`, describe(end)));
    }
    if (done !== undefined) {
      if (end !== undefined && end > done) {
        problems.push(problem('$.result.completionDate', `a date on or after the activity end date ${end}`, describe(done)));
      } else if (end === undefined && start !== undefined && start > done) {
        problems.push(problem('$.result.completionDate', `a date on or after the activity start date ${start}`, describe(done)));
      }
    }

    const g = obj(r['grade']);
    const value = g?.['value'];
    const scale = g?.['kind'] === 'letter' ? g['scale'] : g?.['kind'] === 'other' ? obj(g['scale'])?.['values'] : undefined;
    if (Array.isArray(scale) && typeof value === 'string' && !scale.includes(value)) {
      problems.push(
        problem('$.result.grade.value', `one of the scale's values ${scale.map((v) => JSON.stringify(v)).join(', ')}`, describe(value)),
      );
    }
    const mark = num(r['mark']);
    if (g?.['kind'] === 'percentage' && typeof value === 'number' && mark !== undefined && !sameNumber(mark, value)) {
      problems.push(problem('$.result.mark', `the same percentage as the grade (${value}), or no mark`, describe(mark)));
    }
  }

  const s = obj(course?.['supervision']);
  if (s?.['setting'] !== undefined && s['option'] === 'unsupervised-no-id-verification') {
    problems.push(problem('$.course.supervision.setting', 'no setting, because the assessment is unsupervised', describe(s['setting'])));
  }
}

/**
 * Validates a completion record against the JSON Schema and the cross-field rules, reporting every
 * problem at once. On success the record comes back normalised: both credit systems filled in and
 * the EQF level derived. A document too deep or too large to check safely (`INPUT_BOUNDS`: 32 levels,
 * 10,000 values) gets one problem saying so instead.
 *
 * @example
 * ```ts
 * const v = validateRecord(JSON.parse(text));
 * if (!v.ok) for (const p of v.problems) console.error(p.message);
 * // "$.course.credits.ects: expected a number greater than 0, found \"ten\""
 * ```
 */
export function validateRecord(input: unknown): RecordValidation {
  // Too deep or too large to check safely: say so instead of overflowing the stack in the checks below.
  const shape = shapeProblems(input);
  if (shape.length) return { ok: false, problems: shape };
  const validate = recordValidator();
  const problems = validate(input) ? [] : problemsFromAjv(validate.errors);
  const record = obj(input) ? (structuredClone(input) as Loose) : undefined;
  if (record) {
    const known = new Set(problems.map((p) => p.path));
    const extra: RecordProblem[] = [];
    crossFieldRules(record, extra);
    // A field already reported by the schema check is not reported again.
    for (const p of extra) if (!known.has(p.path)) problems.push(p);
  }
  if (problems.length || !record) return { ok: false, problems };
  // `_note` and other underscore fields are comments for people; they never reach a credential.
  for (const key of Object.keys(record)) if (key.startsWith('_')) delete record[key];
  return { ok: true, record: record as unknown as CompletionRecord };
}

/**
 * Like {@link validateRecord} but returns the normalised record or throws
 * `MicrocredError('RECORD_INVALID')` whose `details` is the list of problems.
 *
 * @example
 * ```ts
 * const record = assertRecord(JSON.parse(await readFile('record.json', 'utf8')));
 * ```
 */
export function assertRecord(input: unknown): CompletionRecord {
  const v = validateRecord(input);
  if (v.ok) return v.record;
  throw problemsError('RECORD_INVALID', 'The completion record', v.problems);
}
