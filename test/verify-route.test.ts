/**
 * POST /credentials/verify: what the route accepts as `verifiableCredential` (an object, a compact JWT, an
 * EnvelopedVerifiableCredential) and what it refuses as malformed (a credential sent as JSON text in a string), and
 * the report's per-item details reaching the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, record, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function rec(id: string) {
  return { ...record, recordId: `verify-route-${id}-${Math.random().toString(36).slice(2, 8)}` };
}

describe('POST /credentials/verify', () => {
  it('refuses a credential sent as a JSON string with a 400 problem naming the field; the object itself verifies', async () => {
    const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: rec('di') });
    expect(issued.status, issued.text).toBe(201);
    const credential = issued.body.credential;
    const asText = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: JSON.stringify(credential) } });
    expect(asText.status, asText.text).toBe(400);
    expect(asText.headers.get('content-type')).toContain('application/problem+json');
    expect(asText.body.detail).toContain('verifiableCredential');
    expect(asText.body.problems).toEqual([expect.objectContaining({ path: '$.verifiableCredential' })]);
    const asObject = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: credential } });
    expect(asObject.status, asObject.text).toBe(200);
    // Per-proof and per-entry outcomes travel with the checks.
    const proof = asObject.body.checks.find((c: { id: string }) => c.id === 'proof');
    expect(proof.details).toEqual([expect.objectContaining({ path: 'proof[0]', status: 'pass' })]);
    expect(asObject.body.checks.map((c: { id: string }) => c.id)).toContain('endorsements');
  });

  it('keeps accepting a compact JWT string, bare or enveloped', async () => {
    const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials?format=jwt`, { token: h.tokens.full, body: rec('jwt') });
    expect(issued.status, issued.text).toBe(201);
    const jws = issued.body.credential as string;
    const bare = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: jws } });
    expect(bare.status, bare.text).toBe(200);
    expect(bare.body.format).toBe('jwt');
    const enveloped = await call(h, 'POST', '/credentials/verify', {
      body: { verifiableCredential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${jws}` } },
    });
    expect(enveloped.status, enveloped.text).toBe(200);
  });

  it('refuses other strings as malformed too', async () => {
    for (const text of ['hello', '"quoted"', '']) {
      const res = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: text } });
      expect(res.status, text).toBe(400);
    }
  });
});
