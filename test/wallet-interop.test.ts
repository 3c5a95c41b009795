/**
 * The copies wallets receive, checked by @digitalcredentials/verifier-core (the verifier inside the Learner
 * Credential Wallet): a Data Integrity copy claimed over the VC-API exchange, through HTTP as LCW would, verifies
 * (signature, expiry, status, schemas) and shows revoked once the original record is revoked. Nothing reaches the
 * network: verifier-core's fetches (DID document, status list, schemas) are answered by the running service.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyCredential } from '@digitalcredentials/verifier-core';
import { changeStatus } from '../src/service/issuance.js';
import { SCHEMAS_DIR } from '../src/lib/paths.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from '../src/schema/validate-ob.js';
import { call, expectOk, lcwHolder, PUBLIC_URL, record, startWallet } from './wallet-helpers.js';
import type { WalletHarness } from './wallet-helpers.js';

const OB_SCHEMA = readFileSync(path.join(SCHEMAS_DIR, 'ob-v3p0-achievementcredential.schema.json'), 'utf8');
const realFetch = globalThis.fetch;
const refused: string[] = [];
let h: WalletHarness;

beforeAll(async () => {
  h = await startWallet();
  const local = h.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(PUBLIC_URL) || url.startsWith(h.url)) return url.startsWith(h.url) ? realFetch(input as never, init) : local(input as never, init);
    if (url === OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL) return new Response(OB_SCHEMA, { status: 200, headers: { 'content-type': 'application/json' } });
    refused.push(url);
    throw new TypeError(`no network in tests: ${url}`);
  }) as typeof fetch;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await h?.close();
});

async function dcc(credential: Record<string, unknown>): Promise<{ steps: Record<string, unknown>; raw: any }> {
  const quiet = ['log', 'error', 'warn'].map((m) => vi.spyOn(console, m as 'log').mockImplementation(() => {}));
  try {
    const raw = (await verifyCredential({ credential: credential as never, knownDIDRegistries: [] })) as any;
    const steps: Record<string, unknown> = {};
    for (const s of raw.log ?? []) steps[s.id] = s.valid ?? s.error?.name;
    return { steps, raw };
  } finally {
    for (const q of quiet) q.mockRestore();
  }
}

describe('verifier-core on a claimed copy', () => {
  it('an LCW-claimed copy (over HTTP) passes, and fails its status check once the original is revoked', async () => {
    const credentialId = await h.issue('interop-copy-1', 'di', { learner: (record as any).learner });
    const { links } = expectOk(await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(credentialId)}/offers`, { token: h.token })).body;
    const holder = await lcwHolder();
    // As LCW: GET the interaction URL (Accept: application/json), POST {} to protocols.vcapi, POST the VP there.
    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const protocols = (await (await fetch(links.interaction, { headers: { Accept: 'application/json' } })).json()) as any;
    const vpr = (await post(protocols.protocols.vcapi, {})).verifiablePresentationRequest;
    const answer = await post(protocols.protocols.vcapi, { verifiablePresentation: await holder.sign({ challenge: vpr.challenge, domain: vpr.domain }) });
    const copy = answer.verifiablePresentation.verifiableCredential[0];
    expect(copy.credentialSubject.id).toBe(holder.did);
    const ok = await dcc(copy);
    expect(ok.raw.errors, JSON.stringify(ok.raw.errors)).toBeUndefined();
    expect(ok.steps).toMatchObject({ valid_signature: true, expiration: true, revocation_status: true });
    await changeStatus(h.ctx, h.slug, credentialId, 'revoke', 'awarded in error', 'test');
    expect((await dcc(copy)).steps).toMatchObject({ valid_signature: true, revocation_status: false });
    expect(refused).toEqual([]);
  });
});
