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

// A service whose Data Integrity signing fails: nothing of a failed issuance may remain.
let db: Db;
let srv: RunningServer;
const logs: string[] = [];
beforeAll(async () => {
  db = await openDb({ dataDir: 'memory' });
  const broken = { ...eddsaRdfc2022, createVerifier: eddsaRdfc2022.createVerifier, canonize: async () => { throw new Error('canonicalization exploded'); } };
  srv = await startServer({
    db,
    port: 0,
    exampleIssuer: true,
    cryptosuite: broken,
    logger: pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) })),
  });
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const counts = async () =>
  (await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM credentials) AS credentials, (SELECT count(*)::int FROM status_allocations) AS allocations,
            (SELECT coalesce(sum(used), 0)::int FROM status_lists) AS used, (SELECT count(*)::int FROM audit_log WHERE action LIKE 'credential.%') AS audit`,
  )).rows[0];

describe('service start-up and failures', () => {
  it('seeds the example issuer (did:key, example keys) on an empty database and is ready', async () => {
    const ready = await fetch(`${srv.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', issuers: 1 });
    const issuer = (await (await fetch(`${srv.url}/issuers/example`)).json()) as { did: string };
    expect(issuer.did).toMatch(/^did:key:z6Mk/);
  });

  it('a failed signing answers 500 problem+json and leaves no credential, index, count or audit entry', async () => {
    const { token } = await createApiKey(db, { issuer: 'example', scopes: ['issue'] });
    const before = await counts();
    const res = await fetch(`${srv.url}/issuers/example/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(recordMinimal),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { detail: string };
    expect(body.detail).not.toContain('exploded');
    expect(await counts()).toEqual(before);
    // The JWT path does not use the cryptosuite: it still works, and the list has no gap from the failure.
    const jwt = await fetch(`${srv.url}/issuers/example/credentials?format=jwt&alg=EdDSA`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(recordMinimal),
    });
    expect(jwt.status).toBe(201);
    expect(await counts()).toEqual({ credentials: 1, allocations: 1, used: 1, audit: 1 });
    const errorLine = logs.find((l) => l.includes('"request failed"'));
    expect(errorLine).toContain('canonicalization exploded');
    expect(errorLine).toContain(res.headers.get('x-request-id') as string);
  });
});

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
