import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/paths.js';
import type { Db } from './db.js';

/** Folder of the versioned SQL files (`NNN_name.sql`), shared by PGlite and PostgreSQL. */
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'src', 'store', 'migrations');

// Any fixed 64-bit number; all microcred processes agree on it so only one migrates at a time.
const MIGRATION_LOCK = 0x6d6963726564; // "micred"

/**
 * Applies every migration not yet recorded in `schema_migrations`, in file-name order, in ONE transaction that
 * first takes a transaction-scoped advisory lock: two processes starting at once against one PostgreSQL queue up,
 * and the second finds nothing left to do. Returns the versions it applied.
 *
 * @example
 * ```ts
 * const applied = await migrate(db); // ['001_init'] on a fresh database, [] afterwards
 * ```
 */
export async function migrate(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_-]+\.sql$/.test(f))
    .sort();
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const file of files) {
      const version = file.replace(/\.sql$/, '');
      if (done.has(version)) continue;
      await tx.exec(readFileSync(path.join(dir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      applied.push(version);
    }
    return applied;
  });
}
