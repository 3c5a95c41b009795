import { mkdir, readdir, readFile, rename, rm, lstat, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
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

// A fresh PGlite runs initdb inside WebAssembly: several seconds, every time, with the same result for a given
// PGlite version. So the first fresh in-memory database of a process dumps that result (a tarball of the empty
// cluster, before any migration or data) and later fresh databases, in memory or in a new data directory, load it
// instead (about three times faster). The tarball is kept in memory and in a cache directory private to this
// user (mode 0700, owned by us, checked before use: another local user must not be able to plant a cluster).
// MICROCRED_PGLITE_CACHE=0 turns this off.
let memoryTemplate: Promise<Blob | undefined> | undefined;

function cacheEnabled(): boolean {
  return process.env.MICROCRED_PGLITE_CACHE !== '0';
}

async function templateFile(): Promise<string | undefined> {
  const pkg = path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json');
  const version = (JSON.parse(await readFile(pkg, 'utf8')) as { version?: string }).version ?? 'unknown';
  const uid = process.getuid?.() ?? -1;
  const dir = path.join(tmpdir(), `microcred-pglite-${uid >= 0 ? uid : userInfo().username}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory() || (uid >= 0 && st.uid !== uid) || (st.mode & 0o077) !== 0) return undefined;
  return path.join(dir, `empty-cluster-${version}.tar.gz`);
}

async function loadTemplate(): Promise<Blob | undefined> {
  if (!cacheEnabled()) return undefined;
  memoryTemplate ??= (async () => {
    const file = await templateFile();
    if (!file) return undefined;
    const st = await stat(file).catch(() => undefined);
    const uid = process.getuid?.() ?? -1;
    if (!st || (uid >= 0 && st.uid !== uid)) return undefined;
    return new Blob([await readFile(file)]);
  })().catch(() => undefined);
  return memoryTemplate;
}

async function saveTemplate(pg: PGlite): Promise<void> {
  const blob = await pg.dumpDataDir('gzip');
  memoryTemplate = Promise.resolve(blob);
  const file = await templateFile();
  if (!file) return;
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  await writeFile(tmp, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
  await rename(tmp, file);
}

async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  return entries === undefined || entries.length === 0;
}

async function createPglite(dataDir: string | undefined): Promise<PGlite> {
  const fresh = dataDir === undefined || (await isEmptyDir(dataDir));
  const template = fresh ? await loadTemplate() : undefined;
  if (template) {
    try {
      return await PGlite.create({ ...(dataDir ? { dataDir } : {}), loadDataDir: template });
    } catch {
      // A damaged template: start again from initdb (in a directory that was empty before).
      memoryTemplate = undefined;
      if (dataDir) {
        await rm(dataDir, { recursive: true, force: true });
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
      }
    }
  }
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  // Only an in-memory start pays for the dump (tests, benchmarks); a server's first start stays as fast as it can.
  if (fresh && !dataDir && cacheEnabled()) await saveTemplate(pg).catch(() => {});
  return pg;
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
  const pg = await createPglite(options.dataDir);
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
