// Two service processes sharing one PostgreSQL issue >= 2,000 credentials concurrently: every status index distinct,
// every credential stored exactly once, every stored credential verifies.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { createApp } from '../src/service/app.js';
import { createTestDatabase, postgresUnavailable, spawnServiceProcess } from './support/testing.js';
import { openDb } from '../src/store/open.js';
import { MAX_CHUNK } from '../src/store/status-reserve.js';
import { verify } from '../src/verify/verify.js';
import { profile, recordMinimal } from './http-helpers.js';

const TOTAL = 2000;
const PER_SERVER_CONCURRENCY = 12;
const reason = await postgresUnavailable();

describe.skipIf(reason)(`two service processes on one PostgreSQL${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it(`issue ${TOTAL} credentials concurrently without index reuse or duplicates`, { timeout: 300_000 }, async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const db = await openDb({ databaseUrl: database.url });
    cleanups.push(() => db.close());
    const publicUrl = 'https://credentials.test';
    const keysRoot = mkdtempSync(path.join(tmpdir(), 'microcred-conc-'));
    await createIssuer(db, { slug: 'conc', profile, publicUrl, keysRoot });
    const { token } = await createApiKey(db, { issuer: 'conc', scopes: ['issue', 'read'] });

    const config = { databaseUrl: database.url, publicUrl, keysDir: keysRoot };
    const servers = await Promise.all([spawnServiceProcess(config), spawnServiceProcess(config)]);
    for (const s of servers) cleanups.push(() => s.stop());

    // Every 100th record is also sent to the other server at the same moment: it must still be stored once.
    const jobs: { server: number; i: number }[] = [];
    for (let i = 0; i < TOTAL; i++) {
      jobs.push({ server: i % 2, i });
      if (i % 100 === 0) jobs.push({ server: (i + 1) % 2, i });
    }
    const statuses = new Map<number, number>();
    const idsByRecord = new Map<number, Set<string>>();
    const queues = [jobs.filter((j) => j.server === 0), jobs.filter((j) => j.server === 1)];
    const started = Date.now();
    await Promise.all(
      queues.flatMap((queue, s) => {
        let next = 0;
        const url = `${(servers[s] as { url: string }).url}/issuers/conc/credentials`;
        return Array.from({ length: PER_SERVER_CONCURRENCY }, async () => {
          while (next < queue.length) {
            const { i } = queue[next++] as { i: number };
            const rec = { ...recordMinimal, recordId: `CONC-${i}`, learner: { fullName: `Learner ${i}`, studentId: `S${i}` } };
            const res = await fetch(`${url}?format=${i % 10 === 0 ? 'di' : 'jwt'}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(rec),
            });
            const body = (await res.json()) as { id?: string; detail?: string };
            if (res.status !== 201 && res.status !== 200) throw new Error(`record ${i}: HTTP ${res.status} ${body.detail ?? ''}`);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const set = idsByRecord.get(i) ?? new Set<string>();
            set.add(body.id as string);
            idsByRecord.set(i, set);
          }
        });
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`concurrency: ${jobs.length} requests to 2 processes in ${seconds.toFixed(1)} s (${(jobs.length / seconds).toFixed(0)}/s)`);

    expect(statuses.get(201)).toBe(TOTAL);
    expect(statuses.get(200)).toBe(jobs.length - TOTAL);
    expect([...idsByRecord.values()].every((s) => s.size === 1)).toBe(true);

    const stats = (
      await db.query<{ n: number; records: number; slots: number; allocations: number; used: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS records,
                count(DISTINCT (status_list_id, status_index))::int AS slots,
                (SELECT count(*)::int FROM status_allocations) AS allocations,
                (SELECT sum(used)::int FROM status_lists) AS used
           FROM credentials WHERE issuer_slug = 'conc'`,
      )
    ).rows[0];
    // While the processes run, each may hold a few indexes claimed ahead (at most one chunk); counted all the same.
    expect(stats).toMatchObject({ n: TOTAL, records: TOTAL, slots: TOTAL });
    expect(stats?.used).toBe(stats?.allocations);
    expect((stats?.allocations ?? 0) - TOTAL).toBeLessThanOrEqual(2 * MAX_CHUNK);
    const answered = new Set([...idsByRecord.values()].flatMap((s) => [...s]));
    const stored = new Set((await db.query<{ id: string }>('SELECT id FROM credentials')).rows.map((r) => r.id));
    expect(answered.size).toBe(TOTAL);
    expect([...answered].filter((id) => !stored.has(id))).toEqual([]);

    // Verify every stored credential: proofs, issuer keys, schema and dates through both servers in parallel
    // (VC-API options.checks without "credentialStatus"), full verification with the status list for a sample
    // in-process, and the status of all through the published list's bits below.
    const svc = await createApp({ db, publicUrl, keysDir: keysRoot, logLevel: 'silent' });
    cleanups.push(() => svc.close());
    const rows = (await db.query<{ id: string; credential: string; format: string; status_index: number }>('SELECT id, credential, format, status_index FROM credentials ORDER BY id')).rows;
    const failures: string[] = [];
    let cursor = 0;
    await Promise.all(
      servers.flatMap((s) =>
        Array.from({ length: 2 }, async () => {
          while (cursor < rows.length) {
            const row = rows[cursor++] as (typeof rows)[number];
            const input = row.format === 'di' ? (JSON.parse(row.credential) as object) : row.credential;
            const res = await fetch(`${s.url}/credentials/verify`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ verifiableCredential: input, options: { checks: ['proof'] } }),
            });
            if (res.status !== 200) failures.push(`${row.id}: ${await res.text()}`);
          }
        }),
      ),
    );
    expect(failures.slice(0, 3)).toEqual([]);
    for (const row of rows.slice(0, 10)) {
      const input = row.format === 'di' ? (JSON.parse(row.credential) as object) : row.credential;
      const report = await verify(input, { resolver: svc.verifier.resolver, fetch: svc.verifier.fetch });
      expect(report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown')).toEqual([]);
    }
    const list = await svc.verifier.fetch(`${publicUrl}/issuers/conc/status-lists/revocation/1`);
    const { decodeStatusList, getBit } = await import('../src/status/bitstring.js');
    const bits = await decodeStatusList((JSON.parse(new TextDecoder().decode(list.body)) as { credentialSubject: { encodedList: string } }).credentialSubject.encodedList);
    expect(rows.filter((r) => getBit(bits, r.status_index))).toEqual([]);

    // Stopped, the processes have handed back what they claimed ahead: every allocation is a stored credential's.
    for (const s of servers) await s.stop();
    const after = (
      await db.query<{ allocations: number; used: number }>(
        'SELECT (SELECT count(*)::int FROM status_allocations) AS allocations, (SELECT sum(used)::int FROM status_lists) AS used',
      )
    ).rows[0];
    expect(after).toEqual({ allocations: TOTAL, used: TOTAL });
  });
});
