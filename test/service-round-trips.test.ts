// How many SQL statements an HTTP issuance costs, counted on the database handle the service uses, on PGlite and
// PostgreSQL: the record read and the write, nothing else per request (the API key cached, the status index claimed
// ahead); no statement of a request writes the status list row; and API keys: a revocation in the process takes
// effect at once, one made elsewhere within the cache's time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/service/admin.js';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import { API_KEY_CACHE_MS, findApiKeyCached, hashToken } from '../src/store/api-keys.js';
import type { Db, Queryable } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { recordMinimal } from './http-helpers.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';

interface Counted {
  /** Statements outside transactions, in order. */
  statements: string[];
  /** Transactions, with their statements. */
  transactions: string[][];
}

/** The database handle, counting what runs through it. */
function counting(real: Db, seen: Counted): Db {
  const inTx = (tx: Queryable, list: string[]): Queryable => ({
    query: (sql, params) => (list.push(sql), tx.query(sql, params)),
    exec: (sql) => (list.push(sql), tx.exec(sql)),
  });
  return {
    kind: real.kind,
    query: (sql, params) => (seen.statements.push(sql), real.query(sql, params)),
    exec: (sql) => (seen.statements.push(sql), real.exec(sql)),
    transaction: (fn) => {
      const list: string[] = [];
      seen.transactions.push(list);
      return real.transaction((tx) => fn(inTx(tx, list)));
    },
    close: () => real.close(),
  };
}

const pgReason = await postgresUnavailable();
const backends: { name: string; skip?: string; open: () => Promise<{ db: Db; drop: () => Promise<void> }> }[] = [
  { name: 'PGlite', open: async () => ({ db: await openDb({ dataDir: 'memory' }), drop: async () => {} }) },
  {
    name: 'PostgreSQL',
    ...(pgReason ? { skip: pgReason } : {}),
    open: async () => {
      const tmp = await createTestDatabase();
      const db = await openDb({ databaseUrl: tmp.url });
      return { db, drop: async () => (await db.close().catch(() => {}), await tmp.drop()) };
    },
  },
];

for (const backend of backends) {
  (backend.skip ? describe.skip : describe)(`HTTP issuance round trips on ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`, () => {
    let real: Db;
    let drop: () => Promise<void>;
    let srv: RunningServer;
    let token: string;
    const seen: Counted = { statements: [], transactions: [] };
    beforeAll(async () => {
      ({ db: real, drop } = await backend.open());
      // No job worker: its polling would share the counted handle; these tests count what an issuance costs.
      srv = await startServer({ db: counting(real, seen), port: 0, exampleIssuer: true, publicUrl: 'https://credentials.test', logLevel: 'silent', jobWorker: false });
      token = (await createApiKey(real, { issuer: 'example', scopes: ['issue', 'admin'] })).token;
    }, 60_000);
    afterAll(async () => {
      await srv?.close().catch(() => {});
      await drop?.();
    });

    const issue = (i: number, format = 'jwt', key = token) =>
      fetch(`${srv.url}/issuers/example/credentials?format=${format}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...recordMinimal, recordId: `RT-${format}-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` } }),
      });
    const reset = (): void => {
      seen.statements.length = 0;
      seen.transactions.length = 0;
    };

    it('a first issuance runs two statements of its own (the record read, the write) and writes no status list row', { timeout: 60_000 }, async () => {
      expect((await issue(0)).status).toBe(201); // the API key is now cached
      for (const format of ['jwt', 'di']) {
        reset();
        const res = await issue(1, format);
        expect(res.status).toBe(201);
        expect(seen.statements).toHaveLength(2);
        expect(seen.statements[0]).toMatch(/FROM credentials/);
        expect(seen.statements[1]).toMatch(/INSERT INTO credentials/);
        expect(seen.statements.some((s) => /UPDATE status_lists/.test(s))).toBe(false);
        // The index came from the reserve: at most one claim transaction (an idle reserve holds nothing spare).
        expect(seen.transactions.length).toBeLessThanOrEqual(1);
      }
    });

    it('under load the claims come in chunks: at most half as many claim transactions as issuances, two statements each', { timeout: 120_000 }, async () => {
      reset();
      const n = 64;
      let next = 100;
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 100 + n) statuses.push((await issue(next++)).status);
        }),
      );
      expect(statuses.filter((s) => s === 201)).toHaveLength(n);
      // The API key is looked up again once its cache time has passed (a few seconds; a loaded machine is slow).
      const keyLookups = seen.statements.filter((q) => /FROM api_keys/.test(q)).length;
      expect(keyLookups, "API key look-ups").toBeLessThanOrEqual(n / 4);
      const own = seen.statements.filter((q) => !/FROM api_keys/.test(q));
      expect(own.filter((q) => !/^\s*(WITH ex AS|WITH cur AS)/.test(q))).toEqual([]);
      expect(own).toHaveLength(2 * n);
      // (Chunks follow the rate: the first few of a quiet issuer are single claims.)
      expect(seen.transactions.length, "claim transactions").toBeLessThanOrEqual(n / 2);
      const stats = (
        await real.query<{ credentials: number; used: number }>(
          `SELECT (SELECT count(*)::int FROM credentials WHERE issuer_slug = 'example') AS credentials,
                  (SELECT coalesce(sum(used), 0)::int FROM status_lists WHERE issuer_slug = 'example') AS used`,
        )
      ).rows[0];
      // Spare claims beyond the stored credentials: at most one chunk.
      expect((stats?.used ?? 0) - (stats?.credentials ?? 0)).toBeLessThanOrEqual(32);
    });

    it('a retry of an issued record answers its credential with one statement of its own and claims nothing', async () => {
      reset();
      const res = await issue(1, 'jwt');
      expect(res.status).toBe(200);
      expect(seen.statements.length).toBeLessThanOrEqual(2);
      expect(seen.transactions).toHaveLength(0);
    });

    it('an API key revoked through the service is refused at once by the same process', async () => {
      const other = await createApiKey(real, { issuer: 'example', scopes: ['issue'] });
      expect((await issue(500, 'jwt', other.token)).status).toBe(201);
      const revoke = await fetch(`${srv.url}/issuers/example/api-keys/${other.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect(revoke.status).toBeLessThan(300);
      expect((await issue(501, 'jwt', other.token)).status).toBe(401);
    });

    it('an API key revoked by another process is refused after the cache time at the latest', async () => {
      const other = await createApiKey(real, { issuer: 'example', scopes: ['issue'] });
      let now = 1_000_000;
      const clock = { now: () => now };
      expect((await findApiKeyCached(real, other.token, clock))?.id).toBe(other.id);
      // Another process revokes it: only the database changes.
      await real.query('UPDATE api_keys SET revoked_at = now() WHERE token_hash = $1', [hashToken(other.token)]);
      now += API_KEY_CACHE_MS - 1;
      expect((await findApiKeyCached(real, other.token, clock))?.id).toBe(other.id);
      now += 1;
      expect(await findApiKeyCached(real, other.token, clock)).toBeUndefined();
    });
  });
}
