// The command line's conventions: --version, help for every command (`help NAME` = `NAME --help`), a short usage
// hint on errors, --json on every command that prints a result, and the documented exit codes (0 ok, 1 not
// valid or failed, 2 usage or input error). In-process (main), so no process is started.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { COMMANDS, usage } from '../src/cli/main.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RECORD = path.join(ROOT, 'examples', 'record.json');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };


describe('microcred --version', () => {
  it('prints the package version and exits 0', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await cli(flag);
      expect(r).toEqual({ code: 0, stdout: `microcred ${pkg.version}\n`, stderr: '' });
    }
  });
});

describe('help', () => {
  it('lists every command with its synopsis (help, --help, -h), exit 0', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(usage());
      for (const c of COMMANDS) for (const s of c.synopsis) expect(r.stdout).toContain(`microcred ${s}`);
    }
  });

  it('`help COMMAND` and `COMMAND --help` print the same help of that command only, exit 0', async () => {
    for (const c of COMMANDS) {
      const viaHelp = await cli('help', c.name);
      const viaFlag = await cli(c.name, '--help');
      const viaShort = await cli(c.name, '-h');
      expect(viaHelp.code, c.name).toBe(0);
      expect(viaFlag).toEqual(viaHelp);
      expect(viaShort).toEqual(viaHelp);
      for (const s of c.synopsis) expect(viaHelp.stdout).toContain(`microcred ${s}`);
      const others = COMMANDS.filter((o) => o.name !== c.name).flatMap((o) => o.synopsis.map((s) => `microcred ${s}\n`));
      for (const s of others) expect(viaHelp.stdout).not.toContain(s);
    }
  });

  it('--help wins over missing arguments and other flags (verify --help was an unknown option)', async () => {
    expect((await cli('verify', '--help')).code).toBe(0);
    expect((await cli('issue', '--format', 'xml', '--help')).code).toBe(0);
    expect((await cli('keys', 'generate', '--help')).stdout).toContain('microcred keys generate --dir DIR');
  });

  it('help for an unknown command is a usage error', async () => {
    const r = await cli('help', 'frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('microcred: unknown command "frobnicate"\nRun "microcred help" for the list of commands.\n');
  });
});

describe('usage errors', () => {
  const fullUsage = usage();

  it('print the message and a short hint (the command synopsis), not the whole usage text; exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['issue', RECORD, '--format', 'xml'], /--format must be "di" or "jwt", got "xml"/],
      [['issue'], /issue needs exactly one RECORD\.json/],
      [['verify'], /verify needs exactly one FILE/],
      [['verify', 'x.json', '--bogus'], /unknown option "--bogus"/],
      [['keys'], /keys needs a subcommand: generate or rotate/],
      [['keys', 'generate'], /keys generate needs --dir DIR/],
      [['keys', 'rotate', '--dir', 'k', '--alg', 'RSA'], /--alg must be "Ed25519" or "ES256", got "RSA"/],
      [['serve', '--port', 'x'], /--port must be 0-65535/],
      [['issuers', 'create'], /issuers create needs --slug SLUG/],
      [['apikeys', 'create', '--issuer', 'x'], /apikeys create needs --issuer SLUG and --scopes LIST/],
      [['demo', 'extra'], /unexpected argument "extra"/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      const command = COMMANDS.find((c) => c.name === argv[0])!;
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout, argv.join(' ')).toBe('');
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stderr).toContain(`Run "microcred help ${command.name}" for more.`);
      for (const s of command.synopsis) expect(r.stderr).toContain(`microcred ${s}`);
      expect(r.stderr.split('\n').length, argv.join(' ')).toBeLessThanOrEqual(2 + command.synopsis.length + 2);
      expect(r.stderr).not.toContain(fullUsage.split('\n').slice(0, 3).join('\n'));
    }
  });

  it('an unknown command points to the list of commands', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('microcred: unknown command "frobnicate"\nRun "microcred help" for the list of commands.\n');
  });
});

describe('--json on every command that prints a result', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'microcred-cli-json-'));

  it('issue --json: format, id, issuer and the credential (signed JSON or compact JWT); verify accepts it', async () => {
    const di = await cli('issue', RECORD, '--json');
    expect(di.code, di.stderr).toBe(0);
    const a = JSON.parse(di.stdout);
    expect(Object.keys(a).sort()).toEqual(['credential', 'format', 'id', 'issuer']);
    expect(a.format).toBe('di');
    expect(a.credential.id).toBe(a.id);
    expect(a.credential.issuer.id).toBe(a.issuer);
    expect(a.credential.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');
    const jwt = await cli('issue', RECORD, '--format', 'jwt', '--json');
    expect(jwt.code, jwt.stderr).toBe(0);
    const b = JSON.parse(jwt.stdout);
    expect(b.format).toBe('jwt');
    expect(b.credential).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = JSON.parse(Buffer.from(b.credential.split('.')[1], 'base64url').toString('utf8'));
    expect(payload.jti).toBe(b.id);
    expect(payload.iss).toBe(b.issuer);
    for (const [name, credential] of [['di.json', JSON.stringify(a.credential)], ['cred.jwt', b.credential]]) {
      const f = path.join(tmp, name);
      writeFileSync(f, credential);
      const v = await cli('verify', f, '--json');
      expect(v.code, v.stdout).toBe(0);
      expect(JSON.parse(v.stdout).verified).toBe(true);
    }
  });

  it('validate --json: {valid, recordId} (exit 0) or {valid: false, problems} (exit 2)', async () => {
    const ok = await cli('validate', RECORD, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, recordId: JSON.parse(readFileSync(RECORD, 'utf8')).recordId });
    const bad = path.join(tmp, 'bad.json');
    const rec = JSON.parse(readFileSync(RECORD, 'utf8'));
    delete rec.recordId;
    writeFileSync(bad, JSON.stringify(rec));
    const r = await cli('validate', bad, '--json');
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.problems).toContainEqual(expect.objectContaining({ path: '$.recordId', message: expect.stringMatching(/^\$\.recordId: expected/) }));
  });

  it('keys generate --json and keys rotate --json: the key set, public data only', async () => {
    const dir = path.join(tmp, 'keys');
    const g = await cli('keys', 'generate', '--dir', dir, '--did-web', 'credentials.example.ac.uk', '--json');
    expect(g.code, g.stderr).toBe(0);
    const generated = JSON.parse(g.stdout);
    expect(generated.controller).toBe('did:web:credentials.example.ac.uk');
    expect(generated.keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'Ed25519']);
    expect(generated.publish.didDocument).toBe(path.join(dir, 'did.json'));
    const r = await cli('keys', 'rotate', '--dir', dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const rotated = JSON.parse(r.stdout);
    expect(rotated.keys).toHaveLength(3);
    expect(rotated.keys.filter((k: { alg: string; active: boolean }) => k.alg === 'Ed25519' && k.active)).toHaveLength(1);
    for (const text of [g.stdout, r.stdout]) expect(text).not.toMatch(/"d"\s*:|private/i);
  });

  it('keys generate --alg ES256: a P-256 did:key whose credentials carry ecdsa-rdfc-2019 proofs', async () => {
    const dir = path.join(tmp, 'keys-p256');
    const g = await cli('keys', 'generate', '--dir', dir, '--alg', 'ES256', '--json');
    expect(g.code, g.stderr).toBe(0);
    const generated = JSON.parse(g.stdout);
    // did:key with a P-256 multikey: multibase z + varint 0x1200 ("zDn…").
    expect(generated.controller).toMatch(/^did:key:zDn/);
    expect(generated.keys.map((k: { alg: string }) => k.alg)).toEqual(['ES256']);
    const rec = path.join(tmp, 'p256-record.json');
    writeFileSync(rec, readFileSync(path.join(ROOT, 'examples', 'record.json')));
    const issued = await cli('issue', rec, '--keys', dir, '--profile', path.join(ROOT, 'keys.example', 'profile.json'), '--json');
    expect(issued.code, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout).credential.proof).toEqual([expect.objectContaining({ cryptosuite: 'ecdsa-rdfc-2019' })]);
    const signedFile = path.join(tmp, 'p256-credential.json');
    writeFileSync(signedFile, JSON.stringify(JSON.parse(issued.stdout).credential));
    const checked = await cli('verify', signedFile, '--json');
    expect(checked.code, checked.stdout).toBe(0);
    const jcs = await cli('issue', rec, '--cryptosuite', 'eddsa-jcs-2022', '--json');
    expect(JSON.parse(jcs.stdout).credential.proof).toEqual([expect.objectContaining({ cryptosuite: 'eddsa-jcs-2022' })]);
    const unknown = await cli('issue', rec, '--cryptosuite', 'rsa-2020');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--cryptosuite must be one of eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019');
    const bad = await cli('keys', 'generate', '--dir', path.join(tmp, 'k2'), '--alg', 'RSA');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--alg must be "Ed25519" or "ES256", got "RSA"');
    const both = await cli('keys', 'generate', '--dir', path.join(tmp, 'k3'), '--alg', 'ES256', '--did-web', 'x.example');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--alg applies to a did:key');
  });

  it('verify --json on input that is not a credential: the parse check fails, exit 2', async () => {
    const f = path.join(tmp, 'hello.txt');
    writeFileSync(f, 'hello');
    const r = await cli('verify', f, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).checks[0]).toMatchObject({ id: 'parse', status: 'fail' });
  });
});

describe('exit codes', () => {
  it('1 when a credential is not valid or an operation failed', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'microcred-cli-exit-'));
    const issued = JSON.parse((await cli('issue', RECORD)).stdout);
    issued.name = 'Changed after signing';
    const f = path.join(tmp, 'tampered.json');
    writeFileSync(f, JSON.stringify(issued));
    expect((await cli('verify', f)).code).toBe(1);
  });

  it('2 on input errors, without a usage hint', async () => {
    const r = await cli('validate', path.join(tmpdir(), 'no-such-record.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*no-such-record\.json: no such file\n$/);
    expect(r.stderr).not.toContain('Usage');
  });
});
