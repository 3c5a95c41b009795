import { describe, expect, it, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cli } from './support/cli.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const RECORD = path.join(ROOT, 'examples/record.json');
const BIN = path.join(ROOT, 'dist/cli.js');

/** Runs the CLI in-process and captures its output. */

describe('microcred CLI', () => {
  let tmp: string;
  let diFile: string;
  let jwtFile: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'microcred-cli-'));
    const di = await cli('issue', RECORD);
    expect(di.stderr).toBe('');
    expect(di.code).toBe(0);
    diFile = path.join(tmp, 'cred.json');
    writeFileSync(diFile, di.stdout);
    const jwt = await cli('issue', RECORD, '--format', 'jwt');
    expect(jwt.code).toBe(0);
    jwtFile = path.join(tmp, 'cred.jwt');
    writeFileSync(jwtFile, jwt.stdout);
  });

  it('issues a Data Integrity credential from the example record with the example keys', () => {
    const cred = JSON.parse(readFileSync(diFile, 'utf8'));
    expect(cred.type).toContain('OpenBadgeCredential');
    expect(cred.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');
    expect(cred.credentialSubject.achievement.achievementType).toBe('MicroCredential');
  });

  it('issues a compact VC-JWT with --format jwt', () => {
    expect(readFileSync(jwtFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('verifies both formats: exit 0 and a JSON report with every check', async () => {
    for (const f of [diFile, jwtFile]) {
      const r = await cli('verify', f, '--json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.verified).toBe(true);
      const ids = report.checks.map((c: { id: string }) => c.id);
      for (const id of ['parse', 'context', 'schema', 'proof', 'issuer-key', 'validity', 'status']) expect(ids).toContain(id);
      for (const c of report.checks) {
        // id, status and message always; the check's code and per-item details when it has them.
        expect(Object.keys(c).filter((k) => !['code', 'details', 'profile'].includes(k)).sort()).toEqual(['id', 'message', 'status']);
        expect(c.message.length).toBeGreaterThan(10);
      }
    }
  });

  it('prints a human-readable report by default', async () => {
    const r = await cli('verify', diFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/proof/i);
    expect(r.stdout).not.toMatch(/^\s*[{[]/);
  });

  it('exits 1 and names the proof check when a signed field was changed', async () => {
    const cred = JSON.parse(readFileSync(diFile, 'utf8'));
    cred.credentialSubject.achievement.name = 'A title the university never awarded';
    const f = path.join(tmp, 'tampered.json');
    writeFileSync(f, JSON.stringify(cred));
    const r = await cli('verify', f, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.verified).toBe(false);
    expect(report.checks.find((c: { id: string }) => c.id === 'proof').status).toBe('fail');
  });

  it('exits 2 on usage and input errors, with a readable message', async () => {
    expect((await cli('verify')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const missing = await cli('verify', path.join(tmp, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: no such file/);
    expect(missing.stderr).not.toContain('Usage:');
    const notCredential = path.join(tmp, 'hello.txt');
    writeFileSync(notCredential, 'hello');
    const nc = await cli('verify', notCredential, '--json');
    expect(nc.code).toBe(2);
    expect(JSON.parse(nc.stdout).checks[0]).toMatchObject({ id: 'parse', status: 'fail' });
    const noKeys = await cli('issue', RECORD, '--keys', path.join(tmp, 'no-such-keys'));
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('does not exist (create one with: microcred keys generate');
    const es256 = await cli('issue', RECORD, '--format', 'jwt', '--alg', 'ES256');
    expect(es256.code).toBe(2);
    expect(es256.stderr).toMatch(/ES256 needs a did:web issuer/);
    const badFormat = await cli('issue', RECORD, '--format', 'xml');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format must be "di" or "jwt", got "xml"');
  });

  it('rejects an invalid record with every problem listed and exit 2', async () => {
    const rec = JSON.parse(readFileSync(RECORD, 'utf8'));
    delete rec.recordId;
    rec.learner = {};
    const f = path.join(tmp, 'bad-record.json');
    writeFileSync(f, JSON.stringify(rec));
    const r = await cli('issue', f);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/\$\.recordId: expected/);
    expect(r.stderr).toMatch(/\$\.learner\.fullName: expected/);
    // Each problem is listed once.
    expect(r.stderr.match(/\$\.recordId: expected/g)).toHaveLength(1);
    const v = await cli('validate', f);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/recordId/);
  });

  it('generates a did:web key set with private files readable by the owner only', async () => {
    const dir = path.join(tmp, 'keys-web');
    const r = await cli('keys', 'generate', '--dir', dir, '--did-web', 'credentials.example.ac.uk:issuers:main');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('did:web:credentials.example.ac.uk:issuers:main');
    expect(existsSync(path.join(dir, 'did.json'))).toBe(true);
    const did = JSON.parse(readFileSync(path.join(dir, 'did.json'), 'utf8'));
    expect(did.id).toBe('did:web:credentials.example.ac.uk:issuers:main');
    expect(JSON.stringify(did)).not.toMatch(/secretKey|privateKey|"d":/);
  });

  it('works as an installed binary: issue | verify - through a pipe', async () => {
    expect(existsSync(BIN), 'run `npm run build` first (npm test does)').toBe(true);
    const issued = await run(process.execPath, [BIN, 'issue', RECORD]);
    const child = execFile(process.execPath, [BIN, 'verify', '-', '--json']);
    child.stdin!.end(issued.stdout);
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(JSON.parse(out).verified).toBe(true);
    expect(statSync(BIN).isFile()).toBe(true);
  });
});
