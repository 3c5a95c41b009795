import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/store/open.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { MicrocredError } from '../src/errors.js';
import { LOCK_FILE, lockDirectory } from '../src/store/dir-lock.js';
import { parseTimestamp } from '../src/store/time.js';
import { migrate, MIGRATIONS_DIR } from '../src/store/migrate.js';
import type { Db, Queryable } from '../src/store/db.js';
import { insertIssuer } from '../src/store/issuers.js';
import { allocateStatusIndex, countAllocation, getStatusList, listStatusLists, setStatusBit, MIN_STATUS_LIST_SIZE } from '../src/store/status-lists.js';
import { findApiKey, hashToken, insertApiKey } from '../src/store/api-keys.js';
import { listAudit, recordAudit } from '../src/store/audit.js';
import { listCredentials } from '../src/store/credentials.js';
import { decodeStatusList, encodeStatusList, getBit } from '../src/status/bitstring.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';

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

    if (openSecond) {
      it('a list started by a concurrent transaction between our look-up and our insert is used, not followed by a second list', async () => {
        // The interleaving that made 'concurrent allocations' flaky, made deterministic: B finds no list, A creates
        // list 1 and commits, then B tries to start a list (B is held before it takes the list-start lock).
        const slug = await newIssuer(db);
        let reachedInsert!: () => void;
        const atInsert = new Promise<void>((r) => (reachedInsert = r));
        let releaseInsert!: () => void;
        const insertMayRun = new Promise<void>((r) => (releaseInsert = r));
        const gated = (tx: Queryable): Queryable => ({
          exec: (sql) => tx.exec(sql),
          query: async (sql, params) => {
            if (sql.includes('pg_advisory_xact_lock')) {
              reachedInsert();
              await insertMayRun;
            }
            return tx.query(sql, params);
          },
        });
        const b = db.transaction(async (tx) => {
          const a = await allocateStatusIndex(gated(tx), slug, `urn:test:${slug}:b`);
          await countAllocation(tx, a.listId);
          return a.seq;
        });
        await atInsert;
        const a = await db.transaction(async (tx) => {
          const x = await allocateStatusIndex(tx, slug, `urn:test:${slug}:a`);
          await countAllocation(tx, x.listId);
          return x.seq;
        });
        releaseInsert();
        expect([a, await b]).toEqual([1, 1]);
        expect(await listStatusLists(db, slug)).toEqual([{ seq: 1, size: MIN_STATUS_LIST_SIZE, used: 2, isFull: false }]);
      });
    }

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

    it('reads back exactly the text it stored, a leading U+FEFF included', async () => {
      const values = ['\uFEFFNBU-1', '\uFEFF\uFEFFNBU-1', '\uFEFF', 'NBU-1', 'a\uFEFF', `\uFEFF${'x'.repeat(40)}`];
      const direct = await db.query<{ v: string; w: string | null }>('SELECT v, NULL::text AS w FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n', [values]);
      expect(direct.rows.map((r) => r.v)).toEqual(values);
      expect(await db.transaction(async (tx) => (await tx.query<{ v: string }>('SELECT $1::text AS v', ['\uFEFFin-tx'])).rows[0]?.v)).toBe('\uFEFFin-tx');
      // Two targets that differ only by the BOM stay two.
      const slug = await newIssuer(db);
      await recordAudit(db, { actor: 'test', issuerSlug: slug, action: 'x.bom', target: '\uFEFFNBU-2' });
      await recordAudit(db, { actor: 'test', issuerSlug: slug, action: 'x.bom', target: 'NBU-2' });
      const targets = (await db.query<{ target: string }>('SELECT target FROM audit_log WHERE issuer_slug = $1 ORDER BY id', [slug])).rows.map((r) => r.target);
      expect(targets).toEqual(['\uFEFFNBU-2', 'NBU-2']);
    });

    it('lists audit entries newest first by time and numeric id, paged with a cursor', async () => {
      const slug = await newIssuer(db);
      // Ids that cross a power of ten (…98, 99, 100, 101…): as text, '99' sorts after '100'.
      const max = Number((await db.query<{ m: string }>('SELECT coalesce(max(id), 0)::text AS m FROM audit_log')).rows[0]?.m);
      const start = 10 ** String(max + 10).length - 4;
      await db.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), $1::bigint)`, [start]);
      // Six entries in one transaction share one time (now() is the transaction's start); six more after it.
      await db.transaction(async (tx) => {
        for (let i = 0; i < 6; i++) await recordAudit(tx, { actor: 'test', issuerSlug: slug, action: 'x.same-time', target: `t${i}` });
      });
      for (let i = 6; i < 12; i++) await recordAudit(db, { actor: 'test', issuerSlug: slug, action: 'x.later', target: `t${i}` });
      const all = (await listAudit(db, { issuerSlug: slug })).items;
      expect(all.map((e) => e.target)).toEqual(Array.from({ length: 12 }, (_, i) => `t${11 - i}`));
      expect(all.map((e) => Number(e.id))).toEqual([...all.map((e) => Number(e.id))].sort((a, b) => b - a));
      expect(all.some((e) => e.id.length !== (all[0] as { id: string }).id.length)).toBe(true);
      // Pages of 5 (the second one splits the entries that share a time) add up to the same list.
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listAudit(db, { issuerSlug: slug, limit: 5, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((e) => e.target as string));
        cursor = page.next;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(all.map((e) => e.target));
      expect((await listAudit(db, { issuerSlug: slug, target: 't3' })).items.map((e) => e.target)).toEqual(['t3']);
    });

    it('refuses cursors it did not hand out, impossible dates included', async () => {
      const slug = await newIssuer(db);
      const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
      for (const cursor of ['nonsense', forged(['2026-02-30T00:00:00.000000Z', '5']), forged(['2026-01-01T00:00:00Z', 'x']), forged(['2026-01-01T00:00:00Z', '5\u0000'])]) {
        await expect(listAudit(db, { issuerSlug: slug, cursor })).rejects.toThrow(RangeError);
      }
      for (const cursor of [forged(['2026-02-30T10:00:00.000Z', 'urn:x']), forged(['2026-01-01T10:00:00.000Z', 'urn:\u0000'])]) {
        await expect(listCredentials(db, { issuerSlug: slug, cursor })).rejects.toThrow(RangeError);
      }
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
      expect((await listAudit(db, { issuerSlug: slug })).items).toMatchObject([{ actor: 'test', action: 'credential.revoke', target: 'urn:x', reason: 'because' }]);
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

describe('data directory lock (the embedded database has one writer)', () => {
  const linux = existsSync('/proc/self/ns/pid');
  const dir = () => mkdtempSync(path.join(tmpdir(), 'microcred-lock-'));
  const owner = (over: Record<string, unknown>) => ({
    pid: process.pid,
    hostname: hostname(),
    ...(linux ? { bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), pidNamespace: readlinkSync('/proc/self/ns/pid') } : {}),
    acquiredAt: new Date().toISOString(),
    token: 'other',
    ...over,
  });
  const plant = (d: string, content: string, ageMs = 0) => {
    const file = path.join(d, LOCK_FILE);
    writeFileSync(file, content);
    const t = new Date(Date.now() - ageMs);
    utimesSync(file, t, t);
  };
  const deadPid = async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => child.once('exit', r));
    return child.pid as number;
  };

  it('a second open of one data directory fails with who holds it and what to do; close releases it', async () => {
    const d = dir();
    const db = await openDb({ dataDir: d });
    try {
      const second = await openDb({ dataDir: d }).then(() => undefined, (e: unknown) => e as MicrocredError);
      expect(second).toBeInstanceOf(MicrocredError);
      expect(second?.code).toBe('DATABASE_LOCKED');
      expect(second?.message).toMatch(/one process at a time/);
      expect(second?.message).toMatch(/admin API/);
      expect(second?.message).toMatch(/PostgreSQL/);
    } finally {
      await db.close();
    }
    expect(existsSync(path.join(d, LOCK_FILE))).toBe(false);
    await (await lockDirectory(d)).release();
  });

  it.skipIf(!linux)('takes over the lock of a dead process, and of a live PID that is another process now (PID reuse)', async () => {
    const dead = dir();
    plant(dead, JSON.stringify(owner({ pid: await deadPid(), processStart: '1' })));
    await (await lockDirectory(dead)).release();
    const reused = dir();
    // Our parent is alive, but it did not start at clock tick 1.
    plant(reused, JSON.stringify(owner({ pid: process.ppid, processStart: '1' })));
    await (await lockDirectory(reused)).release();
    const live = dir();
    const start = readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
    plant(live, JSON.stringify(owner({ pid: process.ppid, processStart: start })));
    await expect(lockDirectory(live)).rejects.toMatchObject({ code: 'DATABASE_LOCKED', message: expect.stringContaining(`process ${process.ppid}`) });
  });

  it('a holder it cannot check (another container or host) holds while its heartbeat is fresh, and is stale after', async () => {
    const d = dir();
    plant(d, JSON.stringify(owner({ pid: 1, hostname: 'other-container', pidNamespace: 'pid:[1]' })));
    await expect(lockDirectory(d)).rejects.toMatchObject({ code: 'DATABASE_LOCKED', message: expect.stringMatching(/on other-container.*expires within \d+ s/s) });
    plant(d, JSON.stringify(owner({ pid: 1, hostname: 'other-container', pidNamespace: 'pid:[1]' })), 60_000);
    await (await lockDirectory(d)).release();
    // An unreadable lock file: held while fresh, stale when old.
    plant(d, 'garbage');
    await expect(lockDirectory(d)).rejects.toMatchObject({ code: 'DATABASE_LOCKED' });
    plant(d, 'garbage', 60_000);
    await (await lockDirectory(d)).release();
  });

  it('a holder whose lock was taken over refuses further work', async () => {
    const d = dir();
    const lock = await lockDirectory(d, { heartbeatMs: 20 });
    expect(() => lock.check()).not.toThrow();
    plant(d, JSON.stringify(owner({ token: 'usurper' })));
    await new Promise((r) => setTimeout(r, 200));
    expect(() => lock.check()).toThrow(/lost its lock/);
    await lock.release();
    expect(readFileSync(path.join(d, LOCK_FILE), 'utf8')).toContain('usurper');
  });
});

describe('timestamps given to the store', () => {
  it('are ISO 8601 dates or date-times of real days and times, made explicit (UTC when no offset)', () => {
    expect(parseTimestamp('2024-02-29')).toBe('2024-02-29T00:00:00Z');
    expect(parseTimestamp('2000-02-29T23:59:59.999999+01:00')).toBe('2000-02-29T23:59:59.999999+01:00');
    expect(parseTimestamp('2026-06-19 10:30+0530')).toBe('2026-06-19T10:30:00+05:30');
    for (const bad of ['2026-02-30', '2023-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '0000-01-01', '2026-01-01T24:00:00Z', '2026-01-01T10:60Z', '2026-01-01T10:30+16', 'last-week', '2026-1-1']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });
});
