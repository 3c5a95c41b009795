import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/store/open.js';
import { readdirSync } from 'node:fs';
import { migrate, MIGRATIONS_DIR } from '../src/store/migrate.js';
import type { Db } from '../src/store/db.js';
import { insertIssuer } from '../src/store/issuers.js';
import { allocateStatusIndex, countAllocation, getStatusList, listStatusLists, setStatusBit, MIN_STATUS_LIST_SIZE } from '../src/store/status-lists.js';
import { findApiKey, hashToken, insertApiKey } from '../src/store/api-keys.js';
import { listAudit, recordAudit } from '../src/store/audit.js';
import { decodeStatusList, encodeStatusList, getBit } from '../src/status/bitstring.js';
import { createTestDatabase, postgresUnavailable } from '../src/service/testing.js';

const profile = { name: 'Test University', url: 'https://test.example/', country: 'United Kingdom', countryCode: 'GB' };
let issuerCounter = 0;

async function newIssuer(db: Db): Promise<string> {
  const slug = `store-${Date.now().toString(36)}-${issuerCounter++}`;
  await insertIssuer(db, { slug, did: `did:web:test.example:issuers:${slug}`, profile, keysDir: '/nonexistent' });
  return slug;
}

function storeSuite(name: string, open: () => Promise<{ db: Db; cleanup: () => Promise<void> }>, openSecond?: () => Promise<Db>): void {
  describe(name, () => {
    let db: Db;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('records applied migrations and applies nothing twice', async () => {
      const versions = (await db.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version);
      expect(versions).toContain('001_init');
      expect(await migrate(db)).toEqual([]);
    });

    if (openSecond) {
      it('two processes migrating one fresh database at once: one applies, the other waits and finds nothing to do', async () => {
        const [a, b] = [await openSecond(), await openSecond()];
        try {
          const results = await Promise.all([migrate(a), migrate(b)]);
          const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;
          expect(results.map((r) => r.length).sort()).toEqual([0, files]);
        } finally {
          await a.close();
          await b.close();
        }
      });
    }

    it('allocates distinct random indexes and counts them; a rolled-back issuance leaves no used index', async () => {
      const slug = await newIssuer(db);
      const indexes: number[] = [];
      for (let i = 0; i < 40; i++) {
        indexes.push(
          await db.transaction(async (tx) => {
            const a = await allocateStatusIndex(tx, slug, `urn:test:${slug}:${i}`);
            await countAllocation(tx, a.listId);
            return a.index;
          }),
        );
      }
      expect(new Set(indexes).size).toBe(40);
      expect(indexes.every((i) => i >= 0 && i < MIN_STATUS_LIST_SIZE)).toBe(true);
      // Random, not sequential: 40 sorted sequential draws would span 39.
      expect(Math.max(...indexes) - Math.min(...indexes)).toBeGreaterThan(1000);
      await expect(
        db.transaction(async (tx) => {
          await allocateStatusIndex(tx, slug, 'urn:test:rolled-back');
          throw new Error('signing failed');
        }),
      ).rejects.toThrow('signing failed');
      const rows = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM status_allocations a JOIN status_lists l ON l.id = a.list_id WHERE l.issuer_slug = $1',
        [slug],
      );
      expect(rows.rows[0]?.n).toBe(40);
      const lists = await listStatusLists(db, slug);
      expect(lists).toEqual([{ seq: 1, size: MIN_STATUS_LIST_SIZE, used: 40, isFull: false }]);
    });

    it('concurrent allocations on one list never share an index', async () => {
      const slug = await newIssuer(db);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          db.transaction(async (tx) => {
            const a = await allocateStatusIndex(tx, slug, `urn:test:${slug}:c${i}`);
            await countAllocation(tx, a.listId);
            return `${a.seq}/${a.index}`;
          }),
        ),
      );
      expect(new Set(results).size).toBe(200);
      expect(await listStatusLists(db, slug)).toEqual([{ seq: 1, size: MIN_STATUS_LIST_SIZE, used: 200, isFull: false }]);
    });

    it('starts a new list when the current one reaches its capacity', async () => {
      const slug = await newIssuer(db);
      const seqs: number[] = [];
      for (let i = 0; i < 7; i++) {
        seqs.push(
          await db.transaction(async (tx) => {
            const a = await allocateStatusIndex(tx, slug, `urn:test:${slug}:${i}`, { capacity: 3 });
            await countAllocation(tx, a.listId);
            return a.seq;
          }),
        );
      }
      expect(seqs).toEqual([1, 1, 1, 2, 2, 2, 3]);
    });

    it('finds the last free index of a nearly full list, then starts the next list', async () => {
      const slug = await newIssuer(db);
      const first = await db.transaction(async (tx) => allocateStatusIndex(tx, slug, `urn:test:${slug}:first`));
      const free = 77_777;
      // Fill every other index directly.
      await db.query(
        `INSERT INTO status_allocations (list_id, idx, credential_id)
         SELECT $1::int, i, 'urn:fill:' || $1::int || ':' || i FROM generate_series(0, $2::int - 1) AS s(i) WHERE i <> $3 AND i <> $4`,
        [first.listId, MIN_STATUS_LIST_SIZE, free, first.index],
      );
      const last = await db.transaction(async (tx) => allocateStatusIndex(tx, slug, `urn:test:${slug}:last`));
      expect(last).toMatchObject({ seq: 1, index: free });
      const next = await db.transaction(async (tx) => allocateStatusIndex(tx, slug, `urn:test:${slug}:next`));
      expect(next.seq).toBe(2);
      expect((await listStatusLists(db, slug)).map((l) => l.isFull)).toEqual([true, false]);
    });

    it('sets and clears status bits MSB-first, as Bitstring Status List numbers them', async () => {
      const slug = await newIssuer(db);
      const a = await db.transaction(async (tx) => allocateStatusIndex(tx, slug, `urn:test:${slug}:bits`));
      for (const i of [0, 9, 23, 131_071]) await setStatusBit(db, a.listId, 'revocation', i, true);
      await setStatusBit(db, a.listId, 'suspension', 5, true);
      await setStatusBit(db, a.listId, 'revocation', 9, false);
      const list = (await getStatusList(db, slug, 1))!;
      expect(list.revocation[0]).toBe(0b1000_0000);
      expect(list.revocation[2]).toBe(0b0000_0001);
      expect(list.suspension[0]).toBe(0b0000_0100);
      const decoded = await decodeStatusList(await encodeStatusList(list.revocation));
      const set = [0, 9, 23, 131_071].filter((i) => getBit(decoded, i));
      expect(set).toEqual([0, 23, 131_071]);
    });

    it('stores only the hash of an API key token', async () => {
      const slug = await newIssuer(db);
      const { token, id } = await insertApiKey(db, { issuerSlug: slug, scopes: ['read', 'issue'] });
      expect(token).toMatch(/^mcred_[A-Za-z0-9_-]{43}$/);
      const row = (await db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [id])).rows[0]!;
      expect(JSON.stringify(row)).not.toContain(token);
      expect(row.token_hash).toBe(hashToken(token));
      expect(await findApiKey(db, token)).toMatchObject({ id, issuerSlug: slug, scopes: ['read', 'issue'] });
      expect(await findApiKey(db, `${token}x`)).toBeUndefined();
    });

    it('writes nothing when a transaction fails', async () => {
      const slug = await newIssuer(db);
      await expect(
        db.transaction(async (tx) => {
          await recordAudit(tx, { actor: 'test', issuerSlug: slug, action: 'x.y' });
          await tx.query('SELECT * FROM no_such_table');
        }),
      ).rejects.toThrow();
      await recordAudit(db, { actor: 'test', issuerSlug: slug, action: 'credential.revoke', target: 'urn:x', reason: 'because' });
      expect(await listAudit(db, { issuerSlug: slug })).toMatchObject([{ actor: 'test', action: 'credential.revoke', target: 'urn:x', reason: 'because' }]);
    });
  });
}

storeSuite('store on PGlite (in memory)', async () => {
  const db = await openDb({ dataDir: 'memory' });
  return { db, cleanup: () => db.close() };
});

const pgReason = await postgresUnavailable();
if (pgReason) {
  describe('store on PostgreSQL', () => {
    it.skip(`skipped: ${pgReason}`, () => {});
  });
} else {
  let fresh: { url: string; drop(): Promise<void> } | undefined;
  storeSuite(
    'store on PostgreSQL',
    async () => {
      const tmp = await createTestDatabase();
      const db = await openDb({ databaseUrl: tmp.url });
      return {
        db,
        cleanup: async () => {
          await db.close();
          await tmp.drop();
          await fresh?.drop();
        },
      };
    },
    async () => {
      fresh ??= await createTestDatabase();
      return openDb({ databaseUrl: fresh.url, migrate: false });
    },
  );
}
