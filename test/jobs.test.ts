// Background bulk jobs on PGlite, in process: a SIS export with its mapping and the catalogue, dry run (writes
// nothing), issuing through FastDiPool, the report stream, idempotent re-submission, duplicates, NDJSON, cancel,
// uploads that are refused whole, and the status index bookkeeping.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCsv } from '../src/import/report.js';
import type { ReportRow } from '../src/import/types.js';
import { FastDiPool } from '../src/proof/fast/pool.js';
import { bulkCredentialId } from '../src/service/bulk-issue.js';
import type { ServiceContext } from '../src/service/context.js';
import { putCourse } from '../src/service/courses.js';
import { runJobsUntilIdle } from '../src/service/job-worker.js';
import { cancelJob, getJobStatus, readJobResults, submitJob } from '../src/service/jobs.js';
import { HttpProblem } from '../src/service/problem.js';
import type { Db } from '../src/store/db.js';
import { insertJob, insertJobChunk } from '../src/store/jobs.js';
import { openDb } from '../src/store/open.js';
import { verify } from '../src/verify/verify.js';
import { newIssuer, recordMinimal, serviceContext } from './bulk-helpers.js';

const example = (name: string): string => new URL(`../examples/${name}`, import.meta.url).pathname;
const mapping = JSON.parse(readFileSync(example('sits-mapping.json'), 'utf8')) as Record<string, unknown>;
const exportCsv = readFileSync(example('sits-export.csv'));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function problemOf(p: Promise<unknown>): Promise<HttpProblem> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpProblem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

/** Status index bookkeeping of an issuer: allocations, their count on the lists, credentials. */
async function bookkeeping(db: Db, slug: string): Promise<{ allocations: number; used: number; credentials: number }> {
  const r = await db.query<{ allocations: number; used: number; credentials: number }>(
    `SELECT (SELECT count(*)::int FROM status_allocations a JOIN status_lists l ON l.id = a.list_id WHERE l.issuer_slug = $1) AS allocations,
            (SELECT coalesce(sum(used), 0)::int FROM status_lists WHERE issuer_slug = $1) AS used,
            (SELECT count(*)::int FROM credentials WHERE issuer_slug = $1) AS credentials`,
    [slug],
  );
  return r.rows[0] as { allocations: number; used: number; credentials: number };
}

describe('bulk jobs (PGlite)', () => {
  let db: Db;
  let ctx: ServiceContext;
  let pool: FastDiPool;
  let slug: string;

  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory' });
    ctx = serviceContext(db);
    pool = await FastDiPool.create({ size: 1 });
    slug = await newIssuer(db, 'jobs');
    for (const code of ['PHM7021', 'CYB4010']) {
      await putCourse(ctx, slug, code, JSON.parse(readFileSync(example(`catalogue/${code}.json`), 'utf8')), { actor: 'test' });
    }
  });
  afterAll(async () => {
    await pool?.close();
    await db?.close();
  });

  it('a dry run validates every row and writes nothing but the job', async () => {
    const job = await submitJob(ctx, slug, [exportCsv], { input: 'csv', mapping, dryRun: true, actor: 'test' });
    expect(job).toMatchObject({ state: 'queued', total: 6, processed: 0, dryRun: true });
    await runJobsUntilIdle(ctx, { pool });
    const done = await getJobStatus(ctx, slug, job.id);
    expect(done).toMatchObject({ state: 'done', processed: 6, counts: { issued: 0, alreadyIssued: 0, rejected: 2, wouldIssue: 4 } });
    const rows = await collect(readJobResults(ctx, slug, job.id));
    expect(rows.map((r) => r.outcome)).toEqual(['would-issue', 'would-issue', 'rejected', 'would-issue', 'rejected', 'would-issue']);
    expect(rows[4]?.problems?.[0]?.message).toMatch(/column SMR_CONF_DATE/);
    expect(await bookkeeping(db, slug)).toEqual({ allocations: 0, used: 0, credentials: 0 });
    const lists = await db.query('SELECT 1 FROM status_lists WHERE issuer_slug = $1', [slug]);
    expect(lists.rows.length).toBe(0);
  });

  it('issues the export through the pool; report in row order with page URLs; credentials verify', async () => {
    const job = await submitJob(ctx, slug, [exportCsv], { input: 'csv', mapping, actor: 'api-key:test' });
    await runJobsUntilIdle(ctx, { pool });
    const done = await getJobStatus(ctx, slug, job.id);
    expect(done).toMatchObject({ state: 'done', total: 6, processed: 6, counts: { issued: 4, alreadyIssued: 0, rejected: 2 } });
    expect(done.rate).toBeGreaterThan(0);
    expect(done.finishedAt).toBeDefined();
    const rows = await collect(readJobResults(ctx, slug, job.id));
    expect(rows.map((r) => [r.row, r.line, r.outcome])).toEqual([
      [1, 2, 'issued'],
      [2, 3, 'issued'],
      [3, 4, 'rejected'],
      [4, 5, 'issued'],
      [5, 6, 'rejected'],
      [6, 7, 'issued'],
    ]);
    const first = rows[0] as ReportRow;
    expect(first.credentialId).toBe(bulkCredentialId(job.id, 1));
    // The report names the credential's learner page (its unguessable token), not the API resource.
    const token = await db.query<{ page_token: string }>('SELECT page_token FROM credentials WHERE id = $1', [first.credentialId]);
    expect(first.url).toBe(`https://credentials.test/c/${token.rows[0]?.page_token}`);
    const stored = await db.query<{ credential: string; course_version: number; record_id: string }>(
      'SELECT credential, course_version, record_id FROM credentials WHERE issuer_slug = $1 ORDER BY record_id',
      [slug],
    );
    expect(stored.rows.length).toBe(4);
    expect(stored.rows.every((r) => r.course_version === 1)).toBe(true);
    for (const r of stored.rows.slice(0, 2)) {
      const credential = JSON.parse(r.credential) as { credentialSubject: { achievement: { version?: string } } };
      expect(credential.credentialSubject.achievement.version).toBe('1');
      const report = await verify(credential, { checkStatus: false });
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    }
    // the row's delivery mode replaced the catalogue's participation
    const sian = JSON.parse(stored.rows.find((r) => r.record_id.startsWith('02310458'))?.credential as string) as { credentialSubject: { achievement: { alignment: { targetType: string; targetCode: string }[] } } };
    expect(sian.credentialSubject.achievement.alignment.find((a) => a.targetType === 'ext:ParticipationMode')?.targetCode).toBe('online-asynchronous');
    const audit = await db.query<{ n: number; actor: string }>(
      `SELECT count(*)::int AS n, min(actor) AS actor FROM audit_log WHERE issuer_slug = $1 AND action = 'credential.issue' AND details->>'job' = $2`,
      [slug, job.id],
    );
    // the audit log names who submitted the job
    expect(audit.rows[0]).toEqual({ n: 4, actor: 'api-key:test' });
    expect(await bookkeeping(db, slug)).toEqual({ allocations: 4, used: 4, credentials: 4 });
    const csv = (await collect(reportCsv(readJobResults(ctx, slug, job.id)))).join('');
    expect(csv.split('\r\n')[0]).toBe('\ufeffrow,line,recordId,outcome,credentialId,url,problems');
    expect(csv).toMatch(/\r\n5,6,02310461-CYB4010-2025\/6-B,rejected,,,"\$\.result\.completionDate \(column SMR_CONF_DATE\): expected a date written dd\/mm\/yyyy, found ""31\/02\/2026"", which is not a date"\r\n/);
  });

  it('the same export again: every issued row is already issued, nothing new is written', async () => {
    const job = await submitJob(ctx, slug, [exportCsv], { input: 'csv', mapping, actor: 'test' });
    await runJobsUntilIdle(ctx, { pool });
    expect(await getJobStatus(ctx, slug, job.id)).toMatchObject({ counts: { issued: 0, alreadyIssued: 4, rejected: 2 } });
    expect(await bookkeeping(db, slug)).toEqual({ allocations: 4, used: 4, credentials: 4 });
  });

  it('NDJSON in several chunks, JWT, with repeated and changed recordIds and a bad line', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) lines.push(JSON.stringify({ ...recordMinimal, recordId: `ND-${i}`, learner: { fullName: `Learner ${i}` } }));
    lines.push(JSON.stringify({ ...recordMinimal, recordId: 'ND-5', learner: { fullName: 'Learner 5' } })); // same content
    lines.push(JSON.stringify({ ...recordMinimal, recordId: 'ND-6', learner: { fullName: 'Somebody else' } })); // changed
    lines.push('{"recordId": ');
    const before = await bookkeeping(db, slug);
    const job = await submitJob(ctx, slug, [lines.join('\n')], { input: 'ndjson', format: 'jwt', actor: 'test', limits: { chunkRows: 25 } });
    expect(job.total).toBe(123);
    await runJobsUntilIdle(ctx, { pool });
    const status = await getJobStatus(ctx, slug, job.id);
    expect(status).toMatchObject({ state: 'done', processed: 123, counts: { issued: 120, alreadyIssued: 1, rejected: 2 } });
    const rows = await collect(readJobResults(ctx, slug, job.id));
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 123 }, (_, i) => i + 1));
    const repeat = rows[120] as ReportRow;
    expect(repeat.outcome).toBe('already-issued');
    expect(repeat.credentialId).toBe(rows[5]?.credentialId);
    expect(rows[121]?.problems?.[0]?.path).toBe('$.recordId');
    expect(rows[122]?.line).toBe(123);
    const after = await bookkeeping(db, slug);
    expect(after.credentials - before.credentials).toBe(120);
    expect(after.allocations).toBe(after.credentials);
    expect(after.used).toBe(after.allocations);
    const jwt = await db.query<{ credential: string }>(`SELECT credential FROM credentials WHERE issuer_slug = $1 AND record_id = 'ND-0'`, [slug]);
    expect((await verify(jwt.rows[0]?.credential as string, { checkStatus: false })).checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('rows with text the database cannot hold (NUL, an unpaired surrogate) are rejected rows, not a failed upload', async () => {
    const lines = [
      JSON.stringify({ ...recordMinimal, recordId: 'NUL-OK' }),
      JSON.stringify({ ...recordMinimal, recordId: 'NUL-\u0000' }),
      JSON.stringify({ ...recordMinimal, recordId: 'NUL-2', learner: { fullName: 'Lone \uD800 surrogate' } }),
    ];
    const job = await submitJob(ctx, slug, [lines.join('\n')], { input: 'ndjson', format: 'jwt', actor: 'test' });
    await runJobsUntilIdle(ctx, { pool });
    const rows = await collect(readJobResults(ctx, slug, job.id));
    expect(rows.map((r) => r.outcome)).toEqual(['issued', 'rejected', 'rejected']);
    expect(rows.slice(1).map((r) => r.problems?.[0]?.path)).toEqual(['$.recordId', '$.learner.fullName']);
  });

  it('cancel before the work: rows not processed, nothing issued', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ ...recordMinimal, recordId: `CX-${i}`, learner: { fullName: `C ${i}` } }));
    const before = await bookkeeping(db, slug);
    const job = await submitJob(ctx, slug, [lines.join('\n')], { input: 'ndjson', actor: 'test', limits: { chunkRows: 10 } });
    const cancelled = await cancelJob(ctx, slug, job.id, { actor: 'test' });
    expect(cancelled.state).toBe('cancelled');
    await runJobsUntilIdle(ctx, { pool });
    const rows = await collect(readJobResults(ctx, slug, job.id));
    expect(rows.length).toBe(30);
    expect(new Set(rows.map((r) => r.outcome))).toEqual(new Set(['not-processed']));
    expect(rows[3]?.recordId).toBe('CX-3');
    expect(await bookkeeping(db, slug)).toEqual(before);
    expect((await cancelJob(ctx, slug, job.id, { actor: 'test' })).state).toBe('cancelled');
  });

  it('uploads refused whole leave no job: bad mapping, missing column, not UTF-8, over the limit, no rows', async () => {
    const count = async (): Promise<number> => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE issuer_slug = $1', [slug])).rows[0]?.n);
    const n = await count();
    const badMapping = await problemOf(submitJob(ctx, slug, [exportCsv], { input: 'csv', mapping: { fields: {} }, actor: 'test' }));
    expect([badMapping.status, badMapping.code]).toEqual([422, 'mapping-invalid']);
    const missing = await problemOf(submitJob(ctx, slug, ['A,B\n1,2\n'], { input: 'csv', mapping, actor: 'test' }));
    expect([missing.status, missing.code]).toEqual([422, 'input-invalid']);
    expect(missing.message).toMatch(/no column "STU_CODE"/);
    const latin = Buffer.concat([exportCsv.subarray(0, 200), Buffer.from([0xff]), exportCsv.subarray(200)]);
    const enc = await problemOf(submitJob(ctx, slug, [latin], { input: 'csv', mapping, actor: 'test' }));
    expect(enc.message).toMatch(/^Line 2 is not UTF-8/);
    const big = await problemOf(submitJob(ctx, slug, [exportCsv], { input: 'csv', mapping, actor: 'test', limits: { maxBytes: 300 } }));
    expect(big.status).toBe(413);
    const many = await problemOf(submitJob(ctx, slug, [exportCsv], { input: 'csv', mapping, actor: 'test', limits: { maxRows: 3, chunkRows: 2 } }));
    expect(many.status).toBe(413);
    const empty = await problemOf(submitJob(ctx, slug, ['\n\n'], { input: 'ndjson', actor: 'test' }));
    expect(empty.status).toBe(422);
    expect(await count()).toBe(n);
    const chunks = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_chunks c LEFT JOIN jobs j ON j.id = c.job_id WHERE j.id IS NULL');
    expect(chunks.rows[0]?.n).toBe(0);
  });

  it('a row the signer fails on is a rejected row with the reason; the rest of the chunk is written and its index goes back', async () => {
    // The pool signs every credential, except that it reports a failure for the one of recordId SIGN-FAIL.
    const failing = Object.create(pool) as FastDiPool;
    failing.issueJson = async (texts, options) => {
      const out = await pool.issueJson(texts, options);
      return out.map((r, i) => ((JSON.parse(texts[i] as string) as { credentialSubject: { identifier?: { identityHash: string }[] } }).credentialSubject.identifier?.some((x) => x.identityHash === 'Failing Learner') ? { ok: false as const, error: 'the signer refused' } : r));
    };
    const before = await bookkeeping(db, slug);
    const lines = ['SIGN-OK-1', 'SIGN-FAIL', 'SIGN-OK-2'].map((recordId) =>
      JSON.stringify({ ...recordMinimal, recordId, learner: { fullName: recordId === 'SIGN-FAIL' ? 'Failing Learner' : `Learner ${recordId}` } }),
    );
    const job = await submitJob(ctx, slug, [lines.join('\n')], { input: 'ndjson', actor: 'test' });
    await runJobsUntilIdle(ctx, { pool: failing });
    const rows = await collect(readJobResults(ctx, slug, job.id));
    expect(rows.map((r) => [r.recordId, r.outcome])).toEqual([
      ['SIGN-OK-1', 'issued'],
      ['SIGN-FAIL', 'rejected'],
      ['SIGN-OK-2', 'issued'],
    ]);
    expect(rows[1]?.problems?.[0]?.message).toMatch(/a signing error: the signer refused/);
    const after = await bookkeeping(db, slug);
    expect(after.credentials - before.credentials).toBe(2);
    expect(after.allocations).toBe(after.credentials);
    expect(after.used).toBe(after.allocations);
    // Sent again with a working signer, the row is issued.
    const again = await submitJob(ctx, slug, [lines[1] as string], { input: 'ndjson', actor: 'test' });
    await runJobsUntilIdle(ctx, { pool });
    expect((await collect(readJobResults(ctx, slug, again.id)))[0]?.outcome).toBe('issued');
  });

  it('a chunk claimed too often (every attempt failed or died) reports its rows instead of being tried for ever', async () => {
    const job = await submitJob(ctx, slug, [JSON.stringify({ ...recordMinimal, recordId: 'TRIED-1' })], { input: 'ndjson', actor: 'test' });
    await db.query('UPDATE job_chunks SET attempts = 5 WHERE job_id = $1', [job.id]);
    await runJobsUntilIdle(ctx, { pool, maxAttempts: 5 });
    const [row] = await collect(readJobResults(ctx, slug, job.id));
    expect(row?.outcome).toBe('rejected');
    expect(row?.problems?.[0]?.message).toMatch(/5 failed attempts/);
    expect((await getJobStatus(ctx, slug, job.id)).state).toBe('done');
  });

  it('an upload abandoned half-way (its process died) is deleted by a worker once idle long enough', async () => {
    await insertJob(db, { id: 'abandoned-upload', issuerSlug: slug, inputType: 'ndjson', options: { format: 'di', dryRun: false }, createdBy: 'test' });
    await insertJobChunk(db, 'abandoned-upload', 0, 1, [{ row: 1, line: 1, problems: [] }]);
    await runJobsUntilIdle(ctx, { pool, abandonedUploadMs: 60_000 });
    expect((await db.query(`SELECT 1 FROM jobs WHERE id = 'abandoned-upload'`)).rows.length).toBe(1);
    await db.query(`UPDATE jobs SET updated_at = now() - interval '2 minutes' WHERE id = 'abandoned-upload'`);
    await runJobsUntilIdle(ctx, { pool, abandonedUploadMs: 60_000 });
    expect((await db.query(`SELECT 1 FROM jobs WHERE id = 'abandoned-upload'`)).rows.length).toBe(0);
    expect((await db.query(`SELECT 1 FROM job_chunks WHERE job_id = 'abandoned-upload'`)).rows.length).toBe(0);
  });
});
