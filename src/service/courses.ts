/**
 * Internal: an issuer's course catalogue. A course is stored with every course field of the completion record
 * format and versioned: a PUT that changes anything stores the next version, an identical PUT (same JSON, whatever
 * the key order) changes nothing. Credentials issued from a catalogue course name its version
 * (`achievement.version`, and the `course_version` column).
 */
import { validateCourse } from '../record/catalogue.js';
import type { Course } from '../record/types.js';
import { recordAudit } from '../store/audit.js';
import { getCourseVersion, insertCourseVersion, listCourseVersions, listCurrentCourses } from '../store/courses.js';
import type { CourseRow } from '../store/courses.js';
import { isUniqueViolation } from '../store/db.js';
import type { ServiceContext } from './context.js';
import { canonicalJson, sha256Hex } from './issuance.js';
import { problems } from './problem.js';

/** A catalogue course as the API shows it. */
export interface CatalogueEntry {
  code: string;
  version: number;
  course: Course;
  createdAt: string;
  createdBy: string;
}

function entry(row: CourseRow): CatalogueEntry {
  return { code: row.code, version: row.version, course: row.course, createdAt: row.createdAt, createdBy: row.createdBy };
}

/**
 * Stores a course under `code`: validated with the completion record's course rules (422 listing every problem,
 * paths relative to the course), then kept as the next version unless it equals the current one. `created` tells
 * which happened (an HTTP PUT answers 201 or 200).
 *
 * @example
 * ```ts
 * const { entry, created } = await putCourse(ctx, 'northbridge', 'PHM7021', course, { actor: 'api-key:ak_1' });
 * entry.version; // 1 the first time, 2 after a change, unchanged after an identical PUT
 * ```
 */
export async function putCourse(
  ctx: ServiceContext,
  slug: string,
  code: string,
  course: unknown,
  options: { actor: string },
): Promise<{ entry: CatalogueEntry; created: boolean }> {
  await ctx.issuer(slug);
  const v = validateCourse(course, code);
  if (!v.ok) {
    throw problems.invalid(
      'course-invalid',
      'Invalid course',
      `The course has ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}; see "problems" for each with its JSON path (relative to the course), what was expected and what was found.`,
      { problems: v.problems },
    );
  }
  const contentHash = sha256Hex(canonicalJson(v.course));
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.db.transaction(async (tx) => {
        const out = await insertCourseVersion(tx, { issuerSlug: slug, code, course: v.course, contentHash, createdBy: options.actor });
        if (out.created) {
          await recordAudit(tx, { actor: options.actor, issuerSlug: slug, action: 'course.put', target: code, details: { version: out.row.version } });
        }
        return { entry: entry(out.row), created: out.created };
      });
    } catch (e) {
      // A concurrent PUT of the same course took the next version number: look again.
      if (attempt < 5 && isUniqueViolation(e, 'courses_pkey')) continue;
      throw e;
    }
  }
}

/**
 * One course of the catalogue: the current version, or `version` (404 problem when absent).
 *
 * @example
 * ```ts
 * const current = await getCourse(ctx, 'northbridge', 'PHM7021');
 * const first = await getCourse(ctx, 'northbridge', 'PHM7021', { version: 1 });
 * ```
 */
export async function getCourse(ctx: ServiceContext, slug: string, code: string, options: { version?: number } = {}): Promise<CatalogueEntry> {
  await ctx.issuer(slug);
  const row = await getCourseVersion(ctx.db, slug, code, options.version);
  if (!row) {
    throw problems.notFound(
      options.version === undefined
        ? `Issuer ${slug} has no course ${JSON.stringify(code)} in its catalogue.`
        : `Issuer ${slug} has no version ${options.version} of course ${JSON.stringify(code)} in its catalogue.`,
    );
  }
  return entry(row);
}

/**
 * The current version of every course of the catalogue, ordered by code, a page at a time (`next` is the `after` of
 * the following page).
 *
 * @example
 * ```ts
 * const { items, next } = await listCourses(ctx, 'northbridge', { limit: 100 });
 * ```
 */
export async function listCourses(
  ctx: ServiceContext,
  slug: string,
  options: { limit?: number; after?: string } = {},
): Promise<{ items: CatalogueEntry[]; next?: string }> {
  await ctx.issuer(slug);
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const rows = await listCurrentCourses(ctx.db, slug, { limit: limit + 1, ...(options.after !== undefined ? { after: options.after } : {}) });
  const items = rows.slice(0, limit).map(entry);
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, next: last.code } : { items };
}

/**
 * Every version of one course, oldest first (404 problem when the catalogue has no such course).
 *
 * @example
 * ```ts
 * const history = await listCourseHistory(ctx, 'northbridge', 'PHM7021');
 * ```
 */
export async function listCourseHistory(ctx: ServiceContext, slug: string, code: string): Promise<CatalogueEntry[]> {
  await ctx.issuer(slug);
  const rows = await listCourseVersions(ctx.db, slug, code);
  if (rows.length === 0) throw problems.notFound(`Issuer ${slug} has no course ${JSON.stringify(code)} in its catalogue.`);
  return rows.map(entry);
}
