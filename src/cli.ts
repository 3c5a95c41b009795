#!/usr/bin/env node
/**
 * The `microcred` command line: a thin adapter over the library (no logic of its own beyond
 * reading files, parsing flags and choosing exit codes).
 *
 * Exit codes: 0 success (or "valid" for verify), 1 verification says not valid or an operation
 * failed, 2 usage or input errors (bad flags, unreadable file, invalid record).
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MicrocredError } from './errors.js';
import { EXAMPLE_KEYS_DIR } from './lib/paths.js';

const USAGE = `microcred — issue and verify Open Badges 3.0 micro-credentials

Usage:
  microcred issue RECORD.json [--format di|jwt] [--alg ES256|EdDSA] [--profile FILE] [--keys DIR]
      Validate a completion record, map it to an OpenBadgeCredential and print it signed.
      Defaults: --format di, the example profile and keys in keys.example/.
  microcred validate RECORD.json
      Only check a completion record; prints every problem at once.
  microcred verify FILE|- [--json] [--allow-private-network] [--allow-http]
      Verify a credential (JSON or compact JWT) from a file or standard input. The --allow-* flags let
      status lists and DID documents come from a local test service (never use them in production).
      Exit 0 when valid, 1 when not, 2 on usage or input errors.
  microcred keys generate --dir DIR [--did-web HOST[:PATH]]
      Create an issuer key set (did:key, or did:web with the did.json to publish).
  microcred keys rotate --dir DIR [--alg Ed25519|ES256]
      Add a new active key; older keys stay listed so older credentials still verify.
  microcred serve [--port N] [--host ADDR] [--data DIR]
      Run the issuance service (embedded PGlite in DIR/db, or PostgreSQL when DATABASE_URL is set).
  microcred issuers create --slug SLUG --profile FILE (--public-url URL [--root] | --keys DIR) [--data DIR]
      Register an issuer with its own did:web keys (or an existing key set).
  microcred issuers rotate-key --slug SLUG [--alg Ed25519|ES256] [--data DIR]
  microcred apikeys create --issuer SLUG --scopes issue,revoke,read,admin [--label TEXT] [--data DIR]
      Print a new bearer token (shown once; only its hash is stored).
  microcred demo
      Issue the example record (test/fixtures/record.json) with the example keys in both formats
      and verify each result: the quick start.
  microcred help
`;

/** A usage problem (flags, arguments): exit code 2, with the usage text. */
class UsageError extends Error {}

/** An input problem (unreadable or malformed file): exit code 2, without the usage text. */
class InputError extends Error {}

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new InputError(`cannot read ${file}: ${why}`);
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readInput(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function formatProblems(problems: unknown): string {
  if (!Array.isArray(problems)) return '';
  return problems
    .map((p: { path?: string; message?: string }) => `  - ${p.message ?? JSON.stringify(p)}`)
    .join('\n');
}

async function cmdIssue(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'di' },
      alg: { type: 'string' },
      profile: { type: 'string' },
      keys: { type: 'string' },
    },
  });
  const [recordFile] = positionals;
  if (!recordFile || positionals.length > 1) throw new UsageError('issue needs exactly one RECORD.json');
  const format = values.format;
  if (format !== 'di' && format !== 'jwt') throw new UsageError(`--format must be "di" or "jwt", got "${format}"`);
  const alg = values.alg;
  if (alg !== undefined && alg !== 'ES256' && alg !== 'EdDSA') {
    throw new UsageError(`--alg must be "ES256" or "EdDSA", got "${alg}"`);
  }
  const keysDir = values.keys ?? EXAMPLE_KEYS_DIR;
  if (!existsSync(keysDir)) throw new InputError(`the key directory ${keysDir} does not exist (create one with: microcred keys generate --dir ${keysDir})`);
  const profileFile = values.profile ?? path.join(keysDir, 'profile.json');

  const { assertRecord } = await import('./record/validate.js');
  const { assertProfile } = await import('./record/profile.js');
  const { buildCredential } = await import('./credential/annex1.js');
  const { loadKeySet } = await import('./keyset/keyset.js');
  const { issueCredential } = await import('./issue.js');

  const record = assertRecord(await readJson(recordFile, 'record'));
  const profile = assertProfile(await readJson(profileFile, 'issuer profile'));
  const keys = await loadKeySet(keysDir);
  const credential = buildCredential(profile, record, { issuerId: keys.controller });
  const signed = await issueCredential(credential, { format, keys, ...(alg ? { alg } : {}) });
  out.stdout(typeof signed === 'string' ? signed + '\n' : JSON.stringify(signed, null, 2) + '\n');
  return 0;
}

async function cmdValidate(args: string[], out: Out): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [recordFile] = positionals;
  if (!recordFile || positionals.length > 1) throw new UsageError('validate needs exactly one RECORD.json');
  const { validateRecord } = await import('./record/validate.js');
  const result = validateRecord(await readJson(recordFile, 'record'));
  if (result.ok) {
    out.stdout(`${recordFile}: valid completion record (recordId ${result.record.recordId})\n`);
    return 0;
  }
  out.stderr(`${recordFile}: ${result.problems.length} problem(s):\n${formatProblems(result.problems)}\n`);
  return 2;
}

async function cmdVerify(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'allow-private-network': { type: 'boolean', default: false },
      'allow-http': { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('verify needs exactly one FILE (or - for standard input)');
  const text = (await readInput(file)).trim();
  if (text === '') throw new InputError(`${file} is empty`);
  const { verify } = await import('./verify/verify.js');
  const { formatReport } = await import('./verify/format.js');
  const report = await verify(text, { allowPrivateNetwork: values['allow-private-network'], allowHttp: values['allow-http'] });
  if (values.json) {
    const checks = report.checks.map((c) => ({ id: c.id, status: c.status, message: c.message }));
    out.stdout(JSON.stringify({ verified: report.verified, checks }, null, 2) + '\n');
  } else {
    out.stdout(formatReport(report) + '\n');
  }
  // Input that is not a credential at all is an input error, not an invalid credential.
  if (report.checks.some((c) => c.id === 'parse' && c.status === 'fail')) return 2;
  return report.verified ? 0 : 1;
}

async function cmdKeys(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { dir: { type: 'string' }, 'did-web': { type: 'string' }, alg: { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.dir) throw new UsageError(`keys ${sub ?? ''} needs --dir DIR`.replace('  ', ' '));
  const keysMod = await import('./keyset/keyset.js');
  if (sub === 'generate') {
    const keys = await keysMod.generateKeySet({ dir: values.dir, ...(values['did-web'] ? { didWeb: values['did-web'] } : {}) });
    out.stdout(`Created key set in ${values.dir}\nIssuer DID: ${keys.controller}\n`);
    if (values['did-web']) {
      out.stdout(`Publish ${path.join(values.dir, 'did.json')} at the did:web location, and jwks.json beside it.\n`);
    }
    return 0;
  }
  if (sub === 'rotate') {
    const alg = values.alg ?? 'Ed25519';
    if (alg !== 'Ed25519' && alg !== 'ES256') throw new UsageError(`--alg must be "Ed25519" or "ES256", got "${alg}"`);
    const keys = await keysMod.rotateKey(values.dir, alg);
    out.stdout(`Rotated: new active ${alg} key in ${values.dir} for ${keys.controller}\n`);
    return 0;
  }
  throw new UsageError('keys needs a subcommand: generate or rotate');
}

/** Opens the service database the way `serve` does: DATABASE_URL, else PGlite under --data (default ./data). */
async function openServiceDb(dataDir: string | undefined) {
  const { serviceConfigFromEnv } = await import('./service/config.js');
  const service = await import('./service/database.js');
  const config = serviceConfigFromEnv(process.env);
  return service.openServiceDb({ ...config, ...(dataDir !== undefined ? { dataDir } : {}) });
}

/** Runs `fn` with the service database open, and closes it whatever happens. */
async function withServiceDb<T>(dataDir: string | undefined, fn: (db: Awaited<ReturnType<typeof openServiceDb>>) => Promise<T>): Promise<T> {
  const db = await openServiceDb(dataDir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function cmdServe(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { serviceConfigFromEnv } = await import('./service/config.js');
  const { startServer } = await import('./service/server.js');
  const config = serviceConfigFromEnv(process.env);
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
    config.port = port;
  }
  if (values.host !== undefined) config.host = values.host;
  if (values.data !== undefined) config.dataDir = values.data;
  const srv = await startServer(config);
  out.stderr(`microcred service listening on ${srv.url} (${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await srv.close();
  return 0;
}

async function cmdIssuers(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      slug: { type: 'string' }, profile: { type: 'string' }, 'public-url': { type: 'string' }, root: { type: 'boolean' },
      keys: { type: 'string' }, 'keys-root': { type: 'string' }, alg: { type: 'string' }, data: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const slug = values.slug;
  if (!slug) throw new UsageError(`issuers ${sub ?? ''} needs --slug SLUG`);
  const admin = await import('./service/admin.js');
  if (sub === 'create') {
    if (!values.profile) throw new UsageError('issuers create needs --profile FILE (the awarding body)');
    if (!values['public-url'] && !values.keys) throw new UsageError('issuers create needs --public-url URL (for did:web) or --keys DIR (an existing key set)');
    const profile = await readJson(values.profile, 'issuer profile');
    const created = await withServiceDb(values.data, (db) =>
      admin.createIssuer(db, {
        slug,
        profile,
        ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
        ...(values.root ? { root: true } : {}),
        ...(values.keys ? { existingKeysDir: values.keys } : {}),
        keysRoot: values['keys-root'] ?? process.env.MICROCRED_KEYS_DIR ?? path.join(values.data ?? process.env.MICROCRED_DATA_DIR ?? 'data', 'keys'),
      }));
    out.stdout(`Issuer ${created.slug} created: ${created.did}\nKeys: ${created.keysDir}\n`);
    return 0;
  }
  if (sub === 'rotate-key') {
    const alg = values.alg ?? 'Ed25519';
    if (alg !== 'Ed25519' && alg !== 'ES256') throw new UsageError(`--alg must be "Ed25519" or "ES256", got "${alg}"`);
    const keys = await withServiceDb(values.data, (db) => admin.rotateIssuerKey(db, slug, alg));
    out.stdout(`Rotated: new active ${alg} key for ${keys.controller}\n`);
    return 0;
  }
  throw new UsageError('issuers needs a subcommand: create or rotate-key');
}

async function cmdApiKeys(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { issuer: { type: 'string' }, scopes: { type: 'string' }, label: { type: 'string' }, data: { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (sub !== 'create') throw new UsageError('apikeys needs a subcommand: create');
  if (!values.issuer || !values.scopes) throw new UsageError('apikeys create needs --issuer SLUG and --scopes LIST (issue,revoke,read,admin)');
  const { createApiKey } = await import('./service/admin.js');
  const { issuer, scopes, label } = values;
  const key = await withServiceDb(values.data, (db) => createApiKey(db, {
    issuer,
    scopes: scopes.split(',').map((s) => s.trim()).filter(Boolean),
    ...(label ? { label } : {}),
  }));
  out.stderr(`API key ${key.id} for issuer ${key.issuer} with scopes ${key.scopes.join(', ')}. The token is shown only now:\n`);
  out.stdout(`${key.token}\n`);
  return 0;
}

async function cmdDemo(out: Out): Promise<number> {
  const { PACKAGE_ROOT } = await import('./lib/paths.js');
  const record = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'record.json');
  let worst = 0;
  for (const format of ['di', 'jwt'] as const) {
    let issued = '';
    const code = await cmdIssue([record, '--format', format], { stdout: (s) => { issued += s; }, stderr: out.stderr });
    if (code !== 0) return code;
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'microcred-demo-')), format === 'di' ? 'credential.json' : 'credential.jwt');
    await writeFile(file, issued);
    out.stdout(`\n== ${format === 'di' ? 'Data Integrity (eddsa-rdfc-2022)' : 'VC-JWT'} credential issued from ${path.relative(process.cwd(), record)}: ${file}\n`);
    if (format === 'di') {
      const cred = JSON.parse(issued) as { id: string; name?: string; issuer: { id: string } };
      out.stdout(`   id ${cred.id}\n   "${cred.name ?? ''}" issued by ${cred.issuer.id}\n`);
    }
    out.stdout(`== microcred verify ${file}\n`);
    worst = Math.max(worst, await cmdVerify([file], out));
  }
  return worst;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(['verify', 'credential.json', '--json']);
 * ```
 */
export async function main(argv: string[], out: Out = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
}): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'issue':
        return await cmdIssue(args, out);
      case 'validate':
        return await cmdValidate(args, out);
      case 'verify':
        return await cmdVerify(args, out);
      case 'keys':
        return await cmdKeys(args, out);
      case 'demo':
        return await cmdDemo(out);
      case 'serve':
        return await cmdServe(args, out);
      case 'issuers':
        return await cmdIssuers(args, out);
      case 'apikeys':
        return await cmdApiKeys(args, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      || (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      out.stderr(`microcred: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof InputError) {
      out.stderr(`microcred: ${e.message}\n`);
      return 2;
    }
    if (e instanceof MicrocredError) {
      const input = e.code === 'RECORD_INVALID' || e.code === 'PROFILE_INVALID' || e.code === 'CREDENTIAL_INVALID'
        || e.code === 'KEYSET_INVALID' || e.code === 'KEY_NOT_FOUND' || e.code === 'UNSUPPORTED';
      // Some messages already list every problem; print the details only when they add something.
      const first = Array.isArray(e.details) ? (e.details[0] as { message?: string } | undefined)?.message : undefined;
      const extra = first && !e.message.includes(first) ? `${formatProblems(e.details)}\n` : '';
      out.stderr(`microcred: ${e.message}\n${extra}`);
      return input ? 2 : 1;
    }
    out.stderr(`microcred: ${(e as Error).message}\n`);
    return 1;
  }
}

// Run when executed directly (not when imported by tests).
// realpath: npm's bin entry is a symlink to this file.
const invokedAs = process.argv[1] ? realpathSync(path.resolve(process.argv[1])) : '';
if (invokedAs === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
