/**
 * Completion records completed from an issuer's course catalogue (pure: the caller looks the course up).
 *
 * A record may carry only the learner, `course.code` (and `course.version`) and the result; the course description
 * comes from the catalogue. The merge rule is deliberately flat:
 * - every field of `course` given in the record replaces the catalogue's field of that name as a whole: objects are
 *   not merged member by member and lists are not appended (an `credits` of `{ "uk": 20 }` replaces
 *   `{ "uk": 10, "ects": 5 }`, and ECTS is derived again), because the members of most course objects depend on
 *   each other (credits, level and EQF, supervision option and setting, stackability type and parent);
 * - `null` removes an optional field the catalogue has (e.g. `"prerequisites": null`);
 * - `code` selects the course and `version` the catalogue version (default: the current one); the merged record
 *   carries the version, so it reaches the credential as `achievement.version`.
 * The merged record is then validated like any record, so problems name the record's own paths
 * (`$.course.credits.ects`); a problem in a field taken from the catalogue says so.
 *
 * Courses themselves are validated with the completion record's own schema and cross-field rules
 * ({@link validateCourse}): one definition of a course.
 */
import { problem, type RecordProblem } from './problems.js';
import type { Course } from './types.js';
import { validateRecord, type RecordValidation } from './validate.js';

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);

/** One version of a course in a catalogue. */
export interface CatalogueCourse {
  code: string;
  version: number;
  /** Every course field of the record format, without `version`. */
  course: Course;
}

export type CourseValidation = { ok: true; course: Course } | { ok: false; problems: RecordProblem[] };

// A record around the course, so the course goes through the record's schema and cross-field rules unchanged.
const WRAPPER = { recordId: 'catalogue', learner: { fullName: 'catalogue' }, result: { completionDate: '2000-01-01' } } as const;

function reroot(p: RecordProblem, from: string, to: string): RecordProblem {
  if (p.path !== from && !p.path.startsWith(`${from}.`) && !p.path.startsWith(`${from}[`)) return p;
  return problem(to + p.path.slice(from.length), p.expected, p.found);
}

/**
 * Validates a course for the catalogue, with the completion record's schema and cross-field rules. Problem paths are
 * relative to the course (`$.credits.ects`). `code` is the code the course is stored under: the course's own `code`
 * may be left out (it is filled in) or must equal it. `version` is not accepted: the catalogue numbers versions.
 * The course comes back as given (not normalised), with `code` set.
 *
 * @example
 * ```ts
 * const v = validateCourse({ title: 'Data Analysis', ... }, 'PHM7021');
 * if (!v.ok) console.error(v.problems.map((p) => p.message)); // "$.credits: expected an object ..."
 * ```
 */
export function validateCourse(input: unknown, code: string): CourseValidation {
  const course = obj(input);
  if (!course) return { ok: false, problems: [problem('$', 'an object with the course fields of a completion record', describeKind(input))] };
  const out: RecordProblem[] = [];
  if (course['code'] !== undefined && course['code'] !== code) {
    out.push(problem('$.code', `the course code the course is stored under (${JSON.stringify(code)}), or no code`, JSON.stringify(course['code']) ?? 'nothing'));
  }
  if (course['version'] !== undefined) {
    out.push(problem('$.version', 'no version (the catalogue numbers the versions of a course itself)', JSON.stringify(course['version']) ?? 'nothing'));
  }
  const given: Loose = { ...course, code };
  delete given['version'];
  const v = validateRecord({ ...WRAPPER, course: given });
  if (!v.ok) for (const p of v.problems) out.push(reroot(p, '$.course', '$'));
  if (out.length > 0) return { ok: false, problems: out };
  return { ok: true, course: given as unknown as Course };
}

function describeKind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? 'a text' : typeof v;
}

/** What a record asks of the catalogue: the course code and, when given, the version. */
export interface CatalogueReference {
  code: string;
  version?: number;
}

/**
 * The catalogue reference of a record (its `course.code` and `course.version`), or undefined when the record has no
 * usable course code (it is then validated as it is and the problem reported there).
 *
 * @example
 * ```ts
 * catalogueReference({ recordId: 'R1', course: { code: 'PHM7021', version: 2 } }); // { code: 'PHM7021', version: 2 }
 * ```
 */
export function catalogueReference(input: unknown): CatalogueReference | undefined {
  const course = obj(obj(input)?.['course']);
  const code = course?.['code'];
  if (typeof code !== 'string' || code === '') return undefined;
  const version = course?.['version'];
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? { code, version } : { code };
}

/**
 * The record with its course completed from a catalogue course, by the rule in this module's description. The inputs
 * are not modified, and the result shares their nested objects (it is not a deep copy: validate it, which works on
 * a copy, rather than changing it). The result is not validated.
 *
 * @example
 * ```ts
 * const merged = mergeCourse({ recordId: 'R1', learner, course: { code: 'PHM7021' }, result }, entry);
 * merged.course.title; // from the catalogue
 * ```
 */
export function mergeCourse(input: Loose, entry: CatalogueCourse): { record: Loose; fromCatalogue: Set<string> } {
  const given = obj(input['course']) ?? {};
  const course: Loose = { ...(entry.course as unknown as Loose) };
  const fromCatalogue = new Set(Object.keys(course));
  for (const [k, v] of Object.entries(given)) {
    if (k === 'code' || k === 'version') continue;
    fromCatalogue.delete(k);
    if (v === null) delete course[k];
    else course[k] = v;
  }
  course['code'] = entry.code;
  course['version'] = entry.version;
  fromCatalogue.delete('code');
  return { record: { ...input, course }, fromCatalogue };
}

/**
 * Validates a record completed from the catalogue course `entry` (see {@link mergeCourse}). Problems carry the
 * record's paths; one in a field that came from the catalogue names the course and version it came from.
 *
 * @example
 * ```ts
 * const v = validateWithCourse(input, { code: 'PHM7021', version: 3, course });
 * if (v.ok) v.record.course.version; // 3
 * ```
 */
export function validateWithCourse(input: unknown, entry: CatalogueCourse): RecordValidation {
  const record = obj(input);
  if (!record) return validateRecord(input);
  const merged = mergeCourse(record, entry);
  const v = validateRecord(merged.record);
  if (v.ok) return v;
  const origin = `this value comes from course ${JSON.stringify(entry.code)} version ${entry.version} of the catalogue`;
  return {
    ok: false,
    problems: v.problems.map((p) => {
      const field = /^\$\.course\.([A-Za-z]+)/.exec(p.path)?.[1];
      if (field === undefined || !merged.fromCatalogue.has(field)) return p;
      return { ...p, message: `${p.message} (${origin})` };
    }),
  };
}

/**
 * The problem for a record naming a course or version the catalogue does not have.
 *
 * @example
 * ```ts
 * unknownCourseProblem({ code: 'PHM7021', version: 9 }, [1, 2]); // $.course.version: expected 1 or 2 ...
 * ```
 */
export function unknownCourseProblem(ref: CatalogueReference, versions: readonly number[]): RecordProblem {
  if (versions.length === 0) {
    return problem('$.course.version', `no version: course ${JSON.stringify(ref.code)} is not in the issuer's catalogue (give the whole course, or add it to the catalogue)`, String(ref.version));
  }
  const list = versions.length === 1 ? String(versions[0]) : `${versions.slice(0, -1).join(', ')} or ${versions[versions.length - 1]}`;
  return problem('$.course.version', `a version of course ${JSON.stringify(ref.code)} in the catalogue: ${list} (or no version for the current one)`, String(ref.version));
}
