/**
 * Test and benchmark support: throwaway PostgreSQL databases on a local server. Not part of the public API.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/**
 * The admin URL of the local test server: `MICROCRED_TEST_PG`, else postgres://postgres@127.0.0.1:5432/postgres.
 *
 * @example
 * ```ts
 * const admin = new pg.Client({ connectionString: testPgUrl() });
 * ```
 */
export function testPgUrl(): string {
  return process.env.MICROCRED_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * Why PostgreSQL tests cannot run, or undefined when a server answers and accepts us. Probes quickly.
 *
 * @example
 * ```ts
 * const reason = await postgresUnavailable();
 * describe.skipIf(reason)(`PostgreSQL${reason ? ` (skipped: ${reason})` : ''}`, () => { ... });
 * ```
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  const url = new URL(testPgUrl());
  const port = Number(url.port || 5432);
  const open = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: url.hostname, port, timeout: 500 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
  if (!open) return `no PostgreSQL server answers at ${url.hostname}:${port} (set MICROCRED_TEST_PG to a server URL)`;
  const client = new pg.Client({ connectionString: url.href, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `PostgreSQL at ${url.hostname}:${port} refused the connection (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates a fresh, empty database on the test server; `drop()` removes it (disconnecting leftovers).
 *
 * @example
 * ```ts
 * const tmp = await createTestDatabase();
 * const db = await openDb({ databaseUrl: tmp.url });
 * // ...
 * await db.close(); await tmp.drop();
 * ```
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const admin = new URL(testPgUrl());
  const name = `microcred_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: admin.href });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin.href);
  url.pathname = `/${name}`;
  return { url: url.href, name, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Node arguments that let a plain `node` child process run this project's TypeScript sources directly (transpile
 * only, with the project's TypeScript): `spawn(process.execPath, [...await tsLoaderArgs(), 'src/service/child.ts'])`.
 * Used because tests run from source and the built `dist/` may be stale.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [...(await tsLoaderArgs()), 'src/service/child.ts']);
 * ```
 */
export async function tsLoaderArgs(): Promise<string[]> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const { createRequire } = await import('node:module');
  const tsPath = createRequire(import.meta.url).resolve('typescript');
  const dir = await mkdtemp(path.join(tmpdir(), 'microcred-ts-loader-'));
  const hooks = `
import { readFile, access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from ${JSON.stringify(pathToFileURL(tsPath).href)};
export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:') || specifier.startsWith('/')) && context.parentURL && context.parentURL.endsWith('.ts')) {
    const tsUrl = new URL(specifier.replace(/\\.js$/, '.ts'), context.parentURL);
    try { await access(fileURLToPath(tsUrl)); return { url: tsUrl.href, shortCircuit: true }; } catch {}
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const out = ts.transpileModule(source, { fileName: fileURLToPath(url), compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false } });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
`;
  const register = `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`;
  await writeFile(path.join(dir, 'hooks.mjs'), hooks);
  await writeFile(path.join(dir, 'register.mjs'), register);
  return ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href];
}

/**
 * Starts `src/service/child.ts` (or `dist/service/child.js` when `built`) with a config; resolves with its URL.
 *
 * @example
 * ```ts
 * const child = await spawnServiceProcess({ databaseUrl, publicUrl: 'https://credentials.test' });
 * await fetch(`${child.url}/readyz`);
 * await child.stop();
 * ```
 */
export async function spawnServiceProcess(
  config: Record<string, unknown>,
  options: { built?: boolean; env?: Record<string, string> } = {},
): Promise<{ url: string; pid: number; stop(): Promise<void>; stderr: () => string }> {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const { PACKAGE_ROOT } = await import('../lib/paths.js');
  const args = options.built
    ? [path.join(PACKAGE_ROOT, 'dist', 'service', 'child.js')]
    : [...(await tsLoaderArgs()), path.join(PACKAGE_ROOT, 'src', 'service', 'child.ts')];
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...options.env, MICROCRED_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) {
        child.stdout.off('data', onData);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`service process exited with ${code}: ${err.slice(-2000)}`)));
  });
  child.stdout.resume();
  return {
    url,
    pid: child.pid as number,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGTERM'), 5000).unref();
      }),
  };
}
