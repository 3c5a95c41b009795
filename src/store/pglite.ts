import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';

type PgliteLike = {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
};

function wrap(q: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await q.query<R>(sql, [...params]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly): `dataDir` keeps the data on disk; absent = in memory (tests).
 * One PGlite is one connection: statements run one at a time and a transaction holds it exclusively.
 *
 * @example
 * ```ts
 * const db = await openPglite({ dataDir: './data/db' });
 * await db.query('SELECT 1');
 * ```
 */
export async function openPglite(options: { dataDir?: string } = {}): Promise<Db> {
  const pg = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const base = wrap(pg as unknown as PgliteLike);
  return {
    kind: 'pglite',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pg.transaction(async (tx) => fn(wrap(tx as unknown as PgliteLike)));
    },
    async close(): Promise<void> {
      await pg.close();
    },
  };
}
