// `microcred courses` and `microcred jobs submit` as users run them: the built CLI (dist/cli.js) as a process
// against a service process on 127.0.0.1, from the SIS example export to the per-row report, with their exit codes
// and messages; the progress bar on a terminal; and the same commands on a data directory without a service.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { recordMinimal } from './http-helpers.js';
import { spawnServiceProcess } from './support/testing.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'dist', 'cli.js');
const EXAMPLES = path.join(ROOT, 'examples');

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, MICROCRED_TOKEN: '', ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const cli = (argv: string[], isTTY = false) => runCli(argv, { isTTY });

describe('microcred courses and jobs against a running service', () => {
  let data: string;
  let work: string;
  let token: string;
  let service: Awaited<ReturnType<typeof spawnServiceProcess>>;
  const remote = (): string[] => ['--issuer', 'example', '--server', service.url, '--token', token];

  beforeAll(async () => {
    data = mkdtempSync(path.join(tmpdir(), 'microcred-cli-jobs-'));
    work = mkdtempSync(path.join(tmpdir(), 'microcred-cli-jobs-work-'));
    const key = await run(['apikeys', 'create', '--issuer', 'example', '--scopes', 'issue,read', '--data', data, '--json']);
    expect(key.code, key.stderr).toBe(0);
    token = (JSON.parse(key.stdout) as { token: string }).token;
    service = await spawnServiceProcess({ dataDir: data, exampleIssuer: true, jobWorkerThreads: 1 }, { built: true });
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('courses put stores a version (unchanged the second time), courses list shows the catalogue', { timeout: 120_000 }, async () => {
    for (const code of ['PHM7021', 'CYB4010']) {
      const put = await run(['courses', 'put', code, path.join(EXAMPLES, 'catalogue', `${code}.json`), ...remote()]);
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout).toMatch(new RegExp(`^${code} version 1 stored: `));
    }
    const again = await run(['courses', 'put', 'CYB4010', path.join(EXAMPLES, 'catalogue', 'CYB4010.json'), ...remote(), '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, code: 'CYB4010', version: 1 });
    const list = await run(['courses', 'list', ...remote()]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('CYB4010\tv1\tFoundations of Cyber Security\t5 ECTS\n');
    expect(list.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('courses put of an invalid course: exit 2 with each problem; a wrong token: exit 1 with the answer', { timeout: 120_000 }, async () => {
    const file = path.join(work, 'bad-course.json');
    writeFileSync(file, JSON.stringify({ title: 'No outcomes' }));
    const bad = await run(['courses', 'put', 'BAD1', file, ...remote()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the service answered 422: The course has \d+ problems/);
    expect(bad.stderr).toMatch(/ {2}- \$\.learningOutcomes/);
    const wrong = await run(['courses', 'list', '--issuer', 'example', '--server', service.url, '--token', 'mcred_wrong']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the service answered 401');
    const noToken = await run(['courses', 'list', '--issuer', 'example', '--server', service.url]);
    expect([noToken.code, noToken.stderr]).toEqual([2, expect.stringContaining('MICROCRED_TOKEN')]);
  });

  it('jobs submit of the SIS export: plain progress lines, the report written, exit 1 because rows were rejected', { timeout: 120_000 }, async () => {
    const report = path.join(work, 'cohort.report.csv');
    const r = await run(['jobs', 'submit', path.join(EXAMPLES, 'sits-export.csv'), '--mapping', path.join(EXAMPLES, 'sits-mapping.json'), ...remote(), '--report', report]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/^job [0-9a-f-]+ done: 6\/6 rows \(100%\): 4 issued, 0 already issued, 2 rejected/m);
    expect(r.stdout).toMatch(/^Job [0-9a-f-]+: 6 rows, 4 issued, 0 already issued, 2 rejected\.\nReport: /);
    const lines = readFileSync(report, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('row,line,recordId,outcome,credentialId,url,problems');
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['issued', 'issued', 'rejected', 'issued', 'rejected', 'issued']);
  });

  it('jobs submit of NDJSON with the token from MICROCRED_TOKEN: every row issued, exit 0, --json', { timeout: 120_000 }, async () => {
    const file = path.join(work, 'records.ndjson');
    writeFileSync(file, [1, 2].map((i) => JSON.stringify({ ...recordMinimal, recordId: `CLI-NDJSON-${i}` })).join('\n'));
    const r = await run(['jobs', 'submit', file, '--issuer', 'example', '--server', service.url, '--json'], { MICROCRED_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    const job = JSON.parse(r.stdout) as { state: string; counts: { issued: number }; report: string };
    expect(job).toMatchObject({ state: 'done', counts: { issued: 2, rejected: 0 }, report: path.join(work, 'records.report.csv') });
    const again = await run(['jobs', 'submit', file, ...remote(), '--report', path.join(work, 'again.ndjson')]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(path.join(work, 'again.ndjson'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(['already-issued', 'already-issued']);
  });

  it('jobs submit refusals: a CSV without --mapping, a mapping not JSON, a missing file, an invalid mapping (exit 2)', { timeout: 120_000 }, async () => {
    const csv = path.join(EXAMPLES, 'sits-export.csv');
    const noMapping = await run(['jobs', 'submit', csv, ...remote()]);
    expect([noMapping.code, noMapping.stderr]).toEqual([2, expect.stringContaining('needs --mapping M')]);
    const notJson = path.join(work, 'mapping.json');
    writeFileSync(notJson, '{"fields":');
    expect((await run(['jobs', 'submit', csv, '--mapping', notJson, ...remote()])).stderr).toContain('is not valid JSON');
    const missing = await run(['jobs', 'submit', path.join(work, 'nope.csv'), '--mapping', notJson, ...remote()]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('no such file')]);
    writeFileSync(notJson, JSON.stringify({ fields: { 'learner.nickname': { column: 'X' } } }));
    const invalid = await run(['jobs', 'submit', csv, '--mapping', notJson, ...remote()]);
    expect([invalid.code, invalid.stderr]).toEqual([2, expect.stringMatching(/the service answered 422/)]);
  });

  it('on a terminal the progress is a bar redrawn on one line', { timeout: 120_000 }, async () => {
    const file = path.join(work, 'tty.ndjson');
    writeFileSync(file, [1, 2, 3].map((i) => JSON.stringify({ ...recordMinimal, recordId: `CLI-TTY-${i}` })).join('\n'));
    const r = await cli(['jobs', 'submit', file, ...remote()], true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\r\x1b\[2K\[#{30}\] 3\/3 rows \(100%\): 3 issued/);
    expect(r.stderr.endsWith('\n')).toBe(true);
  });
});

describe('microcred courses and jobs on a data directory (no service)', () => {
  it('puts a course, lists it, and runs a dry run in this process', { timeout: 180_000 }, async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'microcred-cli-local-'));
    const put = await cli(['courses', 'put', 'CYB4010', path.join(EXAMPLES, 'catalogue', 'CYB4010.json'), '--issuer', 'example', '--data', data]);
    expect(put.code, put.stderr).toBe(0);
    const cpdFile = path.join(data, 'cpd.json');
    const cpd = JSON.parse(readFileSync(path.join(EXAMPLES, 'catalogue', 'CYB4010.json'), 'utf8')) as Record<string, unknown>;
    delete cpd.credits;
    writeFileSync(cpdFile, JSON.stringify({ ...cpd, title: 'Masterclass', workload: { hours: 12 } }));
    expect((await cli(['courses', 'put', 'CPD1', cpdFile, '--issuer', 'example', '--data', data])).code).toBe(0);
    const plain = await cli(['courses', 'list', '--issuer', 'example', '--data', data]);
    // A course without credit is listed with its hours, never as 0 credits.
    expect(plain.stdout).toBe('CPD1\tv1\tMasterclass\t12 hours, no credit\nCYB4010\tv1\tFoundations of Cyber Security\t5 ECTS\n');
    const list = await cli(['courses', 'list', '--issuer', 'example', '--data', data, '--json']);
    expect((JSON.parse(list.stdout) as { code: string }[]).map((e) => e.code)).toEqual(['CPD1', 'CYB4010']);
    const file = path.join(data, 'one.ndjson');
    writeFileSync(file, `${JSON.stringify({ recordId: 'LOCAL-1', learner: { fullName: 'Sam Taylor' }, course: { code: 'CYB4010' }, result: { completionDate: '2026-02-27' } })}\n{"recordId": 5}\n`);
    const dry = await cli(['jobs', 'submit', file, '--issuer', 'example', '--data', data, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toMatch(/dry run, nothing issued: 1 would be issued, 0 already issued, 1 rejected/);
    expect(readFileSync(path.join(data, 'one.report.csv'), 'utf8')).toContain('would-issue');
  });
});
