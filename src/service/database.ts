/**
 * Opening the service database: what `microcred serve` (through createApp) and every admin command open, so each
 * entry point finds the same database in the same state.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MicrocredError } from '../errors.js';
import { EXAMPLE_KEYS_DIR } from '../lib/paths.js';
import type { Db } from '../store/db.js';
import { listIssuers } from '../store/issuers.js';
import { openDb } from '../store/open.js';
import { createIssuer } from './admin.js';
import type { ServiceConfig } from './config.js';

/**
 * Creates issuer `example` from `keys.example/` (did:key, the PUBLIC example keys) when the database has no issuer
 * yet; does nothing otherwise. Another process seeding at the same moment is fine.
 *
 * @example
 * ```ts
 * await seedExampleIssuer(db); // a fresh database now has issuer "example"
 * ```
 */
export async function seedExampleIssuer(db: Db): Promise<void> {
  if ((await listIssuers(db)).length > 0) return;
  const profile = JSON.parse(await readFile(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')) as Record<string, unknown>;
  delete profile._note;
  await createIssuer(db, { slug: 'example', profile, existingKeysDir: EXAMPLE_KEYS_DIR, actor: 'system' }).catch((e: unknown) => {
    if (!(e instanceof MicrocredError)) throw e;
  });
}

/**
 * Opens the configured service database with its schema up to date: PostgreSQL when `databaseUrl` (or
 * `DATABASE_URL`) is set, else PGlite in `<dataDir>/db` (locked to this process while open), and seeds the example
 * issuer when `exampleIssuer` is set.
 *
 * @example
 * ```ts
 * const db = await openServiceDb(serviceConfigFromEnv(process.env));
 * ```
 */
export async function openServiceDb(config: Pick<ServiceConfig, 'databaseUrl' | 'dataDir' | 'exampleIssuer'>): Promise<Db> {
  const dataDir = config.dataDir ?? 'data';
  const db = await openDb({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    dataDir: dataDir === 'memory' ? 'memory' : path.join(dataDir, 'db'),
  });
  if (config.exampleIssuer) {
    try {
      await seedExampleIssuer(db);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }
  return db;
}
