import { mkdir, readdir, readFile, rename, rm, lstat, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';
import { LOCK_FILE, lockDirectory } from './dir-lock.js';
import { databaseUnavailable } from './db.js';

type PgliteLike = {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
};

function wrap(q: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await q.query<R>(sql, [...params]);
        return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
      } catch (e) {
        throw databaseUnavailable(e);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await q.exec(sql);
      } catch (e) {
        throw databaseUnavailable(e);
      }
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

/** Empty but for our lock file. */
async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  return entries === undefined || entries.every((e) => e === LOCK_FILE);
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
        for (const entry of await readdir(dataDir)) {
          if (entry !== LOCK_FILE) await rm(path.join(dataDir, entry), { recursive: true, force: true });
        }
      }
    }
  }
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  // Only an in-memory start pays for the dump (tests, benchmarks); a server's first start stays as fast as it can.
  if (fresh && !dataDir && cacheEnabled()) await saveTemplate(pg).catch(() => {});
  return pg;
}

// PGlite decodes every field of a result with one `new TextDecoder('utf-8')` (its protocol BufferReader), whose
// default `ignoreBOM: false` drops a leading U+FEFF from each value: '\uFEFFNBU-1' stored, 'NBU-1' read, so two
// different values read back equal. The wire bytes are right, so the fields that start with the UTF-8 BOM
// (EF BB BF) are decoded again from them, keeping it. Queries reach PGlite's wire protocol through
// `execProtocolStream`; this instance's goes through `execProtocol` instead, which runs the same parser, error and
// notice handling and also returns the raw bytes (buffered: fine for this application's result sizes).
const exactUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const DATA_ROW = 0x44; // 'D'

type ProtocolMessage = { name: string; fields?: (string | null)[] };

function restoreLeadingBoms(messages: readonly ProtocolMessage[], data: Uint8Array): void {
  const rows = messages.filter((m) => m.name === 'dataRow');
  if (rows.length === 0) return;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let row = 0;
  // Backend messages: type byte, int32 length (counting itself), payload. DataRow: int16 count, then per field an
  // int32 length (-1 = NULL) and the bytes.
  for (let at = 0; at + 5 <= data.length; ) {
    const type = data[at] as number;
    const end = at + 1 + view.getUint32(at + 1);
    if (type === DATA_ROW) {
      const fields = rows[row++]?.fields;
      const count = view.getInt16(at + 5);
      if (!fields || fields.length !== count) return; // not the rows we expect: leave PGlite's reading alone
      let p = at + 7;
      for (let i = 0; i < count; i++) {
        const len = view.getInt32(p);
        p += 4;
        if (len > 0) {
          if (len >= 3 && data[p] === 0xef && data[p + 1] === 0xbb && data[p + 2] === 0xbf) fields[i] = exactUtf8.decode(data.subarray(p, p + len));
          p += len;
        }
      }
    }
    at = end;
  }
}

function keepLeadingBoms(pg: PGlite): void {
  const target = pg as unknown as {
    execProtocol(message: Uint8Array, options?: object): Promise<{ messages: ProtocolMessage[]; data: Uint8Array }>;
    execProtocolStream(message: Uint8Array, options?: object): Promise<ProtocolMessage[]>;
  };
  target.execProtocolStream = async (message, options) => {
    const { messages, data } = await target.execProtocol(message, options);
    restoreLeadingBoms(messages, data);
    return messages;
  };
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly): `dataDir` keeps the data on disk; absent = in memory (tests).
 * One PGlite is one connection: statements run one at a time and a transaction holds it exclusively.
 * A data directory is locked for as long as it is open (see `dir-lock.ts`): a second process, or a second open in
 * this one, gets a DATABASE_LOCKED MicrocredError saying who holds it.
 *
 * @example
 * ```ts
 * const db = await openPglite({ dataDir: './data/db' });
 * await db.query('SELECT 1');
 * ```
 */
export async function openPglite(options: { dataDir?: string } = {}): Promise<Db> {
  const lock = options.dataDir ? await lockDirectory(options.dataDir) : undefined;
  let pg: PGlite;
  try {
    pg = await createPglite(options.dataDir);
  } catch (e) {
    await lock?.release();
    throw e;
  }
  keepLeadingBoms(pg);
  const base = wrap(pg as unknown as PgliteLike);
  const check = (): void => lock?.check();
  return {
    kind: 'pglite',
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      check();
      return base.query<R>(sql, params);
    },
    async exec(sql: string): Promise<void> {
      check();
      return base.exec(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      check();
      return pg.transaction(async (tx) => fn(wrap(tx as unknown as PgliteLike)));
    },
    async close(): Promise<void> {
      try {
        await pg.close();
      } finally {
        await lock?.release();
      }
    },
  };
}
