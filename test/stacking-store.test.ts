/**
 * The stacking tables on PGlite and on PostgreSQL (when MICROCRED_TEST_PG answers): parent courses created, changed
 * and unchanged in one statement; an exchange completed once even by concurrent presentations; expired exchanges
 * not found and cleaned up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { insertIssuer } from '../src/store/issuers.js';
import {
  completeStackingExchange,
  findStackingExchange,
  getParentCourse,
  insertStackingExchange,
  listParentCourses,
  setStackingChallenge,
  upsertParentCourse,
} from '../src/store/stacking-rules.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';

const profile = { name: 'Test University', url: 'https://test.example/', country: 'United Kingdom', countryCode: 'GB' };
let n = 0;
const uid = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;

function suite(name: string, open: () => Promise<{ db: Db; cleanup: () => Promise<void> }>): void {
  describe(name, () => {
    let db: Db;
    let cleanup: () => Promise<void>;
    let slug: string;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
      slug = uid('stack');
      await insertIssuer(db, { slug, did: `did:web:test.example:issuers:${slug}`, profile, keysDir: '/nonexistent' });
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('parent courses: created, unchanged for the same hash, changed otherwise', async () => {
      const base = { issuerSlug: slug, code: 'PC-1', actor: 'test' };
      const a = await upsertParentCourse(db, { ...base, rules: { title: 'A', totalCredits: 60 }, contentHash: 'h1' });
      expect(a.outcome).toBe('created');
      const same = await upsertParentCourse(db, { ...base, rules: { title: 'A', totalCredits: 60 }, contentHash: 'h1', actor: 'other' });
      expect([same.outcome, same.row.updatedBy]).toEqual(['unchanged', 'test']);
      const changed = await upsertParentCourse(db, { ...base, rules: { title: 'A', totalCredits: 90 }, contentHash: 'h2', actor: 'other' });
      expect([changed.outcome, changed.row.rules.totalCredits, changed.row.createdBy, changed.row.updatedBy]).toEqual(['changed', 90, 'test', 'other']);
      expect((await getParentCourse(db, slug, 'PC-1'))?.contentHash).toBe('h2');
      await upsertParentCourse(db, { ...base, code: 'PC-0', rules: { title: 'Z', totalCredits: 1 }, contentHash: 'h3' });
      expect((await listParentCourses(db, slug)).map((r) => r.code)).toEqual(['PC-0', 'PC-1']);
      expect(await getParentCourse(db, slug, 'PC-9')).toBeUndefined();
    });

    it('an exchange is completed once, even by presentations arriving together; then no new challenge', async () => {
      const id = uid('sx');
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      await insertStackingExchange(db, { id, walletHash: uid('w'), viewHash: uid('v'), rules: { title: 'R' }, expiresAt });
      expect(await setStackingChallenge(db, id, 'c1')).toBe(true);
      const done = (i: number) => completeStackingExchange(db, id, { challenge: 'one', challengeHash: 'c1', report: { met: true, i }, presentation: { type: ['VerifiablePresentation'] } });
      expect(await completeStackingExchange(db, id, { challenge: 'x', challengeHash: 'wrong', report: {}, presentation: {} })).toBe(false);
      const results = await Promise.all([done(1), done(2), done(3)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await setStackingChallenge(db, id, 'c2')).toBe(false);
      const row = (await db.query<{ state: string; challenge_hash: string | null; challenge: string }>('SELECT state, challenge_hash, challenge FROM stacking_exchanges WHERE id = $1', [id])).rows[0];
      expect(row).toEqual({ state: 'done', challenge_hash: null, challenge: 'one' });
    });

    it('expired exchanges are not found, and are deleted when new ones start', async () => {
      const old = uid('sx');
      const viewHash = uid('v');
      await insertStackingExchange(db, { id: old, walletHash: uid('w'), viewHash, rules: { title: 'R' }, expiresAt: new Date(Date.now() - 1000).toISOString() });
      expect(await findStackingExchange(db, 'view', viewHash)).toBeUndefined();
      await insertStackingExchange(db, { id: uid('sx'), walletHash: uid('w'), viewHash: uid('v'), rules: { title: 'R' }, expiresAt: new Date(Date.now() + 60_000).toISOString() });
      expect((await db.query('SELECT id FROM stacking_exchanges WHERE id = $1', [old])).rows).toEqual([]);
    });

    it('a parent course needs an issuer of this deployment', async () => {
      const other = uid('gone');
      await insertIssuer(db, { slug: other, did: `did:web:test.example:issuers:${other}`, profile, keysDir: '/nonexistent' });
      await upsertParentCourse(db, { issuerSlug: other, code: 'X', rules: { title: 'X' }, contentHash: 'h', actor: 't' });
      await expect(upsertParentCourse(db, { issuerSlug: uid('nobody'), code: 'X', rules: { title: 'X' }, contentHash: 'h', actor: 't' })).rejects.toThrow();
    });
  });
}

suite('stacking store on PGlite', async () => {
  const db = await openDb({ dataDir: 'memory' });
  return { db, cleanup: () => db.close() };
});

const pgReason = await postgresUnavailable();
if (pgReason) {
  describe('stacking store on PostgreSQL', () => {
    it.skip(`skipped: ${pgReason}`, () => {});
  });
} else {
  suite('stacking store on PostgreSQL', async () => {
    const tmp = await createTestDatabase();
    const db = await openDb({ databaseUrl: tmp.url });
    return { db, cleanup: async () => { await db.close(); await tmp.drop(); } };
  });
}
