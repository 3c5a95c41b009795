// Status list creation and index claims under concurrency (several connections, and on PostgreSQL several
// databases handles as separate processes would have), on PGlite and PostgreSQL: exactly one list started at a
// time, lists never over their capacity, no index shared; and the per-process reserve of single issuances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.js';
import { insertIssuer } from '../src/store/issuers.js';
import { openDb } from '../src/store/open.js';
import { allocateStatusIndexes } from '../src/store/status-lists-bulk.js';
import { MIN_STATUS_LIST_SIZE } from '../src/store/status-lists.js';
import { StatusIndexReserve } from '../src/store/status-reserve.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';

const profile = { name: 'Test University', url: 'https://test.example/', country: 'United Kingdom', countryCode: 'GB' };
let counter = 0;

async function newIssuer(db: Db): Promise<string> {
  const slug = `reserve-${Date.now().toString(36)}-${counter++}`;
  await insertIssuer(db, { slug, did: `did:web:test.example:issuers:${slug}`, profile, keysDir: '/nonexistent' });
  return slug;
}

/** Every list of the issuer with its allocations counted from the claims themselves. */
async function lists(db: Db, slug: string): Promise<{ seq: number; used: number; claims: number; distinct: number; full: boolean }[]> {
  const res = await db.query<{ seq: number; used: number; claims: number; distinct: number; is_full: boolean }>(
    `SELECT l.seq, l.used, l.is_full, count(a.idx)::int AS claims, count(DISTINCT a.idx)::int AS distinct
       FROM status_lists l LEFT JOIN status_allocations a ON a.list_id = l.id WHERE l.issuer_slug = $1 GROUP BY l.id ORDER BY l.seq`,
    [slug],
  );
  return res.rows.map((r) => ({ seq: Number(r.seq), used: Number(r.used), claims: Number(r.claims), distinct: Number(r.distinct), full: r.is_full }));
}

function suite(name: string, open: () => Promise<{ dbs: Db[]; cleanup: () => Promise<void> }>): void {
  describe(name, () => {
    let dbs: Db[];
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ dbs, cleanup } = await open());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('concurrent first claims of a new issuer start exactly one list', { timeout: 60_000 }, async () => {
      const db = dbs[0] as Db;
      const slug = await newIssuer(db);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => (dbs[i % dbs.length] as Db).transaction((tx) => allocateStatusIndexes(tx, slug, [`urn:test:${slug}:${i}`]))),
      );
      expect(await lists(db, slug)).toEqual([{ seq: 1, used: 30, claims: 30, distinct: 30, full: false }]);
    });

    it('reserves of several processes under load: lists follow one another, each filled to its capacity, no index shared', { timeout: 60_000 }, async () => {
      const db = dbs[0] as Db;
      const slug = await newIssuer(db);
      const capacity = 5;
      const reserves = dbs.map((d) => new StatusIndexReserve(d, { capacity }));
      const taken = await Promise.all(Array.from({ length: 60 }, (_, i) => (reserves[i % reserves.length] as StatusIndexReserve).take(slug)));
      const slots = new Set(taken.map((t) => `${t.allocation.seq}/${t.allocation.index}`));
      expect(slots.size).toBe(60);
      expect(new Set(taken.map((t) => t.credentialId)).size).toBe(60);
      const after = await lists(db, slug);
      // Claimed ahead of need, in chunks: at least 60 claims, every list at most at its capacity, only the last one not full.
      expect(after.every((l) => l.claims === l.used && l.distinct === l.claims && l.used <= capacity)).toBe(true);
      expect(after.map((l) => l.seq)).toEqual(after.map((_, i) => i + 1));
      expect(after.slice(0, -1).every((l) => l.full && l.used === capacity)).toBe(true);
      expect(after.reduce((n, l) => n + l.claims, 0)).toBeGreaterThanOrEqual(60);
      // The indexes not used are handed back: what is left is exactly what was taken.
      await reserves[0]?.release(taken.slice(0, 10).map((t) => t.credentialId));
      for (const r of reserves) await r.close();
      const left = await lists(db, slug);
      expect(left.reduce((n, l) => n + l.claims, 0)).toBe(50);
      expect(left.every((l) => l.used === l.claims)).toBe(true);
      await expect(reserves[0]?.take(slug)).rejects.toThrow(/closed/);
    });

    it('an idle reserve claims one index at a time: nothing spare is held', async () => {
      const db = dbs[0] as Db;
      const slug = await newIssuer(db);
      const reserve = new StatusIndexReserve(db);
      const a = await reserve.take(slug);
      expect((await lists(db, slug))[0]).toMatchObject({ claims: 1, used: 1 });
      expect(a.allocation.index).toBeGreaterThanOrEqual(0);
      expect(a.allocation.index).toBeLessThan(MIN_STATUS_LIST_SIZE);
      await reserve.close();
    });
  });
}

suite('status list claims on PGlite (in memory)', async () => {
  const db = await openDb({ dataDir: 'memory' });
  return { dbs: [db], cleanup: () => db.close() };
});

const pgReason = await postgresUnavailable();
if (pgReason) {
  describe.skip(`status list claims on PostgreSQL (skipped: ${pgReason})`, () => {});
} else {
  suite('status list claims on PostgreSQL, three connection pools as three processes', async () => {
    const tmp = await createTestDatabase();
    const dbs = [await openDb({ databaseUrl: tmp.url })];
    for (let i = 0; i < 2; i++) dbs.push(await openDb({ databaseUrl: tmp.url, migrate: false }));
    return {
      dbs,
      cleanup: async () => {
        for (const d of dbs) await d.close().catch(() => {});
        await tmp.drop();
      },
    };
  });
}
