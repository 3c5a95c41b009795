/**
 * `npm run bench`: issue and verify throughput and latency for both proof formats, beside raw
 * Ed25519 signing measured in the same process as the reference ratio (absolute numbers move with
 * machine noise; ratios within one run do not). Single process, sequential, so "ops/s" is one core.
 *
 * The service section runs rounds (3; 1 with `--quick`) of the library reference and a fresh service process per
 * storage, and prints medians of the HTTP figures, the service's CPU time per request and peak RSS, and each as a
 * ratio to the library figure of its own round; the bulk section runs test/bench/bulk-job.ts.
 *
 * Options: `--quick` (short run). Environment: BENCH_N (operations per library case, default 2000; 300 quick),
 * BENCH_ONLY (comma list of sections: lib, fast, http, bulk), BENCH_JOB_N (records of the bulk job, default 10,000;
 * 1,000 quick), BENCH_JOB_DB (stores of the bulk job: pglite,postgres), BENCH_JOB_FORMATS (its proof formats: di,jwt), BENCH_JOB_CHUNK (rows per stored chunk of the
 * job, the service's default otherwise), BENCH_SERVICE_NODE_ARGS (Node options of the bulk job's service process, e.g.
 * `--max-old-space-size=192` or `--cpu-prof --cpu-prof-dir=/tmp/p`), MICROCRED_TEST_PG (the PostgreSQL server; its
 * cases are skipped when none answers).
 */
import { generateKeyPairSync, sign as edSign, createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { measure, withRatios, formatRows, type BenchRow } from './measure.js';
import { PACKAGE_ROOT, EXAMPLE_KEYS_DIR } from '../../src/lib/paths.js';
import { assertRecord } from '../../src/record/validate.js';
import { assertProfile } from '../../src/record/profile.js';
import { buildCredential } from '../../src/credential/annex1.js';
import { loadKeySet, generateKeySet } from '../../src/keyset/keyset.js';
import { issueCredential } from '../../src/issue.js';
import { verify } from '../../src/verify/verify.js';
import { didWebDocument } from '../../src/did/web-document.js';
import { fastBenchReport } from './fast.js';
import { benchHttp } from './http.js';
import { tsLoaderArgs } from '../support/testing.js';
// @ts-ignore -- untyped package
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createFastCryptosuite } from '../../src/proof/fast/cryptosuite.js';
import { poolDocumentLoader } from '../../src/proof/fast/resolver.js';

const vc = vcLib as unknown as { verifyCredential(options: Record<string, unknown>): Promise<unknown> };
/** One fast cryptosuite for the proof-only reference (compiled contexts shared across rounds), made when first used. */
let fast: ReturnType<typeof createFastCryptosuite> | undefined;

const QUICK = process.argv.includes('--quick');
const N = Number(process.env.BENCH_N ?? (QUICK ? 300 : 2000));
const ONLY = new Set((process.env.BENCH_ONLY ?? 'lib,fast,http,bulk').split(','));

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function libraryRows(): Promise<BenchRow[]> {
  const record = assertRecord(JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'examples/record.json'), 'utf8')));
  const profile = assertProfile(JSON.parse(await readFile(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')));
  const didKeySet = await loadKeySet(EXAMPLE_KEYS_DIR);
  const webDir = await mkdtemp(path.join(tmpdir(), 'microcred-bench-'));
  const webKeys = await generateKeySet({ dir: webDir, didWeb: 'bench.example' });
  const webDoc = didWebDocument(webKeys) as { id: string };
  // did:web resolution is served from memory so the benchmark measures crypto and JSON-LD, not I/O.
  const resolver = async (url: string) => (url.split('#')[0] === webDoc.id ? webDoc : undefined);

  const fresh = (issuerId: string) => buildCredential(profile, record, { issuerId });
  const digest = createHash('sha256').update('microcred').digest();
  const { privateKey } = generateKeyPairSync('ed25519');

  const signedDi = await issueCredential(fresh(didKeySet.controller), { format: 'di', keys: didKeySet });
  const signedJwtEs = await issueCredential(fresh(webKeys.controller), { format: 'jwt', keys: webKeys, alg: 'ES256' });
  const signedJwtEd = await issueCredential(fresh(didKeySet.controller), { format: 'jwt', keys: didKeySet, alg: 'EdDSA' });
  for (const [name, cred, opts] of [
    ['di', signedDi, {}],
    ['jwt-es256', signedJwtEs, { resolver }],
    ['jwt-eddsa', signedJwtEd, {}],
  ] as const) {
    const report = await verify(cred as object | string, opts);
    if (!report.verified) throw new Error(`bench sanity check: ${name} credential does not verify: ${JSON.stringify(report.checks)}`);
  }

  const small = Math.max(200, Math.floor(N / 4));
  const rows: BenchRow[] = [];
  rows.push(await measure('raw Ed25519 sign (node:crypto, reference)', () => edSign(null, digest, privateKey), { n: N * 5 }));
  rows.push(await measure('map record → credential', () => fresh(didKeySet.controller), { n: N }));
  rows.push(await measure('issue DI eddsa-rdfc-2022 (default, fast suite)', () => issueCredential(fresh(didKeySet.controller), { format: 'di', keys: didKeySet }), { n: small }));
  rows.push(await measure('verify DI eddsa-rdfc-2022 (all checks, fast suite)', () => verify(signedDi), { n: small }));
  rows.push(await measure('issue VC-JWT ES256', () => issueCredential(fresh(webKeys.controller), { format: 'jwt', keys: webKeys, alg: 'ES256' }), { n: N }));
  rows.push(await measure('verify VC-JWT ES256 (all checks)', () => verify(signedJwtEs as string, { resolver }), { n: N }));
  rows.push(await measure('issue VC-JWT EdDSA', () => issueCredential(fresh(didKeySet.controller), { format: 'jwt', keys: didKeySet, alg: 'EdDSA' }), { n: N }));
  rows.push(await measure('verify VC-JWT EdDSA (all checks)', () => verify(signedJwtEd as string), { n: N }));
  return withRatios(rows, 'raw Ed25519 sign (node:crypto, reference)');
}

/** Median of numbers (NaN for none). */
function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** The library doing what one HTTP request of each case does (map, sign; verify with every check), on one core. */
async function libraryReference(n: number): Promise<Map<string, number>> {
  const record = assertRecord(JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'examples/record.json'), 'utf8')));
  const profile = assertProfile(JSON.parse(await readFile(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')));
  const keys = await loadKeySet(EXAMPLE_KEYS_DIR);
  const fresh = () => buildCredential(profile, record, { issuerId: keys.controller });
  const di = await issueCredential(fresh(), { format: 'di', keys });
  const jwt = await issueCredential(fresh(), { format: 'jwt', keys, alg: 'EdDSA' });
  const out = new Map<string, number>();
  out.set('issue di', (await measure('lib issue di', () => issueCredential(fresh(), { format: 'di', keys }), { n })).opsPerSec);
  out.set('verify di', (await measure('lib verify di', () => verify(di), { n })).opsPerSec);
  out.set('issue jwt', (await measure('lib issue jwt', () => issueCredential(fresh(), { format: 'jwt', keys, alg: 'EdDSA' }), { n })).opsPerSec);
  out.set('verify jwt', (await measure('lib verify jwt', () => verify(jwt as string), { n })).opsPerSec);
  // The references the scale targets name: fast Data Integrity signing of a built credential, and its proof check
  // alone (no schema, status or date checks).
  const built = fresh();
  out.set('fast sign di', (await measure('lib fast sign di', () => issueCredential(structuredClone(built), { format: 'di', keys }), { n })).opsPerSec);
  const documentLoader = poolDocumentLoader();
  const proofOnly = () => vc.verifyCredential({ credential: di, suite: new DataIntegrityProof({ cryptosuite: (fast ??= createFastCryptosuite()) }), documentLoader, checkStatus: async () => ({ verified: true }) });
  const checked = (await proofOnly()) as { verified: boolean };
  if (!checked.verified) throw new Error('bench sanity: the proof-only reference did not verify');
  out.set('fast proof di', (await measure('lib fast proof di', proofOnly, { n })).opsPerSec);
  return out;
}

/**
 * The service beside the library, in the same run: per round, the library reference on one core, then a fresh
 * service process per storage under 16 requests in flight; each HTTP figure divided by the library figure of its
 * own round, and the median over the rounds printed (ratios hold on a noisy machine, absolute numbers do not).
 */
async function serviceSection(rounds: number, requests: number, libN: number): Promise<string> {
  const cases = new Map<string, { rps: number[]; ratio: number[]; fastRatio: number[]; cpu: number[]; mainCpu: number[]; p99: number[]; rss: number[] }>();
  const skipped: string[] = [];
  const references = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    const lib = await libraryReference(libN);
    for (const [k, v] of lib) references.set(k, [...(references.get(k) ?? []), v]);
    for (const db of ['pglite', 'postgres'] as const) {
      const result = await benchHttp({ db, requests, concurrency: 16, built: true, round });
      if (result.skipped) {
        if (round === 0) skipped.push(`HTTP on ${db}: skipped (${result.skipped})`);
        continue;
      }
      for (const r of result.rows) {
        const op = /(issue|verify) (di|jwt)/.exec(r.name)?.[0] as string;
        const c = cases.get(r.name) ?? { rps: [], ratio: [], fastRatio: [], cpu: [], mainCpu: [], p99: [], rss: [] };
        c.rps.push(r.opsPerSec);
        c.ratio.push(r.opsPerSec / (lib.get(op) ?? Number.NaN));
        c.fastRatio.push(r.opsPerSec / (lib.get(op === 'issue di' ? 'fast sign di' : op === 'verify di' ? 'fast proof di' : '') ?? Number.NaN));
        c.cpu.push(r.cpuMsPerRequest ?? Number.NaN);
        c.mainCpu.push(r.mainThreadCpuMsPerRequest ?? Number.NaN);
        c.p99.push(r.p99Ms);
        c.rss.push(result.peakRssMiB ?? Number.NaN);
        cases.set(r.name, c);
      }
    }
  }
  const num = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const lines = [
    `| service case (medians of ${rounds} round${rounds === 1 ? '' : 's'}) | req/s | p99 ms | service CPU ms/req | of which main thread | service peak RSS MiB | ÷ library, same round | ÷ library fast DI sign / proof only |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, c] of cases) {
    lines.push(`| ${name} | ${num(median(c.rps), 0)} | ${num(median(c.p99), 1)} | ${num(median(c.cpu), 2)} | ${num(median(c.mainCpu), 2)} | ${num(median(c.rss), 0)} | ${num(median(c.ratio), 3)} | ${num(median(c.fastRatio), 3)} |`);
  }
  lines.push(
    '',
    'Library reference: the same map-and-sign or verify (every check) in this process, one core, sequential; the last column divides DI cases by fast Data Integrity signing of a built credential (issue) or its proof check alone (verify), the references of the scale targets.',
    "Service CPU: the whole process (PGlite's worker thread included); the main thread alone is the event loop's share.",
    `Library references, ops/s (medians): ${[...references].map(([k, v]) => `${k} ${num(median(v), 0)}`).join(', ')}.`,
  );
  return [...lines, ...skipped].join('\n');
}

/** The bulk job benchmark (test/bench/bulk-job.ts, its own process: it measures the library pool beside the jobs). */
async function bulkSection(records: number): Promise<string> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--expose-gc', ...tsLoaderArgs(), path.join(PACKAGE_ROOT, 'test', 'bench', 'bulk-job.ts')], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, BENCH_JOB_N: String(records) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return code === 0 ? out.trim() : `bulk job benchmark failed (exit ${code})\n${out}`;
}

async function main(): Promise<void> {
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  process.stdout.write(`microcred benchmark — ${new Date().toISOString()}${QUICK ? ' (--quick)' : ''}\nMachine: ${machine()}\nLoad average at start: ${load()}\n\n`);
  if (ONLY.has('lib')) {
    process.stdout.write(formatRows('library, one core', await libraryRows(), 'ratio to raw Ed25519 sign') + '\n\n');
  }
  if (ONLY.has('fast')) {
    process.stdout.write(`${await fastBenchReport({ n: N })}\n\n`);
  }
  if (ONLY.has('http')) {
    process.stdout.write(`${await serviceSection(QUICK ? 1 : 3, QUICK ? 100 : Math.max(200, Math.floor(N / 5)), QUICK ? 200 : 1000)}\n\n`);
  }
  if (ONLY.has('bulk')) {
    process.stdout.write(`${await bulkSection(Number(process.env.BENCH_JOB_N ?? (QUICK ? 1000 : 10_000)))}\n\n`);
  }
  process.stdout.write(`Load average at end: ${load()}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
