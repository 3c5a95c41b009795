// PGlite runs in a worker thread: the service's event loop keeps answering while a statement computes, the session
// semantics (transactions, SQLSTATE codes) cross the thread unchanged, and a process that opens the store and ends
// without closing it still exits.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import type { Db } from '../src/store/db.js';
import { isDatabaseError, isUniqueViolation } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { PACKAGE_ROOT } from '../src/lib/paths.js';

// CPU-bound inside PostgreSQL: about a second and a half on an idle core, longer on a loaded one.
const LONG_STATEMENT = 'SELECT sum(length(md5(g::text))) AS n FROM generate_series(1, 600000) g';

describe('PGlite in its own thread', () => {
  let db: Db;
  let srv: RunningServer;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory' });
    srv = await startServer({ db, port: 0, logger: pino({ level: 'silent' }), keysDir: mkdtempSync(path.join(tmpdir(), 'microcred-thread-keys-')) });
  });
  afterAll(async () => {
    await srv?.close();
    await db?.close();
  });

  it('the service answers /healthz while PGlite runs a long statement', async () => {
    let finished = false;
    const long = db.query<{ n: string }>(LONG_STATEMENT).then((r) => {
      finished = true;
      return r;
    });
    // Sequential round trips over real HTTP to the server of this same process: each needs its event loop. With
    // PGlite on that thread, none could be answered before the statement ended.
    const answeredDuring: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${srv.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      answeredDuring.push(!finished);
    }
    expect(answeredDuring).toEqual([true, true, true]);
    expect(Number((await long).rows[0]?.n)).toBe(
      // Σ length(md5(...)) = 32 per row
      32 * 600000,
    );
  });

  it('a transaction is one session: its statements see each other, an error rolls all of it back, other statements wait', async () => {
    await db.exec('CREATE TABLE thread_t (k text PRIMARY KEY, v int NOT NULL)');
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(42)');
      await tx.query("INSERT INTO thread_t VALUES ('a', 1)");
      // Sent while the transaction is open: runs after COMMIT, so it sees the row.
      outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM thread_t').then((r) => order.push(`outside saw ${r.rows[0]?.n}`));
      const seen = await tx.query<{ v: number }>("SELECT v FROM thread_t WHERE k = 'a'");
      order.push(`inside saw ${seen.rows[0]?.v}`);
    });
    await outside;
    expect(order).toEqual(['inside saw 1', 'outside saw 1']);

    const failure = await db
      .transaction(async (tx) => {
        await tx.query("INSERT INTO thread_t VALUES ('b', 2)");
        await tx.query("INSERT INTO thread_t VALUES ('a', 3)");
      })
      .catch((e: unknown) => e);
    expect(isDatabaseError(failure)).toBe(true);
    expect(isUniqueViolation(failure, 'thread_t_pkey')).toBe(true);
    expect((failure as { code?: string }).code).toBe('23505');
    expect((await db.query<{ k: string }>('SELECT k FROM thread_t ORDER BY k')).rows).toEqual([{ k: 'a' }]);

    // The session is usable after a failed statement, and a thrown error in fn rolls back too.
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO thread_t VALUES ('c', 4)");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.query('SELECT k FROM thread_t ORDER BY k')).rows).toEqual([{ k: 'a' }]);
    // Values cross the thread with their types.
    const row = (await db.query<{ b: Uint8Array; t: Date; j: unknown }>(`SELECT '\\x0102'::bytea AS b, now() AS t, '{"x":[1]}'::jsonb AS j`)).rows[0];
    expect(row?.b).toEqual(new Uint8Array([1, 2]));
    expect(row?.t).toBeInstanceOf(Date);
    expect(row?.j).toEqual({ x: [1] });
  });
});

it('a process that opens PGlite and ends without closing it exits (the worker thread does not hold it open)', { timeout: 60_000 }, async () => {
  const openJs = path.join(PACKAGE_ROOT, 'dist', 'store', 'open.js');
  const script = `const { openDb } = await import(${JSON.stringify(openJs)}); const db = await openDb({ dataDir: 'memory', migrate: false }); console.log((await db.query('SELECT 7 AS n')).rows[0].n);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 45_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  expect(out.trim()).toBe('7');
  expect(code).toBe(0);
});
