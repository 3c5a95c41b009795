/**
 * Test and benchmark support: throwaway PostgreSQL databases on a local server. Not part of the public API.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/** The admin URL of the local test server: `MICROCRED_TEST_PG`, else postgres://postgres@127.0.0.1:5432/postgres. */
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
