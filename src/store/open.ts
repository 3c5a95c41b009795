import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from './db.js';
import { migrate } from './migrate.js';

export interface OpenDbOptions {
  /** PostgreSQL URL; when set (or `DATABASE_URL` is), PostgreSQL is used instead of PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (default `./data/db`); `memory` keeps everything in memory. */
  dataDir?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** pg pool size. */
  poolSize?: number;
}

/**
 * Opens the configured database and brings its schema up to date: PostgreSQL when a URL is given
 * (option or `DATABASE_URL`), embedded PGlite otherwise.
 *
 * @example
 * ```ts
 * const db = await openDb({ dataDir: 'memory' }); // tests
 * const prod = await openDb({ databaseUrl: process.env.DATABASE_URL });
 * ```
 */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  let db: Db;
  if (url) {
    const { openPostgres } = await import('./postgres.js');
    db = await openPostgres({ connectionString: url, ...(options.poolSize ? { max: options.poolSize } : {}) });
  } else {
    const { openPglite } = await import('./pglite.js');
    const dir = options.dataDir ?? path.join('data', 'db');
    if (dir !== 'memory') await mkdir(path.resolve(dir), { recursive: true, mode: 0o700 });
    db = await openPglite(dir === 'memory' ? {} : { dataDir: path.resolve(dir) });
  }
  if (options.migrate !== false) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }
  return db;
}
