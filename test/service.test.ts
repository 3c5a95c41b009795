import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/service/admin.js';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import { serviceConfigFromEnv } from '../src/service/config.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { eddsaRdfc2022 } from '../src/proof/vendor.js';
import { recordMinimal } from './http-helpers.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';

const pgReason = await postgresUnavailable();
const backends: { name: string; open: () => Promise<{ db: Db; kill: () => Promise<void>; drop: () => Promise<void> }> }[] = [
  {
    name: 'PGlite',
    open: async () => {
      const db = await openDb({ dataDir: 'memory' });
      // "Unreachable" for an embedded database: closed under the running service.
      return { db, kill: () => db.close(), drop: async () => {} };
    },
  },
  {
    name: pgReason ? `PostgreSQL (skipped: ${pgReason})` : 'PostgreSQL',
    open: async () => {
      const tmp = await createTestDatabase();
      const db = await openDb({ databaseUrl: tmp.url });
      // The server goes away under the running service: its database is dropped, connections terminated.
      return { db, kill: () => tmp.drop(), drop: async () => (await db.close().catch(() => {}), await tmp.drop()) };
    },
  },
];

for (const backend of backends) {
  // A service whose Data Integrity signing fails (nothing of a failed issuance may remain), with status lists of
  // capacity 2 (a new list starts when one fills).
  (backend.name.includes('skipped') ? describe.skip : describe)(`service start-up and failures on ${backend.name}`, () => {
    let db: Db;
    let srv: RunningServer;
    let kill: () => Promise<void>;
    let drop: () => Promise<void>;
    const logs: string[] = [];
    // Set by a test: the audit log query fails with a real database error whose message holds a value.
    let failAudit = false;
    beforeAll(async () => {
      let real: Db;
      ({ db: real, kill, drop } = await backend.open());
      db = {
        ...real,
        kind: real.kind,
        query: (sql, params) => (failAudit && sql.includes('FROM audit_log') ? real.query("SELECT $1::int", ['learner-s1234567']) : real.query(sql, params)),
        exec: (sql) => real.exec(sql),
        transaction: (fn) => real.transaction(fn),
        close: () => real.close(),
      };
      const broken = { ...eddsaRdfc2022, createVerifier: eddsaRdfc2022.createVerifier, canonize: async () => { throw new Error('canonicalization exploded'); } };
      srv = await startServer({
        db,
        port: 0,
        exampleIssuer: true,
        cryptosuite: broken,
        statusListCapacity: 2,
        logger: pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) })),
      });
    });
    afterAll(async () => {
      await srv?.close().catch(() => {});
      await drop?.();
    });

    const counts = async () =>
      (await db.query<Record<string, number>>(
        `SELECT (SELECT count(*)::int FROM credentials) AS credentials, (SELECT count(*)::int FROM status_allocations) AS allocations,
                (SELECT coalesce(sum(used), 0)::int FROM status_lists) AS used, (SELECT count(*)::int FROM audit_log WHERE action LIKE 'credential.%') AS audit`,
      )).rows[0];
    let token: string;
    const issue = (query: string, body: unknown) =>
      fetch(`${srv.url}/issuers/example/credentials${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('seeds the example issuer (did:key, example keys) on an empty database and is ready', async () => {
      const ready = await fetch(`${srv.url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', issuers: 1, database: db.kind });
      const issuer = (await (await fetch(`${srv.url}/issuers/example`)).json()) as { did: string };
      expect(issuer.did).toMatch(/^did:key:z6Mk/);
      token = (await createApiKey(db, { issuer: 'example', scopes: ['issue'] })).token;
      // Signing with the published example keys is announced in the log.
      expect(logs.some((l) => l.includes('PUBLIC EXAMPLE keys') && l.includes('"issuer":"example"'))).toBe(true);
    });

    it('a failed signing answers 500 problem+json and leaves no credential, index, count or audit entry', async () => {
      const before = await counts();
      const res = await issue('', recordMinimal);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { detail: string };
      expect(body.detail).not.toContain('exploded');
      expect(await counts()).toEqual(before);
      // The JWT path does not use the cryptosuite: it still works, and the list has no gap from the failure.
      const jwt = await issue('?format=jwt&alg=EdDSA', recordMinimal);
      expect(jwt.status).toBe(201);
      expect(await counts()).toEqual({ credentials: 1, allocations: 1, used: 1, audit: 1 });
      const errorLine = logs.find((l) => l.includes('"request failed"'));
      expect(errorLine).toContain('canonicalization exploded');
      expect(errorLine).toContain(res.headers.get('x-request-id') as string);
      expect(JSON.parse(errorLine as string).error).toMatchObject({ class: 'MicrocredError', code: 'SIGNING_FAILED', cause: { class: 'Error', message: 'canonicalization exploded' } });
    });

    it('logs an unexpected database error with its class and SQLSTATE, never its message, query or parameters', async () => {
      const admin = (await createApiKey(db, { issuer: 'example', scopes: ['admin'] })).token;
      failAudit = true;
      try {
        const res = await fetch(`${srv.url}/issuers/example/audit`, { headers: { authorization: `Bearer ${admin}` } });
        expect(res.status).toBe(500);
        const line = logs.find((l) => l.includes('"request failed"') && l.includes(res.headers.get('x-request-id') as string)) as string;
        expect(JSON.parse(line).error).toMatchObject({ class: 'DatabaseError', code: '22P02' });
        expect(line).not.toContain('learner-s1234567');
        expect(line).not.toContain('"Object"');
      } finally {
        failAudit = false;
      }
    });

    it('starts a new status list when one reaches its capacity; indexes are never shared', async () => {
      const entries: { list: string; index: string }[] = [];
      for (let i = 1; i <= 3; i++) {
        const res = await issue('?format=jwt&alg=EdDSA', { ...recordMinimal, recordId: `capacity-${i}` });
        expect(res.status).toBe(201);
        const { credentialStatus } = (await res.json()) as { credentialStatus: { statusListCredential: string; statusListIndex: string } };
        entries.push({ list: credentialStatus.statusListCredential.replace(/^.*\/revocation\//, ''), index: credentialStatus.statusListIndex });
      }
      // The first test's credential and capacity-1 fill list 1; capacity-2 and -3 go to list 2.
      expect(entries.map((e) => e.list)).toEqual(['1', '2', '2']);
      expect(entries[1]?.index).not.toBe(entries[2]?.index);
      const issuer = (await (await fetch(`${srv.url}/issuers/example`)).json()) as { statusLists: { full: boolean; size: number }[] };
      // List 2 holds its capacity now (2 entries): full as soon as the claims that filled it were counted.
      expect(issuer.statusLists.map((l) => l.full)).toEqual([true, true]);
      expect(issuer.statusLists.every((l) => l.size >= 131072)).toBe(true);
    });

    it('/readyz answers 503 problem+json when the database is unreachable', async () => {
      await kill();
      const res = await fetch(`${srv.url}/readyz`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/database/i);
      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    });
  });
}

describe('configuration from the environment', () => {
  it('maps the documented variables and keeps 127.0.0.1 as the default host', () => {
    expect(serviceConfigFromEnv({})).toMatchObject({ host: '127.0.0.1', port: 3000, dataDir: 'data', exampleIssuer: true });
    const c = serviceConfigFromEnv({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://db/microcred',
      MICROCRED_PUBLIC_URL: 'https://credentials.example.ac.uk',
      MICROCRED_ADMIN_TOKEN: 't',
      MICROCRED_EXAMPLE_ISSUER: '0',
    });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', databaseUrl: 'postgres://db/microcred', publicUrl: 'https://credentials.example.ac.uk', adminToken: 't', exampleIssuer: false });
    expect(() => serviceConfigFromEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
