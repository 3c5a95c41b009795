/**
 * `microcred stack check`: credentials as files (signed JSON, a compact JWT, baked PNG and SVG badges, a JSON list)
 * issued by the CLI itself, against a rules file or a parent course stored on a running service; the sentences or
 * the --json report; exit 0 met, 1 not met, 2 bad input.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { bake } from '../src/baking/bake.js';
import { call, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#1d4e89"/></svg>';


let tmp: string;
const f: Record<string, string> = {};
const write = (name: string, content: string | Uint8Array) => {
  f[name] = path.join(tmp, name);
  writeFileSync(f[name]!, content);
  return f[name]!;
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'microcred-cli-stack-'));
  const record = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'record.json'), 'utf8'));
  const modules = ['PHM7021', 'PHM7022', 'PHM7023', 'PHM7024'].map((code, i) => write(`${code}.record.json`, JSON.stringify({ ...record, recordId: `stack-${code}`, course: { ...record.course, code, title: `Module ${i + 1}` } })));
  const issued = await Promise.all(modules.map((m) => cli('issue', m)));
  for (const r of issued) expect(r.code, r.stderr).toBe(0);
  write('m1.json', issued[0]!.stdout);
  write('m2.jwt', (await cli('issue', modules[1]!, '--format', 'jwt')).stdout.trim());
  write('m3.svg', bake(PLAIN_SVG, JSON.parse(issued[2]!.stdout)));
  write('m4-list.json', JSON.stringify([JSON.parse(issued[3]!.stdout)]));
  write('rules-80.json', JSON.stringify({ title: 'PgCert Public Health Data', totalCredits: 80, minimums: [{ minCredits: 60, level: { framework: 'FHEQ', atLeast: 7 } }] }));
  write('rules-100.json', JSON.stringify({ title: 'PgCert Public Health Data', totalCredits: 100 }));
  write('rules-bad.json', JSON.stringify({ title: 'Bad', totalCredits: 0 }));
  write('notes.txt', 'just some notes');
  const exampleDid = JSON.parse(readFileSync(path.join(ROOT, 'keys.example', 'keyset.json'), 'utf8')).controller as string;
  write('consortium.json', JSON.stringify({ name: 'northern-consortium', issuers: [{ id: exampleDid, name: 'Northbridge (as listed)' }] }));
  write('other-list.json', JSON.stringify({ name: 'another-list', issuers: [{ id: exampleDid, name: 'Northbridge' }] }));
  write('rules-consortium.json', JSON.stringify({ title: 'PgCert Public Health Data', totalCredits: 40, recognisedProviders: [{ trustList: 'northern-consortium' }] }));
  write('plain.svg', PLAIN_SVG);
}, 60_000);

describe('microcred stack check', () => {
  it('met: prints the sentences, exit 0 (JSON, JWT, baked SVG and a JSON list)', async () => {
    const r = await cli('stack', 'check', '--rules', f['rules-80.json']!, f['m1.json']!, f['m2.jwt']!, f['m3.svg']!, f['m4-list.json']!);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('The credentials meet the rules of PgCert Public Health Data.');
    expect(lines).toContain('Met: at least 80 UK credits; 80 UK credits counted.');
    expect(lines).toContain('Met: at least 60 UK credits at FHEQ 7 or above; 80 UK credits counted.');
    expect(lines).toContain('Module 2: counted, 20 UK credits.');
  });

  it('not met: exit 1 with what is missing; --json prints the report', async () => {
    const r = await cli('stack', 'check', '--rules', f['rules-100.json']!, f['m1.json']!, f['m2.jwt']!);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Not met: at least 100 UK credits; 40 UK credits counted, so it needs 60 more credits.');
    const j = await cli('stack', 'check', '--rules', f['rules-100.json']!, '--json', f['m1.json']!, f['m2.jwt']!);
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout);
    expect(report.met).toBe(false);
    expect(report.totals.counted).toBe(40);
    expect(report.credentials.map((c: { format: string; status: string }) => [c.format, c.status])).toEqual([['di', 'counted'], ['jwt', 'counted']]);
    expect(report.credentials[0].credential).toBeUndefined();
  });

  it('a trustList provider selector is answered by the --trust list of that name', async () => {
    const args = ['stack', 'check', '--rules', f['rules-consortium.json']!, f['m1.json']!, f['m2.jwt']!];
    const listed = await cli(...args, '--trust', f['consortium.json']!);
    expect(listed.code, listed.stdout + listed.stderr).toBe(0);
    expect(listed.stdout).toContain('Met: every credential comes from a recognised provider (the trust list "northern-consortium").');
    for (const other of [[], ['--trust', f['other-list.json']!]]) {
      const r = await cli(...args, ...other);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('Not met: 2 credentials come from providers outside the trust list "northern-consortium" and are listed for recognition of prior learning review.');
    }
  });

  it('the same module twice counts once', async () => {
    const r = await cli('stack', 'check', '--rules', f['rules-100.json']!, '--json', f['m1.json']!, f['m1.json']!);
    expect(JSON.parse(r.stdout).credentials.map((c: { status: string }) => c.status)).toEqual(['counted', 'duplicate']);
  });

  it('bad input: exit 2 with a readable message', async () => {
    const cases: [string[], RegExp][] = [
      [['--rules', f['rules-bad.json']!, f['m1.json']!], /the stacking rules have 1 problem:\n {2}- \$\.totalCredits: expected a number greater than 0/],
      [['--rules', path.join(tmp, 'missing.json'), f['m1.json']!], /cannot read .*missing\.json: no such file/],
      [['--rules', f['rules-80.json']!, f['notes.txt']!], /notes\.txt is neither JSON, nor a compact JWT, nor a baked PNG\/SVG badge/],
      [['--rules', f['rules-80.json']!, f['plain.svg']!], /plain\.svg: .*credential/i],
      [['--rules', f['notes.txt']!, f['m1.json']!], /rules .*notes\.txt is not valid JSON/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli('stack', 'check', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
  });

  it('usage errors: exit 2 with the synopsis', async () => {
    for (const argv of [['stack'], ['stack', 'verify'], ['stack', 'check', f['m1.json']!], ['stack', 'check', '--rules', f['rules-80.json']!], ['stack', 'check', '--rules', 'r.json', '--issuer', 'x', f['m1.json']!], ['stack', 'check', '--parent-course', 'X', f['m1.json']!]]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('microcred stack check (--rules FILE');
    }
  });
});

describe('microcred stack check against a parent course stored on a service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const put = await call(h, 'PUT', `/issuers/${h.slug}/parent-courses/PGCERT-PHD`, { token: h.tokens.full, body: JSON.parse(readFileSync(f['rules-80.json']!, 'utf8')) });
    expect(put.status, put.text).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fetches the rules (plain http and a loopback address only with the test flags)', async () => {
    const args = ['stack', 'check', '--parent-course', 'PGCERT-PHD', '--issuer', h.slug, '--server', h.url];
    const refused = await cli(...args, f['m1.json']!);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--allow-http/);
    const r = await cli(...args, '--allow-http', '--allow-private-network', f['m1.json']!, f['m2.jwt']!, f['m3.svg']!, f['m4-list.json']!);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('The credentials meet the rules of PgCert Public Health Data.');
    const missing = await cli('stack', 'check', '--parent-course', 'NOPE', '--issuer', h.slug, '--server', h.url, '--allow-http', '--allow-private-network', f['m1.json']!);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot get the parent course .*NOPE/);
  });
});
