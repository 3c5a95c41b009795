/**
 * The worker thread that runs one embedded PostgreSQL (PGlite): WebAssembly that computes for as long as a statement
 * takes, so it runs here and the service's thread keeps answering meanwhile. It owns nothing but the PGlite instance;
 * the main thread holds the data directory lock and the cluster template cache (see `pglite.ts`), and speaks to it
 * with the messages below. One PGlite is one session: statements run one at a time in the order they arrive, and an
 * open transaction holds the session until it ends, as PGlite itself enforces.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { LOCK_FILE } from './dir-lock.js';

/** What the main thread gives a new worker. */
export interface PgliteWorkerData {
  /** Data directory (absent: in memory). */
  dataDir?: string;
  /** A dump of the empty cluster to start from instead of running initdb (the directory is fresh). */
  template?: Uint8Array;
  /** Dump the fresh cluster after initdb and send it back (to be the template of later fresh databases). */
  dumpTemplate?: boolean;
  /** PGlite's compiled WebAssembly and file-system bundle (shared by every thread of the process). */
  pgliteWasmModule?: WebAssembly.Module;
  initdbWasmModule?: WebAssembly.Module;
  fsBundle?: Uint8Array;
}

/** Main thread → worker. `tx` names an open transaction; without it the statement runs on its own. */
export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** The fields of a failed statement that cross back: names and codes and PostgreSQL's own texts. */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, string>;
}

/** Worker → main thread. */
export type PgliteResponse =
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number }
  | { id: number; ok: false; error: SerializedError }
  | { id: 0; ready: true; templateRejected: boolean; dump?: Uint8Array }
  | { id: 0; ready: false; error: SerializedError };

// Own string properties of pg's and PGlite's DatabaseError worth carrying: SQLSTATE and where it came from. Not
// PGlite's `query` and `params` (the caller has them, and they can hold data).
const ERROR_FIELDS = ['code', 'severity', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'];

function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, string> = {};
  for (const k of ERROR_FIELDS) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string') fields[k] = v;
  }
  return { name: e.name, message: e.message, fields };
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

async function createPglite(data: PgliteWorkerData): Promise<{ pg: PGlite; templateRejected: boolean }> {
  const { dataDir, template } = data;
  const shared = {
    ...(data.pgliteWasmModule ? { pgliteWasmModule: data.pgliteWasmModule } : {}),
    ...(data.initdbWasmModule ? { initdbWasmModule: data.initdbWasmModule } : {}),
    ...(data.fsBundle ? { fsBundle: new Blob([data.fsBundle as Uint8Array<ArrayBuffer>]) } : {}),
  };
  let templateRejected = false;
  if (template) {
    try {
      return { pg: await PGlite.create({ ...shared, ...(dataDir ? { dataDir } : {}), loadDataDir: new Blob([template as Uint8Array<ArrayBuffer>]) }), templateRejected };
    } catch {
      // A damaged template: start again from initdb (in a directory that was empty before).
      templateRejected = true;
      if (dataDir) {
        for (const entry of await readdir(dataDir)) {
          if (entry !== LOCK_FILE) await rm(path.join(dataDir, entry), { recursive: true, force: true });
        }
      }
    }
  }
  return { pg: await PGlite.create({ ...shared, ...(dataDir ? { dataDir } : {}) }), templateRejected };
}

type Tx = { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>; exec(sql: string): Promise<unknown> };

async function serve(port: NonNullable<typeof parentPort>, data: PgliteWorkerData): Promise<void> {
  let pg: PGlite;
  try {
    const created = await createPglite(data);
    pg = created.pg;
    keepLeadingBoms(pg);
    const dump = data.dumpTemplate && !created.templateRejected ? new Uint8Array(await (await pg.dumpDataDir('gzip')).arrayBuffer()) : undefined;
    port.postMessage({ id: 0, ready: true, templateRejected: created.templateRejected, ...(dump ? { dump } : {}) } satisfies PgliteResponse, dump ? [dump.buffer] : []);
  } catch (e) {
    port.postMessage({ id: 0, ready: false, error: serializeError(e) } satisfies PgliteResponse);
    return;
  }

  const open = new Map<number, { tx: Tx; end(commit: boolean): void }>();
  const session = (tx: number | undefined): Tx => {
    if (tx === undefined) return pg as unknown as Tx;
    const t = open.get(tx)?.tx;
    if (!t) throw new Error('Transaction is closed');
    return t;
  };
  const rollback = Symbol('rollback');

  const handle = async (req: PgliteRequest): Promise<{ rows?: unknown[]; rowCount?: number }> => {
    switch (req.op) {
      case 'query': {
        const res = await session(req.tx).query(req.sql, req.params);
        return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
      }
      case 'exec':
        await session(req.tx).exec(req.sql);
        return {};
      case 'begin': {
        // PGlite's transaction(): BEGIN once the session is free, COMMIT when the callback resolves, ROLLBACK when
        // it throws. The callback waits for the main thread's 'end'; its settling answers that 'end'.
        let began!: () => void;
        const started = new Promise<void>((resolve) => (began = resolve));
        const ended = pg.transaction(async (tx) => {
          let end!: (commit: boolean) => void;
          const decided = new Promise<boolean>((resolve) => (end = resolve));
          open.set(req.tx, { tx: tx as unknown as Tx, end });
          began();
          const commit = await decided;
          open.delete(req.tx);
          if (!commit) throw rollback;
        });
        ends.set(req.tx, ended);
        try {
          await Promise.race([started, ended]);
        } catch (e) {
          ends.delete(req.tx); // BEGIN failed: there is nothing to end
          throw e;
        }
        return {};
      }
      case 'end': {
        const ended = ends.get(req.tx);
        ends.delete(req.tx);
        open.get(req.tx)?.end(req.commit);
        if (!ended) throw new Error('Transaction is closed');
        try {
          await ended;
        } catch (e) {
          if (e !== rollback) throw e;
        }
        return {};
      }
      case 'close':
        await pg.close();
        return {};
    }
  };
  const ends = new Map<number, Promise<void>>();

  port.on('message', (req: PgliteRequest) => {
    handle(req).then(
      (out) => port.postMessage({ id: req.id, ok: true, ...out } satisfies PgliteResponse),
      (e: unknown) => port.postMessage({ id: req.id, ok: false, error: serializeError(e) } satisfies PgliteResponse),
    );
  });
}

if (parentPort) void serve(parentPort, workerData as PgliteWorkerData);
