// The course catalogue: versioning, the merge rule of records completed from it, problem paths, and issuance with
// the catalogue form (the old full-record form unchanged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCourse, validateCourse, validateWithCourse } from '../src/record/catalogue.js';
import { validateRecord } from '../src/record/validate.js';
import type { Course } from '../src/record/types.js';
import { getCourse, listCourseHistory, listCourses, putCourse } from '../src/service/courses.js';
import { issueFromRecord } from '../src/service/issuance.js';
import { HttpProblem } from '../src/service/problem.js';
import type { ServiceContext } from '../src/service/context.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { verify } from '../src/verify/verify.js';
import { validateOpenBadgeSchema } from '../src/schema/validate-ob.js';
import { courseOf, newIssuer, record, recordMinimal, serviceContext } from './bulk-helpers.js';

const full = (): Record<string, unknown> => structuredClone(record) as Record<string, unknown>;

async function problemOf(p: Promise<unknown>): Promise<HttpProblem> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpProblem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

describe('course validation (the record schema and its cross-field rules)', () => {
  it('accepts a course without code (filled in from where it is stored) and returns it as given', () => {
    const v = validateCourse(courseOf(), 'CYB4010');
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.course.code).toBe('CYB4010');
      // not normalised: ECTS only, as given
      expect(v.course.credits).toEqual({ ects: 5 });
    }
  });

  it('reports problems relative to the course, including the cross-field rules, a code mismatch and a version', () => {
    const course = { ...courseOf(), code: 'OTHER', version: 2, credits: { uk: 10, ects: 3 }, level: { framework: 'FHEQ', level: 2 } };
    delete (course as Record<string, unknown>).title;
    const v = validateCourse(course, 'CYB4010');
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const paths = v.problems.map((p) => p.path).sort();
    expect(paths).toEqual(['$.code', '$.credits', '$.level.level', '$.title', '$.version']);
    expect(v.problems.find((p) => p.path === '$.credits')?.message).toMatch(/^\$\.credits: expected UK credits equal to 2 × ECTS/);
  });

  it('refuses what is not an object', () => {
    const v = validateCourse(['x'], 'A');
    expect(v.ok).toBe(false);
  });
});

describe('merge rule', () => {
  const entry = { code: 'PHM7021', version: 3, course: (full().course as Course) };

  it('takes every field from the catalogue, sets code and version', () => {
    const { record: merged, fromCatalogue } = mergeCourse({ recordId: 'R', course: { code: 'PHM7021' } }, entry);
    const c = merged.course as Record<string, unknown>;
    expect(c.title).toBe(entry.course.title);
    expect(c.version).toBe(3);
    expect(fromCatalogue.has('title')).toBe(true);
    expect(fromCatalogue.has('code')).toBe(false);
  });

  it('a field in the record replaces the whole catalogue field: objects are not merged, lists not appended', () => {
    const { record: merged } = mergeCourse(
      { course: { code: 'PHM7021', credits: { uk: 30 }, learningOutcomes: [{ text: 'Only this one.' }], participation: { mode: 'online', synchronous: false } } },
      entry,
    );
    const c = merged.course as Record<string, unknown>;
    expect(c.credits).toEqual({ uk: 30 });
    expect(c.learningOutcomes).toEqual([{ text: 'Only this one.' }]);
    expect(c.participation).toEqual({ mode: 'online', synchronous: false });
    const v = validateRecord({ ...full(), course: c });
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.record.course.credits).toEqual({ uk: 30, ects: 15 });
  });

  it('null removes an optional catalogue field; a version in the record is replaced by the catalogue one', () => {
    const { record: merged } = mergeCourse({ course: { code: 'PHM7021', version: 1, prerequisites: null, psrb: null } }, entry);
    const c = merged.course as Record<string, unknown>;
    expect('prerequisites' in c).toBe(false);
    expect('psrb' in c).toBe(false);
    expect(c.version).toBe(3);
  });

  it('does not modify its inputs', () => {
    const input = { recordId: 'R', course: { code: 'PHM7021', title: 'New title' } };
    const before = structuredClone(input);
    const catalogueBefore = structuredClone(entry.course);
    mergeCourse(input, entry);
    expect(input).toEqual(before);
    expect(entry.course).toEqual(catalogueBefore);
  });

  it('problems carry the record paths; one in a field from the catalogue says where it came from', () => {
    const base = full();
    const input = { ...base, course: { code: 'PHM7021', title: '', supervision: { option: 'unsupervised-no-id-verification', setting: 'online' } } };
    const v = validateWithCourse(input, entry);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const title = v.problems.find((p) => p.path === '$.course.title');
    expect(title?.message).not.toMatch(/catalogue/);
    expect(v.problems.find((p) => p.path === '$.course.supervision.setting')?.message).not.toMatch(/catalogue/);
    // A catalogue value that the record makes wrong: level with an EQF the catalogue states, checked on the merged record.
    const bad = validateWithCourse({ ...base, course: { code: 'PHM7021' } }, { ...entry, course: { ...entry.course, level: { framework: 'FHEQ', level: 7, eqf: 6 } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.map((p) => p.path)).toEqual(['$.course.level.eqf']);
      expect(bad.problems[0]?.message).toMatch(/this value comes from course "PHM7021" version 3 of the catalogue/);
    }
  });
});

describe('catalogue service and issuance (PGlite)', () => {
  let db: Db;
  let ctx: ServiceContext;
  let slug: string;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory' });
    ctx = serviceContext(db);
    slug = await newIssuer(db, 'cat');
  });
  afterAll(async () => {
    await db?.close();
  });

  const phm = (): Record<string, unknown> => courseOf(full());
  const shortRecord = (recordId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    recordId,
    learner: { fullName: 'Amara Okafor-Reid', studentId: 'S2310457' },
    course: { code: 'PHM7021', ...extra },
    result: { grade: { kind: 'letter', value: 'B', scale: ['F', 'E', 'D', 'C', 'B', 'A'] }, completionDate: '2026-06-19' },
  });

  it('versions: a change makes a new version, an identical PUT (any key order) does not', async () => {
    const first = await putCourse(ctx, slug, 'PHM7021', phm(), { actor: 'test' });
    expect(first).toMatchObject({ created: true, entry: { code: 'PHM7021', version: 1 } });
    const reordered = Object.fromEntries(Object.entries(phm()).reverse());
    const again = await putCourse(ctx, slug, 'PHM7021', reordered, { actor: 'test' });
    expect(again).toMatchObject({ created: false, entry: { version: 1 } });
    const changed = await putCourse(ctx, slug, 'PHM7021', { ...phm(), title: 'Data Analytics for Public Health (2026/27)' }, { actor: 'test' });
    expect(changed).toMatchObject({ created: true, entry: { version: 2 } });
    expect((await getCourse(ctx, slug, 'PHM7021')).version).toBe(2);
    expect((await getCourse(ctx, slug, 'PHM7021', { version: 1 })).course.title).toBe('Data Analytics for Public Health');
    expect((await listCourseHistory(ctx, slug, 'PHM7021')).map((e) => e.version)).toEqual([1, 2]);
    expect((await problemOf(getCourse(ctx, slug, 'PHM7021', { version: 7 }))).status).toBe(404);
    const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE issuer_slug = $1 AND action = 'course.put'`, [slug]);
    expect(audit.rows[0]?.n).toBe(2);
  });

  it('an invalid course is a 422 listing every problem with course-relative paths, and stores nothing', async () => {
    const p = await problemOf(putCourse(ctx, slug, 'BAD1', { ...phm(), credits: {}, qualityAssurance: [] }, { actor: 'test' }));
    expect(p.status).toBe(422);
    expect((p.extensions.problems as { path: string }[]).map((x) => x.path).sort()).toEqual(['$.credits', '$.qualityAssurance']);
    expect((await problemOf(getCourse(ctx, slug, 'BAD1'))).status).toBe(404);
  });

  it('lists the current version of every course, paged by code', async () => {
    await putCourse(ctx, slug, 'CYB4010', courseOf(), { actor: 'test' });
    const page1 = await listCourses(ctx, slug, { limit: 1 });
    expect(page1.items.map((e) => e.code)).toEqual(['CYB4010']);
    const page2 = await listCourses(ctx, slug, { limit: 1, after: page1.next as string });
    expect(page2.items.map((e) => [e.code, e.version])).toEqual([['PHM7021', 2]]);
    expect(page2.next).toBeUndefined();
  });

  it('issues a short record from the current version; the credential names it (achievement.version and the column)', async () => {
    const out = await issueFromRecord(ctx, slug, shortRecord('CAT-1'), { format: 'di', actor: 'test' });
    expect(out.outcome).toBe('issued');
    expect(out.row.courseCode).toBe('PHM7021');
    expect(out.row.courseVersion).toBe(2);
    const credential = JSON.parse(out.row.credential) as { credentialSubject: { achievement: Record<string, unknown> } };
    expect(credential.credentialSubject.achievement.version).toBe('2');
    expect(credential.credentialSubject.achievement.name).toBe('Data Analytics for Public Health (2026/27)');
    expect(credential.credentialSubject.achievement.humanCode).toBe('PHM7021');
    expect(validateOpenBadgeSchema(credential).valid).toBe(true);
    const report = await verify(credential, { checkStatus: false });
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'schema')?.status).toBe('pass');
  });

  it('a named version is used; an unknown version or a version for a course not in the catalogue is a problem', async () => {
    const out = await issueFromRecord(ctx, slug, shortRecord('CAT-2', { version: 1 }), { format: 'jwt', actor: 'test' });
    expect(out.row.courseVersion).toBe(1);
    const bad = await problemOf(issueFromRecord(ctx, slug, shortRecord('CAT-3', { version: 9 }), { format: 'di', actor: 'test' }));
    expect(bad.status).toBe(422);
    expect((bad.extensions.problems as { path: string; message: string }[])[0]).toMatchObject({ path: '$.course.version' });
    expect((bad.extensions.problems as { message: string }[])[0]?.message).toMatch(/1 or 2/);
    const notInCatalogue = { ...structuredClone(recordMinimal), recordId: 'CAT-4', course: { ...(recordMinimal.course as object), code: 'NOPE1', version: 1 } };
    const bad2 = await problemOf(issueFromRecord(ctx, slug, notInCatalogue, { format: 'di', actor: 'test' }));
    expect((bad2.extensions.problems as { path: string }[]).map((p) => p.path)).toEqual(['$.course.version']);
  });

  it('record fields override the catalogue; validation of the merged record names record paths', async () => {
    const out = await issueFromRecord(ctx, slug, shortRecord('CAT-5', { title: 'Overridden title', credits: { uk: 30 } }), { format: 'jwt', actor: 'test' });
    expect(out.outcome).toBe('issued');
    const bad = await problemOf(issueFromRecord(ctx, slug, shortRecord('CAT-6', { credits: { uk: 30, ects: 5 } }), { format: 'di', actor: 'test' }));
    expect((bad.extensions.problems as { path: string }[]).map((p) => p.path)).toEqual(['$.course.credits']);
  });

  it('re-sending a record after the catalogue changed is idempotent; reissue takes the current version', async () => {
    const first = await issueFromRecord(ctx, slug, shortRecord('CAT-7'), { format: 'di', actor: 'test' });
    expect(first.row.courseVersion).toBe(2);
    await putCourse(ctx, slug, 'PHM7021', { ...phm(), title: 'Data Analytics for Public Health (v3)' }, { actor: 'test' });
    const again = await issueFromRecord(ctx, slug, shortRecord('CAT-7'), { format: 'di', actor: 'test' });
    expect(again.outcome).toBe('existing');
    expect(again.row.id).toBe(first.row.id);
    const re = await issueFromRecord(ctx, slug, shortRecord('CAT-7'), { format: 'di', reissue: true, actor: 'test' });
    expect(re.outcome).toBe('issued');
    expect(re.row.courseVersion).toBe(3);
    expect(re.superseded).toEqual([first.row.id]);
    // a changed record under the same recordId still conflicts
    const changed = await problemOf(issueFromRecord(ctx, slug, shortRecord('CAT-7', { title: 'Something else' }), { format: 'di', actor: 'test' }));
    expect(changed.status).toBe(409);
  });

  it('a recordId or course code the database cannot hold (NUL, a lone surrogate) is a 422 problem, never a 500', async () => {
    for (const bad of ['CAT-\u0000-1', 'CAT-\uD800-2']) {
      const p = await problemOf(issueFromRecord(ctx, slug, shortRecord(bad), { format: 'di', actor: 'test' }));
      expect(p.status).toBe(422);
      expect((p.extensions.problems as { path: string }[]).map((x) => x.path)).toContain('$.recordId');
    }
    const p = await problemOf(issueFromRecord(ctx, slug, { ...shortRecord('CAT-9'), course: { code: 'PHM\u00007021' } }, { format: 'di', actor: 'test' }));
    expect(p.status).toBe(422);
  });

  it('the full-record form keeps working: a course not in the catalogue is issued as given, without a version', async () => {
    const rec = { ...structuredClone(recordMinimal), recordId: 'CAT-8', course: { ...(recordMinimal.course as object), code: 'FULL1' } };
    const out = await issueFromRecord(ctx, slug, rec, { format: 'di', actor: 'test' });
    expect(out.row.courseCode).toBe('FULL1');
    expect(out.row.courseVersion).toBeUndefined();
    const credential = JSON.parse(out.row.credential) as { credentialSubject: { achievement: Record<string, unknown> } };
    expect('version' in credential.credentialSubject.achievement).toBe(false);
    expect((await issueFromRecord(ctx, slug, rec, { format: 'di', actor: 'test' })).outcome).toBe('existing');
    // and a full record whose course was added to the catalogue later is still recognised as already issued
    await putCourse(ctx, slug, 'FULL1', courseOf(rec), { actor: 'test' });
    expect((await issueFromRecord(ctx, slug, rec, { format: 'di', actor: 'test' })).outcome).toBe('existing');
  });
});
