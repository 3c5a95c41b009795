/**
 * Fast Data Integrity benchmark: stock vs fast eddsa-rdfc-2022 issue / verify in the same process, plus the
 * worker pool on every core and raw Ed25519 signing as a reference. Ratios are same-run ratios against the stock
 * pipeline (`@digitalbazaar/vc` + stock cryptosuite + a signer that keeps its KeyObject + static loader).
 *
 * Used by `npm run bench` (test/bench/run.ts) through `benchFastDi`, and runnable alone:
 * `node --expose-gc --import ./test/support/ts-register.mjs test/bench/fast.ts` (env BENCH_N: timed operations per fast case, default 3000).
 */
import { ed25519PublicKeyMultibase } from '../../src/lib/multibase.js';
import { generateKeyPairSync, randomUUID, sign as edSign, createHash, type KeyObject } from 'node:crypto';
import { availableParallelism, cpus, totalmem, platform, release } from 'node:os';
import { pathToFileURL } from 'node:url';
// @ts-ignore -- untyped package
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof as DIP } from '@digitalbazaar/data-integrity';
import { formatRows, measure, type BenchRow } from './measure.js';
import { generateCorpus } from './fast-corpus.js';
import { sampleCredential } from '../../src/lib/fast-rdfc/sample.js';
import { stock } from '../../src/lib/fast-rdfc/internals.js';
import { createFastCryptosuite } from '../../src/proof/fast/cryptosuite.js';
import { createKeyObjectSigner } from '../../src/proof/fast/signer.js';
import { poolDocumentLoader } from '../../src/proof/fast/resolver.js';
import { FastDiPool } from '../../src/proof/fast/pool.js';

type Json = Record<string, unknown>;
const vc = vcLib as {
  issue(o: { credential: object; suite: unknown; documentLoader: unknown }): Promise<Json>;
  verifyCredential(o: { credential: object; suite: unknown; documentLoader: unknown; checkStatus?: () => Promise<unknown> }): Promise<{ verified: boolean; error?: unknown }>;
};
const DataIntegrityProof = DIP as new (o: { signer?: unknown; date?: string | Date; cryptosuite: unknown }) => unknown;

export interface BenchFastOptions {
  /** Timed operations per fast single-core case and round (stock cases use a tenth, at least 200). Default 3000. */
  n?: number;
  /** Workers for the whole-machine rows (default: every core). 0 skips them. */
  workers?: number;
  /** Credentials per whole-machine batch (default 4 × n). */
  batch?: number;
  /** Interleaved rounds; ratios are taken within a round and the median round is reported (default 3). */
  rounds?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** A row of the fast DI benchmark: ops/s, latency, GC share and the same-run ratio to the stock row. */
export type BenchResult = BenchRow & { ratio: number; reference: string };


function benchIssuer(): { did: string; vmId: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const fp = ed25519PublicKeyMultibase(raw);
  return { did: `did:key:${fp}`, vmId: `did:key:${fp}#${fp}`, privateKey };
}

const skipStatus = async () => ({ verified: true });



/**
 * Runs the fast DI benchmark and returns one row per case, each with its same-run ratio to the stock row of the
 * same operation (issue rows to stock issue, verify rows to stock verify; raw sign to stock issue).
 *
 * @example
 * ```ts
 * const rows = await benchFastDi({ n: 3000 });
 * console.log(formatRows('fast DI', rows, 'ratio to stock'));
 * ```
 */
export async function benchFastDi(opts: BenchFastOptions = {}): Promise<BenchResult[]> {
  const n = opts.n ?? 3000;
  const nStock = Math.max(200, Math.floor(n / 10));
  const log = opts.log ?? (() => {});
  const issuer = benchIssuer();
  const signer = createKeyObjectSigner({ id: issuer.vmId, privateKey: issuer.privateKey });
  const documentLoader = poolDocumentLoader();
  const fast = createFastCryptosuite();
  const ready = await fast.ready;
  if (!ready?.ok) throw new Error(`fast cryptosuite self-test failed: ${ready?.reason}`);

  const fresh = (): Json => sampleCredential(issuer.did, `urn:uuid:${randomUUID()}`);
  const issueWith = (cryptosuite: unknown, credential: Json) =>
    vc.issue({ credential, suite: new DataIntegrityProof({ signer, cryptosuite }), documentLoader });

  // Sanity: both suites sign identically at a fixed date, and what they sign verifies; tampering is rejected.
  const fixed = fresh();
  const a = await vc.issue({ credential: structuredClone(fixed), suite: new DataIntegrityProof({ signer, date: '2026-01-01T00:00:00Z', cryptosuite: stock }), documentLoader });
  const b = await vc.issue({ credential: structuredClone(fixed), suite: new DataIntegrityProof({ signer, date: '2026-01-01T00:00:00Z', cryptosuite: fast }), documentLoader });
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('bench sanity: fast and stock signatures differ');
  const verifyWith = (cryptosuite: unknown, credential: Json) =>
    vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader, checkStatus: skipStatus });
  if (!(await verifyWith(fast, a)).verified || !(await verifyWith(stock, b)).verified) throw new Error('bench sanity: signed credential does not verify');
  const tampered = structuredClone(a) as { name: string };
  tampered.name += '!';
  if ((await verifyWith(fast, tampered as unknown as Json)).verified) throw new Error('bench sanity: tampered credential verified');

  // Verification pools: 100 distinct signed sample credentials, and the issuable part of a varied corpus.
  const signedSample: Json[] = [];
  for (let i = 0; i < 100; i++) signedSample.push(await issueWith(fast, fresh()));
  const corpus = generateCorpus(2027, 600, { issuerDid: issuer.did });
  const mix: Json[] = [];
  const signedMix: Json[] = [];
  for (const c of corpus) {
    try {
      signedMix.push(await issueWith(fast, structuredClone(c)));
      mix.push(c);
    } catch {
      // stock cannot issue it either (rdf-canonize deep-iteration limit): not part of the mix
    }
  }

  const digest = createHash('sha256').update('microcred').digest();
  // Cases run in interleaved rounds; each ratio is taken within a round (stock and fast under the same machine
  // conditions) and the median round is reported, as the research probe did.
  let vi = 0;
  let mi = 0;
  let mv = 0;
  const SAMPLE_ISSUE = 'DI issue, stock (sample)';
  const SAMPLE_VERIFY = 'DI verify, stock (sample)';
  const MIX_ISSUE = 'DI issue, stock (varied mix)';
  const MIX_VERIFY = 'DI verify, stock (varied mix)';
  const cases: { name: string; fn: () => unknown; count: number; reference: string }[] = [
    { name: SAMPLE_ISSUE, fn: () => issueWith(stock, fresh()), count: nStock, reference: SAMPLE_ISSUE },
    { name: 'DI issue, fast (sample)', fn: () => issueWith(fast, fresh()), count: n, reference: SAMPLE_ISSUE },
    { name: SAMPLE_VERIFY, fn: () => verifyWith(stock, signedSample[vi++ % signedSample.length] as Json), count: nStock, reference: SAMPLE_VERIFY },
    { name: 'DI verify, fast (sample)', fn: () => verifyWith(fast, signedSample[vi++ % signedSample.length] as Json), count: n, reference: SAMPLE_VERIFY },
    { name: MIX_ISSUE, fn: () => issueWith(stock, structuredClone(mix[mi++ % mix.length] as Json)), count: nStock, reference: MIX_ISSUE },
    { name: 'DI issue, fast (varied mix)', fn: () => issueWith(fast, structuredClone(mix[mi++ % mix.length] as Json)), count: n, reference: MIX_ISSUE },
    { name: MIX_VERIFY, fn: () => verifyWith(stock, signedMix[mv++ % signedMix.length] as Json), count: nStock, reference: MIX_VERIFY },
    { name: 'DI verify, fast (varied mix)', fn: () => verifyWith(fast, signedMix[mv++ % signedMix.length] as Json), count: n, reference: MIX_VERIFY },
    { name: 'raw Ed25519 sign (node:crypto, reference)', fn: () => edSign(null, digest, issuer.privateKey), count: n * 3, reference: SAMPLE_ISSUE },
  ];
  const rounds = Math.max(1, opts.rounds ?? 3);
  const workers = opts.workers ?? availableParallelism();
  const batch = opts.batch ?? 4 * n;
  const pool = workers > 0 ? await FastDiPool.create({ size: workers }) : undefined;
  const poolCreds = pool ? Array.from({ length: batch }, () => fresh()) : [];
  const perRound: BenchResult[][] = [];
  try {
    if (pool) {
      // warm the workers (compilation, JIT) outside the timed rounds
      const warm = await pool.issue(poolCreds.slice(0, Math.min(batch, 2000)), { signerId: issuer.vmId, privateKey: issuer.privateKey });
      await pool.verify(warm.flatMap((r) => (r.ok ? [r.value] : [])));
    }
    for (let round = 0; round < rounds; round++) {
      const rows: BenchRow[] = [];
      for (const c of cases) {
        log(`  round ${round + 1}/${rounds}: ${c.name} …`);
        rows.push(await measure(c.name, c.fn, { n: c.count, warmup: Math.min(500, Math.ceil(c.count / 5)) }));
      }
      const refs = new Map(rows.map((r) => [r.name, r]));
      const out: BenchResult[] = rows.map((r, k) => {
        const ref = refs.get((cases[k] as { reference: string }).reference) as BenchRow;
        return { ...r, ratio: r.opsPerSec / ref.opsPerSec, reference: ref.name };
      });
      if (pool) {
        log(`  round ${round + 1}/${rounds}: worker pool (${workers} workers, batch ${batch}) …`);
        let t0 = process.hrtime.bigint();
        const signed = await pool.issue(poolCreds, { signerId: issuer.vmId, privateKey: issuer.privateKey });
        let ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const ok = signed.flatMap((r) => (r.ok ? [r.value] : []));
        if (ok.length !== batch) throw new Error('bench sanity: pool issuance failed');
        const si = refs.get(SAMPLE_ISSUE) as BenchRow;
        const sv = refs.get(SAMPLE_VERIFY) as BenchRow;
        const issueOps = batch / (ms / 1000);
        out.push({ name: `DI batch issue, fast, ${workers} workers (whole machine)`, ops: batch, opsPerSec: issueOps, p50Ms: NaN, p99Ms: NaN, gcShare: NaN, ratio: issueOps / si.opsPerSec, reference: si.name });
        t0 = process.hrtime.bigint();
        const checks = await pool.verify(ok);
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!checks.every((c) => c.verified)) throw new Error('bench sanity: pool verification failed');
        const verifyOps = batch / (ms / 1000);
        out.push({ name: `DI batch verify, fast, ${workers} workers (whole machine)`, ops: batch, opsPerSec: verifyOps, p50Ms: NaN, p99Ms: NaN, gcShare: NaN, ratio: verifyOps / sv.opsPerSec, reference: sv.name });
      }
      perRound.push(out);
    }
  } finally {
    await pool?.close();
  }

  const m = fast.metrics();
  log(`  fast path: ${m.fast} fast, ${m.collisions} collisions → rdf-canonize, ${m.bails} bails, ${m.states} compiled states`);
  // Per case: the median round by ratio (its own ops/s, latencies and GC share are reported with it).
  const first = perRound[0] as BenchResult[];
  return first.map((_, k) => {
    const sorted = perRound.map((rows) => rows[k] as BenchResult).sort((a, b) => a.ratio - b.ratio || a.opsPerSec - b.opsPerSec);
    const med = sorted[Math.floor((sorted.length - 1) / 2)] as BenchResult;
    return { ...med, p99Ms: median(perRound.map((rows) => (rows[k] as BenchResult).p99Ms)) };
  });
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

/** Result of {@link checkByteIdentity}. */
export interface ByteIdentityResult {
  checked: number;
  /** Same signed JSON (hence same canonical N-Quads and proofValue) at a fixed `created`. */
  identical: number;
  /** Both pipelines refused the credential with the same error message. */
  sameError: number;
  mismatches: number;
}

/**
 * Signs `count` corpus credentials with both pipelines at a fixed `created` and compares the signed JSON (the
 * full gate with edge cases and a fuzzer is test/fast-differential.test.ts).
 *
 * @example
 * ```ts
 * const r = await checkByteIdentity(300); // { checked: 300, identical: 29x, sameError: …, mismatches: 0 }
 * ```
 */
export async function checkByteIdentity(count = 300, seed = 2028): Promise<ByteIdentityResult> {
  const issuer = benchIssuer();
  const signer = createKeyObjectSigner({ id: issuer.vmId, privateKey: issuer.privateKey });
  const documentLoader = poolDocumentLoader();
  const fast = createFastCryptosuite();
  const sign = async (cryptosuite: unknown, credential: Json): Promise<string> => {
    try {
      const suite = new DataIntegrityProof({ signer, date: '2026-01-01T00:00:00Z', cryptosuite });
      return JSON.stringify(await vc.issue({ credential: structuredClone(credential), suite, documentLoader }));
    } catch (e) {
      return 'ERROR ' + String((e as Error)?.message ?? e);
    }
  };
  const r: ByteIdentityResult = { checked: 0, identical: 0, sameError: 0, mismatches: 0 };
  for (const c of generateCorpus(seed, count, { issuerDid: issuer.did })) {
    const a = await sign(stock, c);
    const b = await sign(fast, c);
    r.checked++;
    if (a !== b) r.mismatches++;
    else if (a.startsWith('ERROR ')) r.sameError++;
    else r.identical++;
  }
  return r;
}

/**
 * The issue's targets checked against a run (one line each, PASS/MISS).
 *
 * @example
 * ```ts
 * console.log(fastTargets(await benchFastDi()).join('\n'));
 * ```
 */
export function fastTargets(rows: BenchResult[]): string[] {
  const get = (name: string) => rows.find((r) => r.name.startsWith(name));
  const fi = get('DI issue, fast (sample)');
  const fv = get('DI verify, fast (sample)');
  const bi = get('DI batch issue');
  const bv = get('DI batch verify');
  const line = (label: string, value: string, ok: boolean | undefined) => `${ok === undefined ? '-' : ok ? 'PASS' : 'MISS'}  ${label}: ${value}`;
  return [
    line('DI issue, one core ≥ 20× stock', fi ? `${fi.ratio.toFixed(1)}×` : 'n/a', fi && fi.ratio >= 20),
    line('DI verify, one core ≥ 12× stock', fv ? `${fv.ratio.toFixed(1)}×` : 'n/a', fv && fv.ratio >= 12),
    line('DI issue p99 ≤ 1 ms', fi ? `${fi.p99Ms.toFixed(3)} ms` : 'n/a', fi && fi.p99Ms <= 1),
    line('GC share ≤ 10 % (fast issue / verify)', fi && fv ? `${(fi.gcShare * 100).toFixed(1)} % / ${(fv.gcShare * 100).toFixed(1)} %` : 'n/a', fi && fv && fi.gcShare <= 0.1 && fv.gcShare <= 0.1),
    line('whole machine batch issue ≥ 40× stock single-core', bi ? `${bi.ratio.toFixed(1)}×` : 'n/a', bi && bi.ratio >= 40),
    line('whole machine batch verify ≥ 25× stock single-core', bv ? `${bv.ratio.toFixed(1)}×` : 'n/a', bv && bv.ratio >= 25),
  ];
}

/**
 * The whole fast DI section as text: the table, the targets and the byte-identity line (what `npm run bench`
 * prints for its `fast` section).
 *
 * @example
 * ```ts
 * process.stdout.write((await fastBenchReport({ n: 3000 })) + '\n');
 * ```
 */
export async function fastBenchReport(opts: BenchFastOptions = {}): Promise<string> {
  const rows = await benchFastDi(opts);
  const b = await checkByteIdentity(300);
  return [
    formatRows('eddsa-rdfc-2022 (one core unless stated)', rows, 'ratio to stock (same round)'),
    '',
    ...fastTargets(rows),
    `${b.mismatches === 0 ? 'PASS' : 'MISS'}  byte identity on ${b.checked} varied credentials: ${b.identical} identical signed JSON, ` +
      `${b.sameError} refused by both with the same error, ${b.mismatches} mismatches`,
  ].join('\n');
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${platform()} ${release()}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.env.BENCH_N ?? 3000);
  process.stdout.write(`microcred fast DI benchmark — ${new Date().toISOString()}\nMachine: ${machine()}\n`);
  if (!(globalThis as { gc?: unknown }).gc) process.stdout.write('(run with node --expose-gc for a forced GC before each case)\n');
  fastBenchReport({ n, log: (l) => process.stderr.write(l + '\n') }).then(
    (text) => process.stdout.write('\n' + text + '\n'),
    (e) => {
      process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
