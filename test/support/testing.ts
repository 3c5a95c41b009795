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
 * Node arguments that let a plain `node` child process run this project's TypeScript directly (transpile only,
 * with the project's TypeScript; see ts-hooks.mjs). Used because tests run from source and the built `dist/` may
 * be stale.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [...tsLoaderArgs(), 'test/support/service-child.mjs']);
 * ```
 */
export function tsLoaderArgs(): string[] {
  return ['--import', new URL('./ts-register.mjs', import.meta.url).href];
}

/**
 * Starts a service process (test/support/service-child.mjs) with a config; resolves with its URL. It runs the
 * TypeScript sources, or the built service in `dist/` when `built` (what the benchmark measures).
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
  options: { built?: boolean; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<{ url: string; pid: number; stop(): Promise<void>; stderr: () => string }> {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const { PACKAGE_ROOT } = await import('../../src/lib/paths.js');
  // The built service runs without the TypeScript loader, as `npm start` runs it.
  const args = [...(options.nodeArgs ?? []), ...(options.built ? [] : tsLoaderArgs()), path.join(PACKAGE_ROOT, 'test', 'support', 'service-child.mjs')];
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...options.env, MICROCRED_CHILD_CONFIG: JSON.stringify(config), MICROCRED_CHILD_DIST: options.built ? '1' : '' },
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
