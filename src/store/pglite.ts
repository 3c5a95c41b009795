import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, lstat, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MicrocredError } from '../errors.js';
import { PACKAGE_ROOT } from '../lib/paths.js';
import type { Db, Queryable, QueryResult } from './db.js';
import { databaseUnavailable } from './db.js';
import { LOCK_FILE, lockDirectory } from './dir-lock.js';
import type { PgliteRequest, PgliteResponse, PgliteWorkerData, SerializedError } from './pglite-worker.js';

// A fresh PGlite runs initdb inside WebAssembly: several seconds, every time, with the same result for a given
// PGlite version. So the first fresh in-memory database of a process dumps that result (a tarball of the empty
// cluster, before any migration or data) and later fresh databases, in memory or in a new data directory, load it
// instead (about three times faster). The tarball is kept in memory and in a cache directory private to this
// user (mode 0700, owned by us, checked before use: another local user must not be able to plant a cluster).
// MICROCRED_PGLITE_CACHE=0 turns this off.
let memoryTemplate: Promise<Uint8Array | undefined> | undefined;

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

async function loadTemplate(): Promise<Uint8Array | undefined> {
  if (!cacheEnabled()) return undefined;
  memoryTemplate ??= (async () => {
    const file = await templateFile();
    if (!file) return undefined;
    const st = await stat(file).catch(() => undefined);
    const uid = process.getuid?.() ?? -1;
    if (!st || (uid >= 0 && st.uid !== uid)) return undefined;
    return new Uint8Array(await readFile(file));
  })().catch(() => undefined);
  return memoryTemplate;
}

async function saveTemplate(dump: Uint8Array): Promise<void> {
  memoryTemplate = Promise.resolve(dump);
  const file = await templateFile();
  if (!file) return;
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  await writeFile(tmp, dump, { mode: 0o600 });
  await rename(tmp, file);
}

/** Empty but for our lock file. */
async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  return entries === undefined || entries.every((e) => e === LOCK_FILE);
}

// PGlite's WebAssembly (postgres and initdb) and its file-system bundle, read and compiled once per process and
// shared with every PGlite thread it starts (a compiled module crosses to a worker without compiling again): each
// thread would otherwise load and compile them anew, about a second of CPU per database opened.
let artifacts: Promise<Required<Pick<PgliteWorkerData, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>>> | undefined;

function loadArtifacts(): NonNullable<typeof artifacts> {
  artifacts ??= (async () => {
    const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pgliteWasmModule, initdbWasmModule, fsBundle] = await Promise.all([
      readFile(path.join(dist, 'pglite.wasm')).then((b) => WebAssembly.compile(b)),
      readFile(path.join(dist, 'initdb.wasm')).then((b) => WebAssembly.compile(b)),
      readFile(path.join(dist, 'pglite.data')).then((b) => new Uint8Array(b)),
    ]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle };
  })();
  artifacts.catch(() => {
    artifacts = undefined;
  });
  return artifacts;
}

function workerUrl(): URL {
  const here = new URL('./pglite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // Running from TypeScript sources (tests): use the built worker.
  const built = path.join(PACKAGE_ROOT, 'dist', 'store', 'pglite-worker.js');
  if (existsSync(built)) return pathToFileURL(built);
  throw new MicrocredError('UNSUPPORTED', 'The embedded database (PGlite) runs in a worker thread from the built package (npm run build): dist/store/pglite-worker.js is missing.');
}

/** A database error as the worker reported it: the same name, message, SQLSTATE `code` and fields as PGlite's. */
function revive(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return Object.assign(err, e.fields);
}

/** A worker thread that has stopped: what every statement then gets (a connection loss, DATABASE_UNAVAILABLE). */
function stopped(reason: string): Error {
  return new Error(`PGlite is closed: its worker thread ${reason}`);
}

/**
 * One PGlite in its worker thread, addressed by messages. The thread keeps the process alive only while a
 * statement is on its way, so a database opened and left idle does not keep a finished command running.
 */
class PgliteThread {
  private readonly pending = new Map<number, { resolve(r: PgliteResponse): void }>();
  private nextId = 1;
  private gone: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (res: PgliteResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (this.pending.size === 0) worker.unref();
      p.resolve(res);
    });
    worker.on('error', (e) => this.fail(stopped(`failed (${e.message})`)));
    worker.on('exit', (code) => this.fail(stopped(`exited (code ${code})`)));
  }

  /** Starts the thread and its PGlite; resolves once it answers statements. */
  static async start(data: PgliteWorkerData): Promise<{ thread: PgliteThread; templateRejected: boolean; dump?: Uint8Array }> {
    // The thread gets the process's Node options but not `--input-type`, which Node refuses for a worker's file
    // (`node --input-type=module -e '…openDb()…'` would otherwise fail to open the database).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = new Worker(workerUrl(), { workerData: data, execArgv });
    const thread = new PgliteThread(worker);
    const ready = await thread.send(0, () => {});
    if (!('ready' in ready)) throw revive(ready.ok ? { name: 'Error', message: 'PGlite is closed: its worker thread did not start', fields: {} } : ready.error);
    if (!ready.ready) {
      await worker.terminate();
      throw revive(ready.error);
    }
    return { thread, templateRejected: ready.templateRejected, ...(ready.dump ? { dump: ready.dump } : {}) };
  }

  private send(id: number, post: () => void): Promise<PgliteResponse> {
    if (this.gone) return Promise.reject(this.gone);
    return new Promise<PgliteResponse>((resolve) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve });
      try {
        post();
      } catch (e) {
        // Parameters that cannot be cloned to the thread (a function, a symbol): the statement's own error.
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        resolve({ id, ok: false, error: { name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e), fields: {} } });
      }
    });
  }

  /** Sends one request; resolves with its result, rejects with the database's error. */
  async request(req: DistributiveOmit<PgliteRequest, 'id'>): Promise<{ rows?: unknown[]; rowCount?: number }> {
    const id = this.nextId++;
    const res = await this.send(id, () => this.worker.postMessage({ ...req, id }));
    if ('ready' in res) throw stopped('answered out of turn');
    if (!res.ok) throw revive(res.error);
    return res;
  }

  private fail(e: Error): void {
    this.gone ??= e;
    for (const [id, p] of this.pending) p.resolve({ id, ok: false, error: { name: 'Error', message: e.message, fields: {} } });
    this.pending.clear();
  }

  /** True once the thread has stopped or was stopped. */
  get stopped(): boolean {
    return this.gone !== undefined;
  }

  async stop(): Promise<void> {
    this.gone ??= stopped('was closed');
    await this.worker.terminate();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function queryable(thread: PgliteThread, tx: number | undefined, check: () => void): Queryable {
  const at = tx === undefined ? {} : { tx };
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      check();
      try {
        const res = await thread.request({ op: 'query', sql, params: [...params], ...at });
        const rows = (res.rows ?? []) as R[];
        return { rows, rowCount: res.rowCount ?? rows.length };
      } catch (e) {
        throw databaseUnavailable(e);
      }
    },
    async exec(sql: string): Promise<void> {
      check();
      try {
        await thread.request({ op: 'exec', sql, ...at });
      } catch (e) {
        throw databaseUnavailable(e);
      }
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly): `dataDir` keeps the data on disk; absent = in memory (tests).
 * PGlite runs in a worker thread of its own (`pglite-worker.ts`), so this thread (the service's event loop) goes on
 * while a statement computes. One PGlite is one connection: statements run one at a time and a transaction holds it
 * exclusively. A data directory is locked for as long as it is open (see `dir-lock.ts`): a second process, or a
 * second open in this one, gets a DATABASE_LOCKED MicrocredError saying who holds it.
 *
 * @example
 * ```ts
 * const db = await openPglite({ dataDir: './data/db' });
 * await db.query('SELECT 1');
 * ```
 */
export async function openPglite(options: { dataDir?: string } = {}): Promise<Db> {
  const { dataDir } = options;
  const lock = dataDir ? await lockDirectory(dataDir) : undefined;
  let thread: PgliteThread;
  try {
    const fresh = dataDir === undefined || (await isEmptyDir(dataDir));
    const template = fresh ? await loadTemplate() : undefined;
    // Only an in-memory start pays for the dump (tests, benchmarks); a server's first start stays as fast as it can.
    const dumpTemplate = fresh && !dataDir && !template && cacheEnabled();
    const started = await PgliteThread.start({ ...(await loadArtifacts()), ...(dataDir ? { dataDir } : {}), ...(template ? { template } : {}), ...(dumpTemplate ? { dumpTemplate } : {}) });
    thread = started.thread;
    if (started.templateRejected) memoryTemplate = undefined;
    if (started.dump) await saveTemplate(started.dump).catch(() => {});
  } catch (e) {
    await lock?.release();
    throw e;
  }
  const check = (): void => lock?.check();
  let nextTx = 1;
  let closed = false;
  return {
    kind: 'pglite',
    ...queryable(thread, undefined, check),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      check();
      const tx = nextTx++;
      await thread.request({ op: 'begin', tx }).catch((e: unknown) => {
        throw databaseUnavailable(e);
      });
      let out: T;
      try {
        out = await fn(queryable(thread, tx, check));
      } catch (e) {
        await thread.request({ op: 'end', tx, commit: false }).catch(() => {});
        throw e;
      }
      await thread.request({ op: 'end', tx, commit: true }).catch((e: unknown) => {
        throw databaseUnavailable(e);
      });
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        // A thread that already stopped took its PGlite with it: nothing is left to close.
        await thread.request({ op: 'close' }).catch((e: unknown) => {
          if (!thread.stopped) throw e;
        });
      } finally {
        await thread.stop();
        await lock?.release();
      }
    },
  };
}
