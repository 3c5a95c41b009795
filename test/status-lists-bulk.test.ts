// Bulk status index allocation: distinct random indexes across lists as they fill, the same indexes for the same
// credential ids when a chunk runs again, and indexes handed back when their credential was not stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.js';
import { insertIssuer } from '../src/store/issuers.js';
import { openDb } from '../src/store/open.js';
import { allocateStatusIndex } from '../src/store/status-lists.js';
import { allocateStatusIndexes, releaseStatusIndexes } from '../src/store/status-lists-bulk.js';

const profile = { name: 'Test University', url: 'https://test.example/', country: 'United Kingdom', countryCode: 'GB' };

describe('bulk status index allocation (PGlite)', () => {
  let db: Db;
  let n = 0;
  const issuer = async (): Promise<string> => {
    const slug = `bulk-alloc-${n++}`;
    await insertIssuer(db, { slug, did: `did:web:test.example:issuers:${slug}`, profile, keysDir: '/nonexistent' });
    return slug;
  };
  const lists = async (slug: string): Promise<{ seq: number; used: number; is_full: boolean; n: number }[]> =>
    (
      await db.query<{ seq: number; used: number; is_full: boolean; n: number }>(
        `SELECT l.seq, l.used, l.is_full, (SELECT count(*)::int FROM status_allocations a WHERE a.list_id = l.id) AS n
           FROM status_lists l WHERE issuer_slug = $1 ORDER BY seq`,
        [slug],
      )
    ).rows;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory' });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('fills a list to its capacity and goes on in the next, with distinct indexes and counts in step', async () => {
    const slug = await issuer();
    const ids = Array.from({ length: 120 }, (_, i) => `urn:test:${slug}:${i}`);
    const got = await db.transaction((tx) => allocateStatusIndexes(tx, slug, ids, { capacity: 50 }));
    expect(got.size).toBe(120);
    const keys = new Set([...got.values()].map((a) => `${a.listId}/${a.index}`));
    expect(keys.size).toBe(120);
    expect([...got.values()].every((a) => a.index >= 0 && a.index < 131072)).toBe(true);
    expect(await lists(slug)).toEqual([
      { seq: 1, used: 50, is_full: true, n: 50 },
      { seq: 2, used: 50, is_full: true, n: 50 },
      { seq: 3, used: 20, is_full: false, n: 20 },
    ]);
    // the single path continues in the current list
    const single = await db.transaction((tx) => allocateStatusIndex(tx, slug, `urn:test:${slug}:single`, { capacity: 50 }));
    expect(single.seq).toBe(3);
  });

  it('the same credential ids again (a chunk run a second time) get the same indexes and count nothing more', async () => {
    const slug = await issuer();
    const ids = Array.from({ length: 30 }, (_, i) => `urn:test:${slug}:${i}`);
    const first = await db.transaction((tx) => allocateStatusIndexes(tx, slug, ids.slice(0, 20)));
    const second = await db.transaction((tx) => allocateStatusIndexes(tx, slug, ids));
    for (const id of ids.slice(0, 20)) expect(second.get(id)).toEqual(first.get(id));
    expect(second.size).toBe(30);
    expect(await lists(slug)).toEqual([{ seq: 1, used: 30, is_full: false, n: 30 }]);
  });

  it('releases indexes without a credential and uncounts them', async () => {
    const slug = await issuer();
    const ids = Array.from({ length: 10 }, (_, i) => `urn:test:${slug}:${i}`);
    await db.transaction((tx) => allocateStatusIndexes(tx, slug, ids));
    expect(await db.transaction((tx) => releaseStatusIndexes(tx, ids.slice(0, 4)))).toBe(4);
    expect(await lists(slug)).toEqual([{ seq: 1, used: 6, is_full: false, n: 6 }]);
    expect(await db.transaction((tx) => releaseStatusIndexes(tx, ids.slice(0, 4)))).toBe(0);
  });

  it('a nearly full list: the last free indexes are found, then the next list starts', async () => {
    const slug = await issuer();
    // Fill a list of the minimum size but for 3 entries, in one statement, then ask for 5.
    await db.transaction((tx) => allocateStatusIndexes(tx, slug, ['urn:seed']));
    const list = (await db.query<{ id: number }>('SELECT id FROM status_lists WHERE issuer_slug = $1', [slug])).rows[0] as { id: number };
    const seeded = await db.query<{ idx: number }>('SELECT idx FROM status_allocations WHERE list_id = $1', [list.id]);
    const taken = Number(seeded.rows[0]?.idx);
    await db.query(
      `INSERT INTO status_allocations (list_id, idx, credential_id)
       SELECT $1, s.i, 'urn:fill:' || s.i FROM generate_series(0, 131071) s(i) WHERE s.i <> $2 AND s.i NOT IN (7, 70000, 131071)`,
      [list.id, taken],
    );
    await db.query('UPDATE status_lists SET used = 131069 WHERE id = $1', [list.id]);
    const got = await db.transaction((tx) => allocateStatusIndexes(tx, slug, ['a', 'b', 'c', 'd', 'e']));
    const inFirst = [...got.values()].filter((a) => a.seq === 1).map((a) => a.index).sort((x, y) => x - y);
    expect(inFirst).toEqual([7, 70000, 131071]);
    expect([...got.values()].filter((a) => a.seq === 2).length).toBe(2);
    const l = await lists(slug);
    expect(l.map((x) => [x.seq, x.used, x.is_full])).toEqual([
      [1, 131072, true],
      [2, 2, false],
    ]);
  });
});

describe('bulk status index allocation: a credential id another issuer holds', () => {
  it('is an error, not an endless search for a free index', async () => {
    const db = await openDb({ dataDir: 'memory' });
    try {
      for (const slug of ['one', 'two']) await insertIssuer(db, { slug, did: `did:web:test.example:issuers:${slug}`, profile, keysDir: '/nonexistent' });
      await db.transaction((tx) => allocateStatusIndexes(tx, 'one', ['urn:shared']));
      await expect(db.transaction((tx) => allocateStatusIndexes(tx, 'two', ['urn:fresh', 'urn:shared']))).rejects.toThrow(/another issuer/);
      const lists = await db.query('SELECT 1 FROM status_lists WHERE issuer_slug = $1', ['two']);
      expect(lists.rows.length).toBe(0);
    } finally {
      await db.close();
    }
  });
});
