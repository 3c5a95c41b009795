import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.js';

// Keep bytea parameters as Buffers (pg's binary encoding for bytea) whatever Uint8Array the caller has.
function params(values: readonly unknown[]): unknown[] {
  return values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, values: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await client.query(sql, params(values));
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(sql: string): Promise<void> {
      // No parameters: the simple query protocol runs several statements.
      await client.query(sql);
    },
  };
}

/**
 * A PostgreSQL server through a `pg` connection pool (`DATABASE_URL`). Several processes may share one database.
 *
 * @example
 * ```ts
 * const db = await openPostgres({ connectionString: process.env.DATABASE_URL! });
 * ```
 */
export async function openPostgres(options: { connectionString: string; max?: number }): Promise<Db> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the next query reports the problem.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
