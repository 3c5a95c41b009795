/**
 * CPU profiles of the service under the HTTP benchmark's load, to see where a request's time goes:
 * `MICROCRED_TEST_PG=postgres://postgres@127.0.0.1:5432/test npm run build && node --import ./test/support/ts-register.mjs test/bench/profile-http.ts`
 * (PROFILE_N requests per phase, default 800; PROFILE_FORMAT di or jwt; PROFILE_DIR where the .cpuprofile files go;
 * PROFILE_CPU=0 runs the service without the profiler, for its CPU time alone; PROFILE_CONCURRENCY requests in flight,
 * default 16).
 *
 * One service process (built, `dist/`, under `node --cpu-prof`) issues PROFILE_N credentials with 16 requests in
 * flight; a second one on the same PostgreSQL database and public URL then verifies them (so each profile holds one
 * kind of request). Prints the service CPU time per request (from /proc) and each profile's self time by group,
 * counted only while the load ran.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/lib/paths.js';
import { createTestDatabase, postgresUnavailable } from '../support/testing.js';
import { formatSummary, summariseProfile } from './cpuprofile.js';
import { processCpuMs, processCpuSplitMs } from './http.js';

const N = Number(process.env.PROFILE_N ?? 800);
const FORMAT = process.env.PROFILE_FORMAT === 'jwt' ? 'jwt' : 'di';
const CONCURRENCY = Number(process.env.PROFILE_CONCURRENCY ?? 16);
const PROFILE = process.env.PROFILE_CPU !== '0';
const dir = process.env.PROFILE_DIR ?? (await mkdtemp(path.join(tmpdir(), 'microcred-profile-')));

const unavailable = await postgresUnavailable();
if (unavailable) throw new Error(`profile-http needs PostgreSQL (MICROCRED_TEST_PG): ${unavailable}`);
const database = await createTestDatabase();
const adminToken = `profile-${Math.random().toString(36).slice(2)}`;
const config = { adminToken, logLevel: 'warn', publicUrl: 'https://credentials.test', databaseUrl: database.url, keysDir: await mkdtemp(path.join(tmpdir(), 'microcred-profile-keys-')) };

/** A built service process under --cpu-prof (test/support/service-child.mjs, no TypeScript loader: it runs dist/). */
async function service(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const args = [...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), path.join(PACKAGE_ROOT, 'test', 'support', 'service-child.mjs')];
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, env: { ...process.env, MICROCRED_CHILD_CONFIG: JSON.stringify(config), MICROCRED_CHILD_DIST: '1' }, stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`service process exited with ${code}`)));
  });
  // Ending stdin makes the child exit normally, which writes its profile.
  return { url, pid: child.pid as number, stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.stdin.end())) };
}

const post = (base: string, p: string, body: unknown, token?: string): Promise<Response> =>
  fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

/** `count` requests, CONCURRENCY at once; the answers' bodies, and the window and service CPU time of the load. */
async function load(pid: number, count: number, request: (i: number) => Promise<Response>): Promise<{ bodies: unknown[]; fromUs: number; toUs: number; cpuMsPerRequest: number; systemShare: number }> {
  const bodies: unknown[] = new Array(count);
  let next = 0;
  const cpu0 = processCpuMs(pid) as number;
  const split0 = processCpuSplitMs(pid);
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const res = await request(i);
        bodies[i] = await res.json();
        if (res.status >= 300) throw new Error(`request ${i}: HTTP ${res.status} ${JSON.stringify(bodies[i]).slice(0, 300)}`);
      }
    }),
  );
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const split1 = processCpuSplitMs(pid);
  const systemShare = split0 && split1 ? (split1.system - split0.system) / (split1.user - split0.user + split1.system - split0.system) : NaN;
  return { bodies, fromUs, toUs, cpuMsPerRequest: ((processCpuMs(pid) as number) - cpu0) / count, systemShare };
}

async function report(label: string, pid: number, run: { fromUs: number; toUs: number; cpuMsPerRequest: number; systemShare: number }): Promise<void> {
  const file = (await readdir(dir)).find((f) => f.includes(`.${pid}.0.`) && f.endsWith('.cpuprofile'));
  console.log(`\n${label}: ${N} requests, ${CONCURRENCY} in flight, ${(N / ((run.toUs - run.fromUs) / 1e6)).toFixed(0)} req/s, service CPU ${run.cpuMsPerRequest.toFixed(2)} ms/req (${(run.systemShare * 100).toFixed(0)} % of it in the kernel); profile ${file ? path.join(dir, file) : '(not written)'}`);
  if (file) console.log(formatSummary(summariseProfile(path.join(dir, file), run.fromUs, run.toUs)));
}

try {
  const record = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'examples', 'record.json'), 'utf8')) as Record<string, unknown>;
  const profile = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'keys.example', 'profile.json'), 'utf8')) as Record<string, unknown>;
  delete profile._note;
  const issuing = await service();
  await post(issuing.url, '/issuers', { slug: 'profile', profile }, adminToken);
  const { token } = (await (await post(issuing.url, '/issuers/profile/api-keys', { scopes: ['issue'] }, adminToken)).json()) as { token: string };
  for (let i = 0; i < 30; i++) await post(issuing.url, `/issuers/profile/credentials?format=${FORMAT}`, { ...record, recordId: `warm-${i}` }, token);
  const issued = await load(issuing.pid, N, (i) => post(issuing.url, `/issuers/profile/credentials?format=${FORMAT}`, { ...record, recordId: `profile-${i}` }, token));
  await issuing.stop();
  await report(`issue ${FORMAT} (PostgreSQL)`, issuing.pid, issued);

  const credentials = issued.bodies.map((b) => (b as { credential: unknown }).credential);
  const verifying = await service();
  for (let i = 0; i < 30; i++) await post(verifying.url, '/credentials/verify', { verifiableCredential: credentials[i] });
  const verified = await load(verifying.pid, N, (i) => post(verifying.url, '/credentials/verify', { verifiableCredential: credentials[i] }));
  await verifying.stop();
  await report(`verify ${FORMAT} (PostgreSQL)`, verifying.pid, verified);
} finally {
  await database.drop();
}
