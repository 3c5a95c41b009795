/**
 * Bulk job throughput beside the library figure it is bounded by, in the same run: FastDiPool batch issuance of the
 * same credentials, then a job of BENCH_JOB_N records (default 10,000; short records completed from the catalogue,
 * Data Integrity) worked on by one in-process worker sharing that pool, on PGlite and, when a server answers
 * (MICROCRED_TEST_PG), PostgreSQL. Prints one table; `node --import ./test/support/ts-register.mjs test/bench/bulk-job.ts`.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildValidatedCredential } from '../../src/credential/annex1.js';
import { generateKeySet } from '../../src/keyset/keyset.js';
import { PACKAGE_ROOT } from '../../src/lib/paths.js';
import { FastDiPool } from '../../src/proof/fast/pool.js';
import { assertProfile } from '../../src/record/profile.js';
import { assertRecord } from '../../src/record/validate.js';
import { createIssuer } from '../../src/service/admin.js';
import { ServiceContext } from '../../src/service/context.js';
import { putCourse } from '../../src/service/courses.js';
import { startJobWorker } from '../../src/service/job-worker.js';
import { getJobStatus, submitJob } from '../../src/service/jobs.js';
import { createTestDatabase, postgresUnavailable } from '../support/testing.js';
import type { Db } from '../../src/store/db.js';
import { openDb } from '../../src/store/open.js';

const N = Number(process.env.BENCH_JOB_N ?? 10_000);
const POOL = Number(process.env.BENCH_POOL ?? os.availableParallelism());

interface Row {
  name: string;
  perSecond: number;
  seconds: number;
  note?: string;
}

async function fixtures(): Promise<{ profile: Record<string, unknown>; record: Record<string, unknown> }> {
  const record = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'examples/record.json'), 'utf8')) as Record<string, unknown>;
  const profile = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'keys.example/profile.json'), 'utf8')) as Record<string, unknown>;
  delete profile._note;
  delete record._note;
  return { profile, record };
}

async function libraryRow(pool: FastDiPool, profileIn: Record<string, unknown>, recordIn: Record<string, unknown>): Promise<Row> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'microcred-bench-bulk-')), 'keys');
  const keys = await generateKeySet({ dir });
  const profile = assertProfile(profileIn);
  const credentials = Array.from({ length: N }, (_, i) => {
    const record = assertRecord({ ...recordIn, recordId: `LIB-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` } });
    return buildValidatedCredential(profile, record, { issuerId: keys.controller }) as unknown as Record<string, unknown>;
  });
  const key = keys.dataIntegrityKey('eddsa-rdfc-2022');
  await pool.issue(credentials.slice(0, 200), { signerId: key.id, privateKey: keys.signingKey(key.id) });
  const started = performance.now();
  const out = await pool.issue(credentials, { signerId: key.id, privateKey: keys.signingKey(key.id) });
  const seconds = (performance.now() - started) / 1000;
  if (out.some((r) => !r.ok)) throw new Error('bench: the pool failed to sign some credentials');
  return { name: `library: FastDiPool.issue, ${POOL} workers (signing only)`, perSecond: N / seconds, seconds };
}

async function jobRows(kind: string, db: Db, pool: FastDiPool, profile: Record<string, unknown>, record: Record<string, unknown>): Promise<Row[]> {
  const ctx = new ServiceContext(db, { publicUrl: 'https://credentials.bench' }, pino({ level: 'warn' }));
  const slug = `bench-${Date.now().toString(36)}`;
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'microcred-bench-bulk-')), slug);
  await generateKeySet({ dir });
  await createIssuer(db, { slug, profile, existingKeysDir: dir });
  const course = { ...(record.course as Record<string, unknown>) };
  delete course.code;
  await putCourse(ctx, slug, 'PHM7021', course, { actor: 'bench' });
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({ recordId: `JOB-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` }, course: { code: 'PHM7021' }, result: record.result }),
  ).join('\n');
  const uploadStart = performance.now();
  const job = await submitJob(ctx, slug, [lines], { input: 'ndjson', actor: 'bench' });
  const uploadSeconds = (performance.now() - uploadStart) / 1000;
  const started = performance.now();
  const worker = await startJobWorker(ctx, { pool, pollMs: 20 });
  for (;;) {
    const s = await getJobStatus(ctx, slug, job.id);
    if (s.state === 'done') {
      if (s.counts.issued !== N) throw new Error(`bench: ${kind} job issued ${s.counts.issued} of ${N}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return [
    { name: `${kind}: job upload (NDJSON, ${(lines.length / 2 ** 20).toFixed(1)} MiB, stored in chunks)`, perSecond: N / uploadSeconds, seconds: uploadSeconds },
    { name: `${kind}: job issuance (DI, catalogue records, 1 worker, pool ${POOL})`, perSecond: N / seconds, seconds },
  ];
}

const { profile, record } = await fixtures();
const pool = await FastDiPool.create({ size: POOL });
const rows: Row[] = [];
try {
  const library = await libraryRow(pool, profile, record);
  rows.push(library);
  const pglite = await openDb({ dataDir: 'memory' });
  try {
    rows.push(...(await jobRows('PGlite', pglite, pool, profile, record)));
  } finally {
    await pglite.close();
  }
  const reason = await postgresUnavailable();
  if (reason) console.log(`PostgreSQL skipped: ${reason}`);
  else {
    const database = await createTestDatabase();
    const pg = await openDb({ databaseUrl: database.url });
    try {
      rows.push(...(await jobRows('PostgreSQL', pg, pool, profile, record)));
    } finally {
      await pg.close();
      await database.drop();
    }
  }
} finally {
  await pool.close();
}
const lib = rows[0]?.perSecond ?? 1;
console.log(`bulk jobs, ${N} records; ${os.cpus()[0]?.model ?? 'CPU'} x${os.cpus().length}, Node ${process.version}`);
console.log('| case | records/s | seconds | ÷ library |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.seconds.toFixed(2)} | ${(r.perSecond / lib).toFixed(3)} |`);
