import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.js';
import { databaseUnavailable, isConnectionLoss } from './db.js';

// Keep bytea parameters as Buffers (pg's binary encoding for bytea) whatever Uint8Array the caller has.
function params(values: readonly unknown[]): unknown[] {
  return values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, values: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await client.query(sql, params(values));
        return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
      } catch (e) {
        throw databaseUnavailable(e);
      }
    },
    async exec(sql: string): Promise<void> {
      // No parameters: the simple query protocol runs several statements.
      try {
        await client.query(sql);
      } catch (e) {
        throw databaseUnavailable(e);
      }
    },
  };
}

/**
 * A PostgreSQL server through a `pg` connection pool (`DATABASE_URL`). Several processes may share one database.
 * A lost connection (server restart, terminated backend, network) fails the statements that needed it with a
 * `DATABASE_UNAVAILABLE` MicrocredError, never the process; the pool opens new connections for later work.
 *
 * @example
 * ```ts
 * const db = await openPostgres({ connectionString: process.env.DATABASE_URL! });
 * ```
 */
export async function openPostgres(options: { connectionString: string; max?: number }): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A server that does not answer must not hold requests forever (also bounds the wait for a free connection).
    connectionTimeoutMillis: 15_000,
    keepAlive: true,
  });
  // pg emits 'error' on a client whose connection dies; with no listener Node ends the process. The pool listens
  // while a client is idle; this listener covers the time a client is checked out (a transaction between two
  // statements, e.g. while signing). The statement that needed the connection reports the failure.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch((e: unknown) => {
        throw databaseUnavailable(e);
      });
      let lost: Error | undefined;
      const onError = (e: Error): void => {
        lost ??= e;
      };
      client.on('error', onError);
      const tx = wrap(client);
      try {
        await tx.query('BEGIN');
        const out = await fn(tx);
        await tx.query('COMMIT');
        return out;
      } catch (e) {
        if (isConnectionLoss(e)) lost ??= e as Error;
        if (!lost) await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.off('error', onError);
        // A client whose connection failed is closed, not reused.
        client.release(lost);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
