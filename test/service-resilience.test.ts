// Two real service processes on one PostgreSQL database: concurrent re-issues of one record, and the database
// connections terminated under issuances in flight. Backends are terminated only in this test's own database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { createTestDatabase, postgresUnavailable, spawnServiceProcess, testPgUrl } from './support/testing.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { recordMinimal } from './http-helpers.js';

const reason = await postgresUnavailable();

describe.skipIf(reason)(`service processes on PostgreSQL under contention and connection loss${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  let database: { url: string; name: string };
  let db: Db;
  let token: string;
  let servers: { url: string; pid: number; stderr: () => string }[];
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  beforeAll(async () => {
    const tmp = await createTestDatabase();
    cleanups.push(() => tmp.drop());
    database = tmp;
    db = await openDb({ databaseUrl: tmp.url });
    cleanups.push(() => db.close());
    const keysRoot = mkdtempSync(path.join(tmpdir(), 'microcred-resilience-'));
    const publicUrl = 'https://credentials.test';
    await createIssuer(db, { slug: 'res', profile: (await import('./http-helpers.js')).profile, publicUrl, keysRoot });
    token = (await createApiKey(db, { issuer: 'res', scopes: ['issue', 'read'] })).token;
    const config = { databaseUrl: tmp.url, publicUrl, keysDir: keysRoot };
    const started = await Promise.all([spawnServiceProcess(config), spawnServiceProcess(config)]);
    for (const s of started) cleanups.push(() => s.stop());
    servers = started;
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  const issue = async (server: number, rec: Record<string, unknown>, query = ''): Promise<{ status: number; type: string; body: any }> => {
    const res = await fetch(`${(servers[server] as { url: string }).url}/issuers/res/credentials${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(rec),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
  };

  // 30 re-issues of one record at once, over both processes.
  const reissueRace = async (recordId: string, variant: (i: number) => number) => {
    const base = { ...recordMinimal, recordId, learner: { fullName: 'Race Learner', studentId: 'R1' } } as Record<string, unknown> & { result: Record<string, unknown> };
    const first = await issue(0, base);
    expect(first.status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => issue(i % 2, { ...base, result: { ...base.result, mark: variant(i) } }, '?reissue=true')),
    );
    const current = await db.query<{ id: string }>('SELECT id FROM credentials WHERE record_id = $1 AND superseded_by IS NULL', [recordId]);
    const all = await db.query<{ id: string; status: string; superseded_by: string | null }>('SELECT id, status, superseded_by FROM credentials WHERE record_id = $1', [recordId]);
    return { first, answers, current: current.rows.map((r) => r.id), all: all.rows };
  };

  it('concurrent re-issues of one record with the same content: one is issued, the others get that credential back', { timeout: 120_000 }, async () => {
    const { first, answers, current, all } = await reissueRace('RACE-SAME', () => 71);
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(29).fill(200), 201]);
    const winner = answers.find((a) => a.status === 201)?.body;
    expect(winner.superseded).toEqual([first.body.id]);
    expect(new Set(answers.map((a) => a.body.id))).toEqual(new Set([winner.id]));
    expect(current).toEqual([winner.id]);
    expect(all.find((r) => r.id === first.body.id)).toMatchObject({ status: 'revoked', superseded_by: winner.id });
    expect(all).toHaveLength(2);
  });

  it('concurrent re-issues of one record with different content: each replaces what it read; overlapping ones lose with a 409 naming the winner, never a 500', { timeout: 120_000 }, async () => {
    const { first, answers, current, all } = await reissueRace('RACE-DIFF', (i) => 40 + i);
    const statuses = answers.map((a) => a.status);
    console.log(`re-issue race: ${statuses.filter((x) => x === 201).length} issued, ${statuses.filter((x) => x === 409).length} conflicts`);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const issued = answers.filter((a) => a.status === 201).map((a) => a.body);
    expect(issued.length).toBeGreaterThanOrEqual(1);
    // The winners form one chain from the first credential: each superseded exactly the one current before it.
    const chain = [first.body.id as string];
    for (;;) {
      const next = issued.find((w) => w.superseded?.[0] === chain[chain.length - 1]);
      if (!next) break;
      expect(next.superseded).toHaveLength(1);
      chain.push(next.id);
    }
    expect(chain).toHaveLength(issued.length + 1);
    expect(current).toEqual([chain[chain.length - 1]]);
    expect(all).toHaveLength(issued.length + 1);
    expect(all.filter((r) => r.id !== current[0]).every((r) => r.status === 'revoked' && r.superseded_by !== null)).toBe(true);
    for (const lost of answers.filter((a) => a.status === 409)) {
      expect(lost.type).toContain('application/problem+json');
      expect(lost.body.detail).toMatch(/concurrent|different content/);
      expect(chain).toEqual(expect.arrayContaining(lost.body.existing));
    }
  });

  it('terminated database connections under issuances in flight: 503 problems, the processes stay up and reconnect', { timeout: 120_000 }, async () => {
    const admin = new pg.Client({ connectionString: testPgUrl() });
    await admin.connect();
    cleanups.push(() => admin.end());
    const records = Array.from({ length: 60 }, (_, i) => ({ ...recordMinimal, recordId: `CONN-${i}`, learner: { fullName: `Learner ${i}`, studentId: `C${i}` } }));
    let done = false;
    let terminated = 0;
    // Keep terminating every backend of this test's database while the requests run.
    const killer = (async () => {
      while (!done) {
        const r = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
        terminated += (r.rows[0] as { n: number }).n;
        await new Promise((res) => setTimeout(res, 15));
      }
    })();
    const answers = await Promise.all(records.map((rec, i) => issue(i % 2, rec).catch((e: unknown) => ({ status: 0, type: '', body: { error: String(e) } }))));
    done = true;
    await killer;
    expect(terminated).toBeGreaterThan(0);
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    const unexpected = answers.filter((a) => !(a.status === 201 || (a.status === 503 && a.type.includes('application/problem+json'))));
    expect(unexpected.map((a) => `${a.status} ${JSON.stringify(a.body).slice(0, 300)}`)).toEqual([]);
    expect(byStatus.get(503) ?? 0).toBeGreaterThan(0);
    const unavailable = answers.find((a) => a.status === 503);
    expect(unavailable?.body.detail).toMatch(/database/i);
    expect(servers.filter((s) => !alive(s.pid)).map((s) => s.stderr().slice(-1500))).toEqual([]);

    // Reconnected: readiness and issuing work again, and the requests that got 503 can simply be sent again.
    for (const s of servers) expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    const retried = await Promise.all(answers.map((a, i) => (a.status === 201 ? Promise.resolve(a) : issue(i % 2, records[i] as Record<string, unknown>))));
    expect(retried.map((a) => a.status).filter((s) => s !== 201 && s !== 200)).toEqual([]);
    const stored = await db.query<{ n: number; records: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS records FROM credentials WHERE record_id LIKE 'CONN-%'",
    );
    expect(stored.rows[0]).toEqual({ n: records.length, records: records.length });
  });
});
