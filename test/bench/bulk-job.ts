/**
 * Bulk job throughput beside the library figure it is bounded by, in the same run: signing the same credentials
 * (FastDiPool batch issuance for Data Integrity, issueCredential 500 at a time for VC-JWT), then, per format
 * (BENCH_JOB_FORMATS, default di,jwt), a job of BENCH_JOB_N records (default 10,000; short records completed from the
 * catalogue) sent as NDJSON over HTTP to a fresh service process (the built one, with its own job worker and signing
 * pool) on PGlite and, when a server answers (MICROCRED_TEST_PG), PostgreSQL: from the upload to the job done, with
 * the service's CPU per record and its peak RSS. Prints one table; `node --import ./test/support/ts-register.mjs test/bench/bulk-job.ts`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildValidatedCredential } from '../../src/credential/annex1.js';
import { issueCredential } from '../../src/issue.js';
import { generateKeySet } from '../../src/keyset/keyset.js';
import { PACKAGE_ROOT } from '../../src/lib/paths.js';
import { FastDiPool } from '../../src/proof/fast/pool.js';
import { assertProfile } from '../../src/record/profile.js';
import { assertRecord } from '../../src/record/validate.js';
import { createTestDatabase, postgresUnavailable, spawnServiceProcess } from '../support/testing.js';
import { processCpuMs, processPeakRssMiB } from './http.js';

const N = Number(process.env.BENCH_JOB_N ?? 10_000);
const POOL = Number(process.env.BENCH_POOL ?? os.availableParallelism());
const LIBRARY_N = 10_000;

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

/** The library's credentials of the same records as the jobs (built, unsigned) and a key set to sign them. */
async function libraryCredentials(profileIn: Record<string, unknown>, recordIn: Record<string, unknown>) {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'microcred-bench-bulk-')), 'keys');
  const keys = await generateKeySet({ dir });
  const profile = assertProfile(profileIn);
  // A rate: 10,000 credentials measure it as well as more would (and a 100,000-record run keeps its memory for the jobs).
  const n = Math.min(N, LIBRARY_N);
  const credentials = Array.from({ length: n }, (_, i) => {
    const record = assertRecord({ ...recordIn, recordId: `LIB-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` } });
    return buildValidatedCredential(profile, record, { issuerId: keys.controller }) as unknown as Record<string, unknown>;
  });
  return { keys, credentials };
}

/** Data Integrity: FastDiPool batch issuance of the built credentials (signing only). */
async function libraryDiRow(pool: FastDiPool, { keys, credentials }: Awaited<ReturnType<typeof libraryCredentials>>): Promise<Row> {
  const key = keys.dataIntegrityKey('eddsa-rdfc-2022');
  await pool.issue(credentials.slice(0, 200), { signerId: key.id, privateKey: keys.signingKey(key.id) });
  const started = performance.now();
  const out = await pool.issue(credentials, { signerId: key.id, privateKey: keys.signingKey(key.id) });
  const seconds = (performance.now() - started) / 1000;
  if (out.some((r) => !r.ok)) throw new Error('bench: the pool failed to sign some credentials');
  const n = credentials.length;
  return { name: `library: FastDiPool.issue of ${n} credentials, ${POOL} workers (signing only)`, perSecond: n / seconds, seconds };
}

/** VC-JWT: issueCredential of the built credentials with the key set's default algorithm, a job chunk's 500 at a time, as a job signs them. */
async function libraryJwtRow({ keys, credentials }: Awaited<ReturnType<typeof libraryCredentials>>): Promise<Row> {
  const signAll = async (list: Record<string, unknown>[]): Promise<void> => {
    for (let i = 0; i < list.length; i += 500) await Promise.all(list.slice(i, i + 500).map((c) => issueCredential(c, { format: 'jwt', keys })));
  };
  await signAll(credentials.slice(0, 200));
  const started = performance.now();
  await signAll(credentials);
  const seconds = (performance.now() - started) / 1000;
  const n = credentials.length;
  return { name: `library: issueCredential VC-JWT (${keys.defaultJwtAlg()}) of ${n} credentials, 500 at a time (signing only)`, perSecond: n / seconds, seconds };
}

/** A service process (the built one, as `npm start` runs it) with an issuer, its catalogue course and an API key. */
async function startService(kind: 'PGlite' | 'PostgreSQL', profile: Record<string, unknown>, record: Record<string, unknown>) {
  const adminToken = `bench-${Math.random().toString(36).slice(2)}`;
  const config: Record<string, unknown> = { adminToken, logLevel: 'warn', keysDir: await mkdtemp(path.join(tmpdir(), 'microcred-bench-bulk-')) };
  // BENCH_JOB_CHUNK: rows per stored chunk (the service's default otherwise).
  if (process.env.BENCH_JOB_CHUNK) config.jobLimits = { chunkRows: Number(process.env.BENCH_JOB_CHUNK) };
  let drop: (() => Promise<void>) | undefined;
  if (kind === 'PostgreSQL') {
    const database = await createTestDatabase();
    config.databaseUrl = database.url;
    drop = database.drop;
  } else {
    // A data directory on disk, as users run it (an in-memory database of 100,000 credentials is all heap).
    const dir = await mkdtemp(path.join(tmpdir(), 'microcred-bench-data-'));
    config.dataDir = path.join(dir, 'data');
    drop = () => rm(dir, { recursive: true, force: true });
  }
  // BENCH_SERVICE_NODE_ARGS: Node options for the service process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = await spawnServiceProcess(config, { built: true, nodeArgs });
  const call = async (method: string, p: string, body: unknown, token: string, type = 'application/json'): Promise<any> => {
    const res = await fetch(`${child.url}${p}`, { method, headers: { 'content-type': type, authorization: `Bearer ${token}` }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    if (res.status >= 300) throw new Error(`bench: ${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  await call('POST', '/issuers', { slug: 'bench', profile }, adminToken);
  const { token } = await call('POST', '/issuers/bench/api-keys', { scopes: ['issue', 'read'] }, adminToken);
  const course = { ...(record.course as Record<string, unknown>) };
  delete course.code;
  await call('PUT', '/issuers/bench/courses/PHM7021', course, token);
  return {
    child,
    token,
    call,
    async stop() {
      await child.stop();
      await drop?.();
    },
  };
}

/** A job of N catalogue records sent over HTTP to a fresh service process; its wall time, CPU and peak RSS. */
async function jobRows(kind: 'PGlite' | 'PostgreSQL', format: 'di' | 'jwt', profile: Record<string, unknown>, record: Record<string, unknown>): Promise<Row[]> {
  const service = await startService(kind, profile, record);
  try {
    const { child, call, token } = service;
    const lines = Array.from({ length: N }, (_, i) =>
      JSON.stringify({ recordId: `JOB-${format}-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` }, course: { code: 'PHM7021' }, result: record.result }),
    ).join('\n');
    const cpuBefore = processCpuMs(child.pid) ?? 0;
    // The main thread (its thread id is the process id) reads, builds and writes; the pool's threads sign.
    const mainBefore = processCpuMs(child.pid, child.pid) ?? 0;
    const uploadStart = performance.now();
    // The job starts as soon as its first chunk is stored: the upload's time is its own row, the job's runs from here.
    const job = await call('POST', `/issuers/bench/jobs?format=${format}`, lines, token, 'application/x-ndjson');
    const uploadSeconds = (performance.now() - uploadStart) / 1000;
    const uploadRss = processPeakRssMiB(child.pid);
    for (;;) {
      const s = await call('GET', `/issuers/bench/jobs/${job.id}`, undefined, token);
      if (s.state === 'done') {
        if (s.counts.issued !== N) throw new Error(`bench: ${kind} job issued ${s.counts.issued} of ${N}`);
        break;
      }
      if (s.state === 'failed' || s.state === 'cancelled') throw new Error(`bench: ${kind} job ${s.state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - uploadStart) / 1000;
    const cpuMs = (processCpuMs(child.pid) ?? 0) - cpuBefore;
    const mainMs = (processCpuMs(child.pid, child.pid) ?? 0) - mainBefore;
    const rss = processPeakRssMiB(child.pid);
    const mib = (lines.length / 2 ** 20).toFixed(1);
    return [
      { name: `${kind}: ${format.toUpperCase()} job upload (NDJSON over HTTP, ${mib} MiB, stored in chunks)`, perSecond: N / uploadSeconds, seconds: uploadSeconds },
      {
        name: `${kind}: ${format.toUpperCase()} job, upload to done (catalogue records, service process)`,
        perSecond: N / seconds,
        seconds,
        note: `service CPU ${(cpuMs / N).toFixed(2)} ms/record (main thread ${(mainMs / N).toFixed(2)}), peak RSS ${rss !== undefined ? rss.toFixed(0) : '?'} MiB (${uploadRss !== undefined ? uploadRss.toFixed(0) : '?'} MiB when the upload was answered)`,
      },
    ];
  } finally {
    await service.stop();
  }
}

const { profile, record } = await fixtures();
// BENCH_JOB_FORMATS: the jobs' proof formats (di,jwt).
const FORMATS = (process.env.BENCH_JOB_FORMATS ?? 'di,jwt').split(',').filter((f): f is 'di' | 'jwt' => f === 'di' || f === 'jwt');
const library = await libraryCredentials(profile, record);
const references = new Map<'di' | 'jwt', Row>();
if (FORMATS.includes('di')) {
  const pool = await FastDiPool.create({ size: POOL });
  try {
    references.set('di', await libraryDiRow(pool, library));
  } finally {
    await pool.close();
  }
}
if (FORMATS.includes('jwt')) references.set('jwt', await libraryJwtRow(library));
const rows: (Row & { format: 'di' | 'jwt' })[] = [...references].map(([format, row]) => ({ ...row, format }));
const STORES = new Set((process.env.BENCH_JOB_DB ?? 'pglite,postgres').split(','));
const reason = STORES.has('postgres') ? await postgresUnavailable() : 'not asked for (BENCH_JOB_DB)';
if (reason) console.log(`PostgreSQL skipped: ${reason}`);
for (const kind of ['PGlite', 'PostgreSQL'] as const) {
  if (kind === 'PGlite' ? !STORES.has('pglite') : reason !== undefined) continue;
  for (const format of FORMATS) rows.push(...(await jobRows(kind, format, profile, record)).map((r) => ({ ...r, format })));
}
console.log(`bulk jobs, ${N} records; ${os.cpus()[0]?.model ?? 'CPU'} x${os.cpus().length}, Node ${process.version}`);
console.log('| case | records/s | seconds | ÷ library, same format | |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.seconds.toFixed(2)} | ${(r.perSecond / (references.get(r.format)?.perSecond ?? NaN)).toFixed(3)} | ${r.note ?? ''} |`);
