// The service verifying its own credentials: the proof of an unchanged status list is checked once (proof checks
// counted on the service's cryptosuite), and a revocation is visible to the next verification at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/service/admin.js';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import { fastCryptosuite } from '../src/proof/fast/cryptosuite.js';
import type { Cryptosuite } from '../src/proof/vendor.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { recordMinimal } from './http-helpers.js';

describe('verification of own credentials with the status list proof checked once per list version', () => {
  let db: Db;
  let srv: RunningServer;
  let token: string;
  let proofChecks = 0;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory' });
    const fast = fastCryptosuite() as unknown as Cryptosuite;
    const counting = Object.create(fast) as Cryptosuite;
    counting.createVerifier = (options) => {
      proofChecks++;
      return fast.createVerifier(options);
    };
    srv = await startServer({ db, port: 0, exampleIssuer: true, publicUrl: 'https://credentials.test', logLevel: 'silent', cryptosuite: counting });
    token = (await createApiKey(db, { issuer: 'example', scopes: ['issue', 'revoke'] })).token;
  }, 60_000);
  afterAll(async () => {
    await srv?.close().catch(() => {});
    await db?.close();
  });

  const post = async (path: string, body: unknown, auth = false): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${srv.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const verify = async (credential: unknown): Promise<{ verified: boolean; checks: { id: string; status: string }[]; proofChecks: number }> => {
    const before = proofChecks;
    const res = await post('/credentials/verify', { verifiableCredential: credential });
    // 200 for a credential that verifies, 422 (VC-API) with the report for one that does not.
    expect([200, 422]).toContain(res.status);
    const report = res.body as unknown as { verified: boolean; checks: { id: string; status: string }[] };
    expect(res.status === 200).toBe(report.verified);
    return { ...report, proofChecks: proofChecks - before };
  };

  it('checks the proof of an unchanged list once; a revocation is seen by the very next verification', async () => {
    const issued = await post('/issuers/example/credentials?format=di', { ...recordMinimal, recordId: 'OWN-LIST-1' }, true);
    expect(issued.status).toBe(201);
    const other = await post('/issuers/example/credentials?format=di', { ...recordMinimal, recordId: 'OWN-LIST-2' }, true);
    const credential = issued.body.credential;

    const first = await verify(credential);
    expect(first.verified).toBe(true);
    // The credential's proof and the status list's.
    expect(first.proofChecks).toBe(2);
    const again = await verify(credential);
    expect(again.verified).toBe(true);
    // The list is unchanged: only the credential's own proof.
    expect(again.proofChecks).toBe(1);
    expect((await verify(other.body.credential)).proofChecks).toBe(1);

    const revoked = await post('/credentials/status', { credentialId: issued.body.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true }, true);
    expect(revoked.status).toBeLessThan(300);
    const after = await verify(credential);
    expect(after.verified).toBe(false);
    expect(after.checks.find((c) => c.id === 'status')?.status).toBe('fail');
    // A changed list: its new proof is checked.
    expect(after.proofChecks).toBe(2);
    const otherAfter = await verify(other.body.credential);
    expect(otherAfter.verified).toBe(true);
    expect(otherAfter.proofChecks).toBe(1);
  });
});
