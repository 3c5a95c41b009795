// Two real service processes on one PostgreSQL database: concurrent re-issues of one record, and the database
// connections terminated under issuances in flight. Backends are terminated only in this test's own database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { createTestDatabase, postgresUnavailable, spawnServiceProcess, testPgUrl } from '../src/service/testing.js';
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
