// Bulk jobs issue every record exactly once when workers die and when several work on one job: a worker process
// killed with SIGKILL mid-job and the job resumed (PostgreSQL, and PGlite reopened from its data directory), and two
// worker processes on one PostgreSQL job with single issuances of the same records racing them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/lib/paths.js';
import { FastDiPool } from '../src/proof/fast/pool.js';
import { bulkCredentialId } from '../src/service/bulk-issue.js';
import type { ServiceContext } from '../src/service/context.js';
import { issueFromRecord } from '../src/service/issuance.js';
import { startJobWorker } from '../src/service/job-worker.js';
import { getJobStatus, readJobResults, submitJob, type JobStatus } from '../src/service/jobs.js';
import { createTestDatabase, postgresUnavailable, tsLoaderArgs } from './support/testing.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { verify } from '../src/verify/verify.js';
import { newIssuer, recordMinimal, serviceContext } from './bulk-helpers.js';

const reason = await postgresUnavailable();
const PUBLIC_URL = 'https://credentials.test';

interface WorkerProcess {
  child: ChildProcess;
  id: Promise<string>;
  chunks(): number;
  stderr(): string;
  exited: Promise<number | null>;
}

async function spawnWorker(config: Record<string, unknown>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...tsLoaderArgs(), path.join(PACKAGE_ROOT, 'test', 'support', 'job-worker-child.ts')], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, MICROCRED_WORKER_CONFIG: JSON.stringify({ publicUrl: PUBLIC_URL, ...config }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let chunks = 0;
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const id = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const msg = JSON.parse(line) as { ready?: string; chunk?: number };
        if (msg.ready) resolve(msg.ready);
        if (msg.chunk !== undefined) chunks++;
      }
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code}: ${err.slice(-2000)}`)));
  });
  return { child, id, chunks: () => chunks, stderr: () => err, exited };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ndjson = (prefix: string, n: number): string =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ ...recordMinimal, recordId: `${prefix}-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` } })).join('\n');

/** Exactly once: one current credential per record, each with the row's credential id or an earlier one, and the status index bookkeeping in step. */
async function checkExactlyOnce(db: Db, ctx: ServiceContext, slug: string, job: JobStatus, n: number, prefix: string): Promise<void> {
  const status = await getJobStatus(ctx, slug, job.id);
  expect(status.state).toBe('done');
  expect(status.processed).toBe(n);
  expect(status.counts.rejected).toBe(0);
  expect(status.counts.issued + status.counts.alreadyIssued).toBe(n);
  const creds = await db.query<{ n: number; records: number; current: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS records, count(*) FILTER (WHERE superseded_by IS NULL)::int AS current
       FROM credentials WHERE issuer_slug = $1 AND record_id LIKE $2`,
    [slug, `${prefix}-%`],
  );
  expect(creds.rows[0]).toEqual({ n, records: n, current: n });
  const rows = [];
  for await (const r of readJobResults(ctx, slug, job.id)) rows.push(r);
  expect(rows.length).toBe(n);
  const ids = new Set(rows.map((r) => r.credentialId));
  expect(ids.size).toBe(n);
  for (const r of rows) if (r.outcome === 'issued') expect(r.credentialId).toBe(bulkCredentialId(job.id, r.row));
  const book = await db.query<{ allocations: number; used: number; credentials: number }>(
    `SELECT (SELECT count(*)::int FROM status_allocations a JOIN status_lists l ON l.id = a.list_id WHERE l.issuer_slug = $1) AS allocations,
            (SELECT coalesce(sum(used), 0)::int FROM status_lists WHERE issuer_slug = $1) AS used,
            (SELECT count(*)::int FROM credentials WHERE issuer_slug = $1) AS credentials`,
    [slug],
  );
  const b = book.rows[0] as { allocations: number; used: number; credentials: number };
  expect(b.allocations).toBe(b.credentials);
  expect(b.used).toBe(b.allocations);
  const sample = await db.query<{ credential: string }>(`SELECT credential FROM credentials WHERE issuer_slug = $1 AND record_id LIKE $2 ORDER BY random() LIMIT 2`, [slug, `${prefix}-%`]);
  for (const s of sample.rows) expect((await verify(JSON.parse(s.credential) as object, { checkStatus: false })).checks.filter((c) => c.status === 'fail')).toEqual([]);
}

async function orphanAllocations(db: Db, slug: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM status_allocations a JOIN status_lists l ON l.id = a.list_id
      WHERE l.issuer_slug = $1 AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = a.credential_id)`,
    [slug],
  );
  return Number(r.rows[0]?.n);
}

async function resumeUntilDone(ctx: ServiceContext, slug: string, jobId: string, pool: FastDiPool): Promise<void> {
  const worker = await startJobWorker(ctx, { pool, pollMs: 100, leaseMs: 5000 });
  try {
    await until('the resumed job', async () => (await getJobStatus(ctx, slug, jobId)).state === 'done');
  } finally {
    await worker.stop();
  }
}

describe('bulk jobs: exactly once', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let pool: FastDiPool | undefined;
  const sharedPool = async (): Promise<FastDiPool> => (pool ??= await FastDiPool.create({ size: 1 }));
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await pool?.close();
  });

  describe.skipIf(reason)(`PostgreSQL${reason ? ` (skipped: ${reason})` : ''}`, () => {
    it('a worker killed with SIGKILL mid-job: the job resumed issues every record exactly once', { timeout: 240_000 }, async () => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const db = await openDb({ databaseUrl: database.url });
      cleanups.push(() => db.close());
      const ctx = serviceContext(db, { publicUrl: PUBLIC_URL });
      const slug = await newIssuer(db, 'kill');
      const N = 300;
      const job = await submitJob(ctx, slug, [ndjson('K', N)], { input: 'ndjson', actor: 'test', limits: { chunkRows: 20 } });
      // The worker kills itself (SIGKILL) right after claiming the status indexes of its fifth chunk, before signing it.
      const w = await spawnWorker({ databaseUrl: database.url, leaseMs: 1500, poolSize: 1, pollMs: 50, killAfterReserve: 5 });
      cleanups.push(async () => w.child.kill('SIGKILL'));
      await w.id;
      await w.exited;
      expect(w.chunks()).toBeGreaterThanOrEqual(3);
      const mid = await getJobStatus(ctx, slug, job.id);
      expect(mid.state).toBe('running');
      expect(mid.processed).toBeLessThan(N);
      // The dead worker's claimed indexes are there without their credentials ...
      const orphans = await orphanAllocations(db, slug);
      expect(orphans).toBeGreaterThanOrEqual(20);
      await resumeUntilDone(ctx, slug, job.id, await sharedPool());
      // ... and the resumed run used them (checkExactlyOnce: allocations = credentials).
      await checkExactlyOnce(db, ctx, slug, job, N, 'K');
      expect((await getJobStatus(ctx, slug, job.id)).counts.issued).toBe(N);
    });

    it('two worker processes on one job, with single issuances racing them, never issue a record twice', { timeout: 240_000 }, async () => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const db = await openDb({ databaseUrl: database.url });
      cleanups.push(() => db.close());
      const ctx = serviceContext(db, { publicUrl: PUBLIC_URL });
      const slug = await newIssuer(db, 'two');
      const N = 400;
      const records = ndjson('T', N).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      // Some records are issued one by one before the job, some while it runs.
      for (const r of records.slice(0, 10)) await issueFromRecord(ctx, slug, r, { format: 'di', actor: 'test' });
      const workers = await Promise.all([0, 1].map(() => spawnWorker({ databaseUrl: database.url, leaseMs: 30_000, poolSize: 1, pollMs: 50 })));
      for (const w of workers) cleanups.push(async () => w.child.kill('SIGKILL'));
      const ids = await Promise.all(workers.map((w) => w.id));
      const job = await submitJob(ctx, slug, [records.map((r) => JSON.stringify(r)).join('\n')], { input: 'ndjson', actor: 'test', limits: { chunkRows: 10 } });
      const racing = (async () => {
        for (const r of [...records.slice(200, 210), ...records.slice(390, 400)]) {
          await issueFromRecord(ctx, slug, r, { format: 'di', actor: 'test' }).catch((e: unknown) => {
            throw new Error(`single issuance failed: ${(e as Error).message}`);
          });
        }
      })();
      await until('the job', async () => (await getJobStatus(ctx, slug, job.id)).state === 'done');
      await racing;
      // This process claims status indexes ahead for its single issuances; closing gives the spare ones back, as a
      // service does when it stops, so the books below balance exactly.
      await ctx.close();
      for (const w of workers) w.child.stdin?.end();
      await Promise.all(workers.map((w) => w.exited));
      await checkExactlyOnce(db, ctx, slug, job, N, 'T');
      const status = await getJobStatus(ctx, slug, job.id);
      expect(status.counts.alreadyIssued).toBeGreaterThanOrEqual(10);
      const by = await db.query<{ claimed_by: string; n: number }>('SELECT claimed_by, count(*)::int AS n FROM job_chunks WHERE job_id = $1 GROUP BY claimed_by', [job.id]);
      expect(by.rows.map((r) => r.claimed_by).sort()).toEqual([...ids].sort());
    });
  });

  it('PGlite: a worker process killed with SIGKILL, the data directory reopened, the job resumed: exactly once', { timeout: 240_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'microcred-jobs-pglite-'));
    let db = await openDb({ dataDir });
    let ctx = serviceContext(db, { publicUrl: PUBLIC_URL });
    const slug = await newIssuer(db, 'restart');
    const N = 200;
    const job = await submitJob(ctx, slug, [ndjson('P', N)], { input: 'ndjson', actor: 'test', limits: { chunkRows: 20 } });
    await db.close();
    const w = await spawnWorker({ dataDir, leaseMs: 1000, poolSize: 1, pollMs: 50, killAfterReserve: 3 });
    cleanups.push(async () => w.child.kill('SIGKILL'));
    await w.id;
    await w.exited;
    db = await openDb({ dataDir });
    cleanups.push(() => db.close());
    ctx = serviceContext(db, { publicUrl: PUBLIC_URL });
    const mid = await getJobStatus(ctx, slug, job.id);
    expect(mid.processed).toBeLessThan(N);
    expect(await orphanAllocations(db, slug)).toBeGreaterThanOrEqual(20);
    await resumeUntilDone(ctx, slug, job.id, await sharedPool());
    await checkExactlyOnce(db, ctx, slug, job, N, 'P');
  });
});
