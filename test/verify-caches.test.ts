// What the service's verifier keeps between verifications of its own credentials (DID documents, status lists,
// hosted issuers) never hides a change: two service instances share one PostgreSQL database, one changes something
// (a revocation, a key rotation, a new issuer) and the other's next verification sees it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import { openDb } from '../src/store/open.js';
import { record, profile } from './http-helpers.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';

const reason = await postgresUnavailable();
const publicUrl = 'https://credentials.test';
const adminToken = 'verify-caches-admin-token';

async function post(srv: RunningServer, pathname: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${srv.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

function failing(report: { checks: { id: string; status: string }[] }): string[] {
  return report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => c.id);
}

describe.skipIf(reason)(`verification caches across two instances on one PostgreSQL${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  let a: RunningServer;
  let b: RunningServer;
  let token: string;
  let url: string;
  const slug = 'cachecheck';

  beforeAll(async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    url = database.url;
    const keysDir = mkdtempSync(path.join(tmpdir(), 'microcred-verify-caches-'));
    const setup = await openDb({ databaseUrl: url });
    await createIssuer(setup, { slug, profile, publicUrl, keysRoot: keysDir });
    token = (await createApiKey(setup, { issuer: slug, scopes: ['issue', 'read', 'revoke'] })).token;
    await setup.close();
    // Two instances, each with its own database pool, context and verifier.
    for (const which of ['a', 'b'] as const) {
      const db = await openDb({ databaseUrl: url });
      const srv = await startServer({ db, port: 0, publicUrl, keysDir, adminToken, logLevel: 'silent', jobWorker: false });
      cleanups.push(async () => {
        await srv.close();
        await db.close();
      });
      if (which === 'a') a = srv;
      else b = srv;
    }
  }, 60_000);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('a revocation made through the other instance counts at the next verification', async () => {
    const issued = await post(a, `/issuers/${slug}/credentials?format=di`, { ...record, recordId: 'cache-revoke' }, token);
    expect(issued.status).toBe(201);
    // Verified twice on A: the second time from what A kept (unchanged list and DID document).
    for (let i = 0; i < 2; i++) {
      const ok = await post(a, '/credentials/verify', { verifiableCredential: issued.body.credential });
      expect(ok.status).toBe(200);
      expect(failing(ok.body)).toEqual([]);
    }
    const revoked = await post(b, `/issuers/${slug}/credentials/${encodeURIComponent(issued.body.id)}/revoke`, { reason: 'cache test' }, token);
    expect(revoked.status).toBe(200);
    const after = await post(a, '/credentials/verify', { verifiableCredential: issued.body.credential });
    expect(after.body.verified).toBe(false);
    expect(after.body.checks.find((c: { id: string }) => c.id === 'status')).toMatchObject({ status: 'fail' });
    expect(JSON.stringify(after.body.checks)).toMatch(/revoked/);
  });

  it('a key rotated in through the other instance is in the next DID document the verifier reads', async () => {
    const before = await post(a, `/issuers/${slug}/credentials?format=di`, { ...record, recordId: 'cache-key-old' }, token);
    expect(before.status).toBe(201);
    expect(failing((await post(a, '/credentials/verify', { verifiableCredential: before.body.credential })).body)).toEqual([]);
    const rotated = await post(b, `/issuers/${slug}/keys/rotate`, { alg: 'Ed25519' }, adminToken);
    expect(rotated.status).toBeLessThan(300);
    // B signs with the new key at once; A has only ever read the DID document without it.
    const signedByNew = await post(b, `/issuers/${slug}/credentials?format=di`, { ...record, recordId: 'cache-key-new' }, token);
    expect(signedByNew.status).toBe(201);
    const oldMethod = before.body.credential.proof[0].verificationMethod as string;
    const newMethod = signedByNew.body.credential.proof[0].verificationMethod as string;
    expect(newMethod).not.toBe(oldMethod);
    const report = (await post(a, '/credentials/verify', { verifiableCredential: signedByNew.body.credential })).body;
    expect(failing(report)).toEqual([]);
    // The old key stays published while a credential it signed is valid.
    expect(failing((await post(a, '/credentials/verify', { verifiableCredential: before.body.credential })).body)).toEqual([]);
  });

  it('an issuer created after a lookup found nothing is found at the next lookup', async () => {
    const did = `did:web:credentials.test:issuers:later`;
    expect((await a.verifier.trust.lookup(did)).matches).toEqual([]);
    const db = await openDb({ databaseUrl: url });
    try {
      await createIssuer(db, { slug: 'later', profile: { ...profile, name: 'Later College' }, publicUrl, keysRoot: mkdtempSync(path.join(tmpdir(), 'microcred-verify-caches-later-')) });
    } finally {
      await db.close();
    }
    const found = await a.verifier.trust.lookup(did);
    expect(found.matches.map((m) => m.name)).toEqual(['Later College']);
  });
});
