/**
 * The course catalogue: versions of an issuer's courses. A version, once stored, never changes.
 */
import type { Course } from '../record/types.js';
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export interface CourseRow {
  issuerSlug: string;
  code: string;
  version: number;
  course: Course;
  contentHash: string;
  createdBy: string;
  createdAt: string;
}

function toCourseRow(r: Record<string, unknown>): CourseRow {
  return {
    issuerSlug: String(r.issuer_slug),
    code: String(r.code),
    version: Number(r.version),
    course: r.course as Course,
    contentHash: String(r.content_hash),
    createdBy: String(r.created_by),
    createdAt: isoTime(r.created_at),
  };
}

/**
 * Stores `course` as the next version of `code` unless the current version has the same content hash, in ONE
 * statement. Returns the current row and whether it is new. A concurrent writer of the same next version makes the
 * statement fail with a unique violation on `courses_pkey` (the caller tries again).
 *
 * @example
 * ```ts
 * const { row, created } = await insertCourseVersion(db, { issuerSlug: 'northbridge', code: 'PHM7021', course, contentHash, createdBy: 'cli' });
 * ```
 */
export async function insertCourseVersion(
  q: Queryable,
  c: { issuerSlug: string; code: string; course: Course; contentHash: string; createdBy: string },
): Promise<{ row: CourseRow; created: boolean }> {
  const res = await q.query<Record<string, unknown>>(
    `WITH cur AS (
       SELECT * FROM courses WHERE issuer_slug = $1 AND code = $2 ORDER BY version DESC LIMIT 1
     ), ins AS (
       INSERT INTO courses (issuer_slug, code, version, course, content_hash, created_by)
       SELECT $1, $2, COALESCE((SELECT version FROM cur), 0) + 1, $3::jsonb, $4, $5
        WHERE NOT EXISTS (SELECT 1 FROM cur WHERE content_hash = $4)
       RETURNING *
     )
     SELECT *, true AS created FROM ins
     UNION ALL
     SELECT *, false AS created FROM cur WHERE content_hash = $4`,
    [c.issuerSlug, c.code, JSON.stringify(c.course), c.contentHash, c.createdBy],
  );
  const r = res.rows[0];
  if (!r) throw new Error('the course version was neither stored nor found');
  return { row: toCourseRow(r), created: r.created === true };
}

/**
 * One version of a course (default: the current one), or undefined.
 *
 * @example
 * ```ts
 * const current = await getCourseVersion(db, 'northbridge', 'PHM7021');
 * const first = await getCourseVersion(db, 'northbridge', 'PHM7021', 1);
 * ```
 */
export async function getCourseVersion(q: Queryable, issuerSlug: string, code: string, version?: number): Promise<CourseRow | undefined> {
  const res = await q.query<Record<string, unknown>>(
    `SELECT * FROM courses WHERE issuer_slug = $1 AND code = $2 AND ($3::int IS NULL OR version = $3::int) ORDER BY version DESC LIMIT 1`,
    [issuerSlug, code, version ?? null],
  );
  return res.rows[0] ? toCourseRow(res.rows[0]) : undefined;
}

/**
 * Every version of a course, oldest first (empty when the catalogue has no such course).
 *
 * @example
 * ```ts
 * const history = await listCourseVersions(db, 'northbridge', 'PHM7021'); // [{ version: 1, ... }, { version: 2, ... }]
 * ```
 */
export async function listCourseVersions(q: Queryable, issuerSlug: string, code: string): Promise<CourseRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM courses WHERE issuer_slug = $1 AND code = $2 ORDER BY version', [issuerSlug, code]);
  return res.rows.map(toCourseRow);
}

/**
 * The current version of each of an issuer's courses, by code, keyset-paged on the code.
 *
 * @example
 * ```ts
 * const page = await listCurrentCourses(db, 'northbridge', { limit: 100 });
 * const more = await listCurrentCourses(db, 'northbridge', { limit: 100, after: page.at(-1)?.code });
 * ```
 */
export async function listCurrentCourses(q: Queryable, issuerSlug: string, options: { limit?: number; after?: string } = {}): Promise<CourseRow[]> {
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const res = await q.query<Record<string, unknown>>(
    `SELECT DISTINCT ON (code) * FROM courses WHERE issuer_slug = $1 AND ($2::text IS NULL OR code > $2::text)
      ORDER BY code, version DESC LIMIT $3`,
    [issuerSlug, options.after ?? null, limit],
  );
  return res.rows.map(toCourseRow);
}

/** What the catalogue and the credentials table say about the records of one request or chunk. */
export interface CatalogueSnapshot {
  /** Course versions by code, then by version: the current ones, the requested ones and those of existing credentials. */
  courses: Map<string, Map<number, Course>>;
  /** The current version of each requested code that the catalogue has. */
  current: Map<string, number>;
  /** Every version number of each requested code (for messages about unknown versions). */
  versions: Map<string, number[]>;
  /** The current (not superseded) credentials of each requested recordId. */
  existing: Map<string, ExistingCredential[]>;
}

export interface ExistingCredential {
  id: string;
  recordHash: string;
  format: string;
  awardedDate: string;
  courseCode?: string;
  courseVersion?: number;
}

/**
 * Reads, in ONE statement whatever the number of records, what resolving `refs` needs: the versions of the named
 * courses that can matter (the current one, requested ones, and those the records' existing credentials were issued
 * from), every version number of those courses, and the current credentials of the records.
 *
 * @example
 * ```ts
 * const snap = await catalogueSnapshot(db, 'northbridge', [{ recordId: 'R1', code: 'PHM7021' }]);
 * snap.current.get('PHM7021'); // 3
 * ```
 */
export async function catalogueSnapshot(
  q: Queryable,
  issuerSlug: string,
  refs: readonly { recordId?: string; code?: string; version?: number }[],
): Promise<CatalogueSnapshot> {
  const recordIds = [...new Set(refs.flatMap((r) => (r.recordId !== undefined ? [r.recordId] : [])))];
  const codes = [...new Set(refs.flatMap((r) => (r.code !== undefined ? [r.code] : [])))];
  const wanted = refs.flatMap((r) => (r.code !== undefined && r.version !== undefined ? [{ code: r.code, version: r.version }] : []));
  const snap: CatalogueSnapshot = { courses: new Map(), current: new Map(), versions: new Map(), existing: new Map() };
  if (recordIds.length === 0 && codes.length === 0) return snap;
  const res = await q.query<Record<string, unknown>>(
    `WITH ex AS (
       SELECT id, record_id, record_hash, format, awarded_date, course_code, course_version, created_at FROM credentials
        WHERE issuer_slug = $1 AND record_id = ANY($2::text[]) AND superseded_by IS NULL
     ), m AS (
       SELECT code, max(version) AS top FROM courses WHERE issuer_slug = $1 AND code = ANY($3::text[]) GROUP BY code
     )
     SELECT 'course' AS kind, c.code, c.version, c.version = m.top AS is_current,
            CASE WHEN c.version = m.top
                   OR (c.code, c.version) IN (SELECT * FROM unnest($4::text[], $5::int[]))
                   OR (c.code, c.version) IN (SELECT course_code, course_version FROM ex)
                 THEN c.course END AS course,
            NULL AS id, NULL AS record_id, NULL AS record_hash, NULL AS format, NULL AS awarded_date, NULL::timestamptz AS created_at
       FROM courses c JOIN m ON m.code = c.code WHERE c.issuer_slug = $1
     UNION ALL
     SELECT 'credential', course_code, course_version, NULL, NULL, id, record_id, record_hash, format, awarded_date, created_at FROM ex
     ORDER BY kind, created_at, code, version`,
    [issuerSlug, recordIds, codes, wanted.map((w) => w.code), wanted.map((w) => w.version)],
  );
  for (const r of res.rows) {
    if (r.kind === 'credential') {
      const list = snap.existing.get(String(r.record_id)) ?? [];
      list.push({
        id: String(r.id),
        recordHash: String(r.record_hash),
        format: String(r.format),
        awardedDate: String(r.awarded_date),
        ...(r.code != null ? { courseCode: String(r.code) } : {}),
        ...(r.version != null ? { courseVersion: Number(r.version) } : {}),
      });
      snap.existing.set(String(r.record_id), list);
      continue;
    }
    const code = String(r.code);
    const version = Number(r.version);
    snap.versions.set(code, [...(snap.versions.get(code) ?? []), version]);
    if (r.is_current === true) snap.current.set(code, version);
    if (r.course != null) {
      const byVersion = snap.courses.get(code) ?? new Map<number, Course>();
      byVersion.set(version, r.course as Course);
      snap.courses.set(code, byVersion);
    }
  }
  return snap;
}
