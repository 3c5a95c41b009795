/**
 * `npm run bench`: issue and verify throughput and latency for both proof formats, beside raw
 * Ed25519 signing measured in the same process as the reference ratio (absolute numbers move with
 * machine noise; ratios within one run do not). Single process, sequential, so "ops/s" is one core.
 *
 * Environment: BENCH_N (operations per case, default 2000), BENCH_ONLY (comma list of sections:
 * lib, fast, http).
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

const N = Number(process.env.BENCH_N ?? 2000);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'lib,fast,http').split(','));

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

async function httpSection(): Promise<string> {
  const out: string[] = [];
  for (const db of ['pglite', 'postgres'] as const) {
    const result = await benchHttp({ db, requests: Math.max(200, Math.floor(N / 5)), concurrency: 16, built: true });
    if (result.skipped) {
      out.push(`HTTP on ${db}: skipped (${result.skipped})`);
      continue;
    }
    out.push(formatRows(`HTTP end to end, ${db} (service process + load generator, 2 cores shared)`, result.rows, ''));
  }
  return out.join('\n\n');
}

async function main(): Promise<void> {
  process.stdout.write(`microcred benchmark — ${new Date().toISOString()}\nMachine: ${machine()}\n\n`);
  if (ONLY.has('lib')) {
    process.stdout.write(formatRows('library, one core', await libraryRows(), 'ratio to raw Ed25519 sign') + '\n\n');
  }
  if (ONLY.has('fast')) {
    process.stdout.write(`${await fastBenchReport({ n: N })}\n\n`);
  }
  if (ONLY.has('http')) {
    process.stdout.write(`${await httpSection()}\n\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
