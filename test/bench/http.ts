/**
 * End-to-end HTTP benchmark of the service for `npm run bench`: a service process (PGlite or PostgreSQL) and a
 * concurrent load generator in this process, issuing and then verifying credentials in both formats.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { percentile } from './measure.js';
import type { BenchRow } from './measure.js';
import { PACKAGE_ROOT } from '../../src/lib/paths.js';
import { createTestDatabase, postgresUnavailable, spawnServiceProcess } from '../support/testing.js';

export interface HttpBenchOptions {
  /** Storage of the service process. */
  db: 'pglite' | 'postgres';
  /** Requests per case (default 400). */
  requests?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  formats?: ('di' | 'jwt')[];
  /** Untimed requests first (JIT, schema compilation, first status list); default 10. */
  warmup?: number;
  /** Run the built service in dist/ (what `npm start` runs; `npm run bench` builds it) instead of the sources. */
  built?: boolean;
  /** Round number, so that the records of several rounds in one run are distinct. */
  round?: number;
}

/**
 * CPU time (user + system, ms) a process has used so far, every thread counted, from /proc (undefined where there is
 * none); with `thread`, that thread's only (the main thread's id is the process id).
 */
export function processCpuMs(pid: number, thread?: number): number | undefined {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU time of a process so far, ms, split into user and system (kernel) time; undefined when /proc is not there. */
export function processCpuSplitMs(pid: number): { user: number; system: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** Peak resident set size (MiB) of a process so far, from /proc (VmHWM). */
export function processPeakRssMiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// USER_HZ: 100 on Linux for every architecture Node supports.
const CLOCK_TICKS = 100;

/**
 * One case of the HTTP benchmark with the service's CPU time per request: the whole process (PGlite's worker thread,
 * the garbage collector's and libuv's threads included) and its main thread alone (the event loop).
 */
export type HttpRow = BenchRow & { cpuMsPerRequest?: number; mainThreadCpuMsPerRequest?: number };

export interface HttpBenchResult {
  rows: HttpRow[];
  /** Peak RSS of the service process over the whole run (MiB). */
  peakRssMiB?: number;
  /** Set when the case could not run (e.g. no PostgreSQL server). */
  skipped?: string;
}

async function load(
  count: number,
  concurrency: number,
  request: (i: number) => Promise<Response>,
  expect: number[],
): Promise<{ wallMs: number; latencies: number[]; failures: number; bodies: unknown[] }> {
  const latencies: number[] = [];
  const bodies: unknown[] = new Array(count);
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const res = await request(i);
        const body = (await res.json()) as unknown;
        latencies.push(performance.now() - t0);
        if (!expect.includes(res.status)) failures++;
        bodies[i] = body;
      }
    }),
  );
  return { wallMs: performance.now() - started, latencies: latencies.sort((a, b) => a - b), failures, bodies };
}

/**
 * Runs the HTTP benchmark against a fresh service process. PostgreSQL uses a throwaway database on the server at
 * `MICROCRED_TEST_PG` (default postgres://postgres@127.0.0.1:5432/postgres) and is skipped when none answers.
 *
 * @example
 * ```ts
 * const { rows, skipped } = await benchHttp({ db: 'pglite', requests: 500 });
 * console.log(formatRows(rows)); // "http pglite issue di" … req/s, p50, p99
 * ```
 */
export async function benchHttp(options: HttpBenchOptions): Promise<HttpBenchResult> {
  const requests = options.requests ?? 400;
  const concurrency = options.concurrency ?? 16;
  const formats = options.formats ?? ['di', 'jwt'];
  let dropDb: (() => Promise<void>) | undefined;
  const adminToken = `bench-${Math.random().toString(36).slice(2)}`;
  const config: Record<string, unknown> = { adminToken, logLevel: 'warn' };
  if (options.db === 'postgres') {
    const reason = await postgresUnavailable();
    if (reason) return { rows: [], skipped: reason };
    const tmp = await createTestDatabase();
    config.databaseUrl = tmp.url;
    dropDb = tmp.drop;
  } else {
    config.dataDir = 'memory';
  }
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  config.keysDir = await mkdtemp(path.join(tmpdir(), 'microcred-bench-keys-'));
  const child = await spawnServiceProcess(config, { built: options.built ?? false });
  const rows: HttpRow[] = [];
  let peakRssMiB: number | undefined;
  // The service's CPU time over one load phase, per request.
  const timed = async <T extends { wallMs: number }>(run: () => Promise<T>): Promise<T & { cpuMs?: number; mainCpuMs?: number }> => {
    const before = processCpuMs(child.pid);
    const mainBefore = processCpuMs(child.pid, child.pid);
    const out = await run();
    const after = processCpuMs(child.pid);
    const mainAfter = processCpuMs(child.pid, child.pid);
    return {
      ...out,
      ...(before !== undefined && after !== undefined ? { cpuMs: after - before } : {}),
      ...(mainBefore !== undefined && mainAfter !== undefined ? { mainCpuMs: mainAfter - mainBefore } : {}),
    };
  };
  try {
    // The global fetch, not the guarded one: the target is our own child service on loopback, which the
    // guarded fetch (public https only) rightly refuses.
    const post = (p: string, body: unknown, token?: string): Promise<Response> =>
      fetch(`${child.url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const profile = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'keys.example', 'profile.json'), 'utf8')) as Record<string, unknown>;
    delete profile._note;
    const created = await post('/issuers', { slug: 'bench', profile }, adminToken);
    if (created.status !== 201) throw new Error(`bench: could not create the issuer: ${await created.text()}`);
    const key = (await (await post('/issuers/bench/api-keys', { scopes: ['issue'] }, adminToken)).json()) as { token: string };
    const record = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'examples', 'record.json'), 'utf8')) as Record<string, unknown>;
    // Warm-up (JIT, schema compilation, first status list).
    for (let i = 0; i < (options.warmup ?? 10); i++) await post(`/issuers/bench/credentials?format=${formats[i % formats.length]}`, { ...record, recordId: `warm-${i}` }, key.token);
    for (const format of formats) {
      const issued = await timed(() =>
        load(requests, concurrency, (i) => post(`/issuers/bench/credentials?format=${format}`, { ...record, recordId: `bench-${format}-${options.round ?? 0}-${i}` }, key.token), [201]),
      );
      rows.push(row(`http ${options.db} issue ${format} (c=${concurrency})`, requests, issued));
      const credentials = issued.bodies.map((b) => (b as { credential: unknown }).credential);
      const verified = await timed(() => load(requests, concurrency, (i) => post('/credentials/verify', { verifiableCredential: credentials[i] }), [200]));
      rows.push(row(`http ${options.db} verify ${format} (c=${concurrency})`, requests, verified));
    }
    peakRssMiB = processPeakRssMiB(child.pid);
  } finally {
    await child.stop();
    await dropDb?.();
  }
  return { rows, ...(peakRssMiB !== undefined ? { peakRssMiB } : {}) };
}

function row(name: string, n: number, r: { wallMs: number; latencies: number[]; failures: number; cpuMs?: number; mainCpuMs?: number }): HttpRow {
  if (r.failures > 0) throw new Error(`bench: ${r.failures} of ${n} requests of "${name}" failed`);
  return {
    name,
    ops: n,
    opsPerSec: n / (r.wallMs / 1000),
    p50Ms: percentile(r.latencies, 0.5),
    p99Ms: percentile(r.latencies, 0.99),
    gcShare: Number.NaN /* measured in another process: not known here */,
    ...(r.cpuMs !== undefined ? { cpuMsPerRequest: r.cpuMs / n } : {}),
    ...(r.mainCpuMs !== undefined ? { mainThreadCpuMsPerRequest: r.mainCpuMs / n } : {}),
  };
}
