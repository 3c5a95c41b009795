/**
 * Claim offers and the VC-API exchange as the Learner Credential Wallet drives it (app/lib/exchanges.ts,
 * composeVp.ts, credentialRequest.ts, walletRequestApi.ts): POST {} to protocols.vcapi, a DIDAuth presentation
 * signed with Ed25519Signature2020 by the wallet's did:key for the request's challenge and domain, posted to the
 * SAME URL, the credential read from the answer's verifiablePresentation; and the one-step request (the bare VP
 * posted to vc_request_url, challenge from the link, no domain). The holder is built from @digitalbazaar/vc. Every
 * step goes over HTTP to the running service; problem+json answers are read back as the problems they carry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createOffer } from '../src/service/wallet/offers.js';
import type { ClaimView, CreatedOffer, OfferView } from '../src/service/wallet/offers.js';
import { changeStatus } from '../src/service/issuance.js';
import { HttpProblem } from '../src/service/problem.js';
import { getCredential } from '../src/store/credentials.js';
import { listAudit } from '../src/store/audit.js';
import { call, dataIntegrityHolder, expectOk, lcwHolder, PUBLIC_URL, startWallet } from './wallet-helpers.js';
import type { WalletHarness } from './wallet-helpers.js';

let h: WalletHarness;

beforeAll(async () => {
  h = await startWallet();
});
afterAll(async () => {
  await h?.close();
});

const exchangePath = (secret: string) => `/issuers/${h.slug}/exchanges/${secret}`;
const interaction = async (secret: string) => expectOk(await call(h, 'GET', `/issuers/${h.slug}/interactions/${secret}?iuv=1`, { headers: { accept: 'application/json' } }));
const participate = async (secret: string, body: unknown) => expectOk(await call(h, 'POST', exchangePath(secret), { json: body }));
const directRequest = async (secret: string, body: unknown) => expectOk(await call(h, 'POST', `${exchangePath(secret)}/direct`, { json: body }));
const credentialPath = (id: string) => `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}`;
const createOfferHttp = async (credentialId: string, body?: unknown): Promise<CreatedOffer> =>
  expectOk(await call(h, 'POST', `${credentialPath(credentialId)}/offers`, { token: h.token, ...(body !== undefined ? { json: body } : {}) })).body;
const offersOf = async (credentialId: string): Promise<OfferView[]> => expectOk(await call(h, 'GET', `${credentialPath(credentialId)}/offers`, { token: h.token })).body.items;
const claimsOf = async (credentialId: string): Promise<ClaimView[]> => expectOk(await call(h, 'GET', `${credentialPath(credentialId)}/claims`, { token: h.token })).body.items;
const revokeOffer = async (offerId: string, body: { reason?: string } = {}): Promise<OfferView> =>
  expectOk(await call(h, 'POST', `/issuers/${h.slug}/offers/${offerId}/revoke`, { token: h.token, json: body })).body;

/** The secret of an offer's links (what the wallet got from the QR code). */
function secretOf(exchangeUrl: string): string {
  return exchangeUrl.split('/').pop() as string;
}

async function problemOf(p: Promise<unknown>): Promise<HttpProblem> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpProblem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

async function freshOffer(recordId: string, format: 'di' | 'jwt' = 'di') {
  const credentialId = await h.issue(recordId, format);
  const created = await createOfferHttp(credentialId);
  return { credentialId, created, secret: secretOf(created.links.exchange) };
}

describe('createOffer', () => {
  it('returns every link and an SVG QR code for each, stores no secret, and audits the creation', async () => {
    const { credentialId, created, secret } = await freshOffer('wx-links-1');
    const { links, qr, offer } = created;
    expect(offer).toMatchObject({ credentialId, state: 'open', txCode: false, createdBy: expect.stringMatching(/^api-key:/) });
    expect(Date.parse(offer.expiresAt) - Date.parse(offer.createdAt)).toBeGreaterThan(29.9 * 86_400_000);
    expect(links.interaction).toBe(`${PUBLIC_URL}/issuers/${h.slug}/interactions/${secret}?iuv=1`);
    expect(links.exchange).toBe(`${PUBLIC_URL}/issuers/${h.slug}/exchanges/${secret}`);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // LCW deep links: request=<JSON {credentialRequestOrigin, protocols.vcapi}>, parsed as LCW does (qs + decodeURI).
    for (const link of [links.lcw.universal, links.lcw.dccrequest]) {
      const request = new URL(link.replace('dccrequest://', 'https://x/')).searchParams.get('request') as string;
      expect(JSON.parse(decodeURI(request))).toEqual({ credentialRequestOrigin: PUBLIC_URL, protocols: { vcapi: links.exchange } });
    }
    expect(links.lcw.universal.startsWith('https://lcw.app/request?request=')).toBe(true);
    expect(links.lcw.dccrequest.startsWith('dccrequest://request?request=')).toBe(true);
    // LCW's legacy request: issuer, vc_request_url, challenge, auth_type=bearer.
    const direct = new URL(links.direct.dccrequest.replace('dccrequest://', 'https://x/')).searchParams;
    expect(Object.fromEntries(direct)).toEqual({ issuer: (await h.ctx.issuer(h.slug)).keys.controller, vc_request_url: `${links.exchange}/direct`, challenge: links.direct.challenge, auth_type: 'bearer' });
    expect(links.direct.challenge).not.toContain(secret);
    expect(links.oid4vci.offer).toBe(`openid-credential-offer://?credential_offer_uri=${encodeURIComponent(`${PUBLIC_URL}/issuers/${h.slug}/oid4vci/offers/${secret}`)}`);
    for (const svg of Object.values(qr)) expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"[^>]*>.*<\/svg>\s*$/s);
    // Only hashes are stored.
    const stored = JSON.stringify((await h.db.query('SELECT * FROM claim_offers WHERE id = $1', [offer.id])).rows);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(links.direct.challenge);
    const audit = (await listAudit(h.db, { issuerSlug: h.slug, target: offer.id })).items;
    expect(audit.map((a) => a.action)).toEqual(['offer.create']);
    expect(JSON.stringify(audit)).not.toContain(secret);
    // The secret is in paths only, and the access log names route patterns: it never reaches the logs.
    await interaction(secret);
    expect(h.logs.join('')).not.toContain(secret);
  });

  it('refuses unknown and revoked credentials and out-of-range expiry, writing nothing', async () => {
    expect((await problemOf(createOfferHttp('urn:uuid:nope'))).status).toBe(404);
    const id = await h.issue('wx-refuse-1');
    const zero = await call(h, 'POST', `${credentialPath(id)}/offers`, { token: h.token, json: { expiresInDays: 0 } });
    expect([zero.status, zero.body.problems?.[0]?.path]).toEqual([400, '$.expiresInDays']);
    expect((await problemOf(createOfferHttp(id, { txCode: 'maybe' }))).status).toBe(400);
    // Creating offers needs the issue scope of this issuer.
    expect((await call(h, 'POST', `${credentialPath(id)}/offers`, {})).status).toBe(401);
    await changeStatus(h.ctx, h.slug, id, 'suspend', 'check', 'test');
    expect((await problemOf(createOfferHttp(id))).code).toBe('credential-suspended');
    await changeStatus(h.ctx, h.slug, id, 'revoke', 'error', 'test');
    expect((await problemOf(createOfferHttp(id))).code).toBe('credential-revoked');
    expect(await offersOf(id)).toEqual([]);
  });
});

describe('the LCW exchange', () => {
  it('interaction URL → POST {} → DIDAuth VP to the same URL → the copy bound to the wallet DID', async () => {
    const { credentialId, created, secret } = await freshOffer('wx-lcw-1');
    const holder = await lcwHolder();
    const inter = await interaction(secret);
    expect(inter.status).toBe(200);
    expect(inter.headers['cache-control']).toBe('no-store');
    const exchangeUrl = inter.body.protocols.vcapi;
    expect(exchangeUrl).toBe(created.links.exchange);
    expect(inter.body.protocols.OID4VCI).toBe(created.links.oid4vci.offer);
    // A browser (a phone camera, not a wallet) is sent to the claim page.
    const browser = await h.fetch(created.links.interaction, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect([browser.status, browser.headers.get('location')]).toEqual([303, created.links.page]);

    const first = (await participate(secretOf(exchangeUrl), {})).body as any;
    const vpr = first.verifiablePresentationRequest;
    expect(vpr.query).toEqual([expect.objectContaining({ type: 'DIDAuthentication', acceptedMethods: [{ method: 'key' }] })]);
    expect(vpr.domain).toBe('credentials.test');
    expect(typeof vpr.challenge).toBe('string');
    expect(vpr.interact).toBeUndefined();

    const vp = await holder.sign({ challenge: vpr.challenge, domain: vpr.domain });
    expect(vp.proof).toMatchObject({ type: 'Ed25519Signature2020', proofPurpose: 'authentication', challenge: vpr.challenge, domain: vpr.domain });
    const done = await participate(secretOf(exchangeUrl), { verifiablePresentation: vp });
    expect(done.status).toBe(200);
    const answer = done.body as any;
    // What LCW's extractCredentialsFrom needs: a VerifiablePresentation with verifiableCredential.
    expect(answer.verifiablePresentation.type).toContain('VerifiablePresentation');
    const [copy] = answer.verifiablePresentation.verifiableCredential;
    expect(copy.credentialSubject.id).toBe(holder.did);
    expect(copy.proof[0]).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' });
    const original = JSON.parse((await getCredential(h.db, h.slug, credentialId))!.credential);
    expect(copy.id).not.toBe(original.id);
    expect(copy.credentialStatus).toEqual(original.credentialStatus);
    expect(copy.credentialSubject.achievement).toEqual(original.credentialSubject.achievement);
    const report = await h.app.verifier.credential(copy);
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);

    expect((await offersOf(credentialId))[0]).toMatchObject({ id: created.offer.id, state: 'claimed' });
    expect(await claimsOf(credentialId)).toEqual([
      expect.objectContaining({ id: copy.id, holder: holder.did, format: 'ldp_vc', protocol: 'vcapi', offerId: created.offer.id }),
    ]);
    const audit = (await listAudit(h.db, { issuerSlug: h.slug, target: created.offer.id })).items;
    expect(audit.map((a) => a.action)).toEqual(['offer.claim', 'offer.create']);
    expect(JSON.stringify(audit)).not.toContain(holder.did);

    // Revoking the original record reaches the copy; so does a suspension, for this service's verifier.
    const second = await freshOffer('wx-lcw-status');
    const vpr2 = ((await participate(second.secret, {})).body as any).verifiablePresentationRequest;
    const copy2 = ((await participate(second.secret, { verifiablePresentation: await holder.sign(vpr2) })).body as any).verifiablePresentation.verifiableCredential[0];
    await changeStatus(h.ctx, h.slug, second.credentialId, 'suspend', 'under review', 'test');
    const suspended = await h.app.verifier.credential(copy2);
    expect(suspended.verified).toBe(false);
    expect(suspended.checks.find((c) => c.id === 'status')?.message).toMatch(/suspended/);
    await changeStatus(h.ctx, h.slug, second.credentialId, 'unsuspend', 'cleared', 'test');
    expect((await h.app.verifier.credential(copy2)).verified).toBe(true);
    await changeStatus(h.ctx, h.slug, credentialId, 'revoke', 'awarded in error', 'test');
    const revoked = await h.app.verifier.credential(copy);
    expect(revoked.verified).toBe(false);
    expect(revoked.checks.find((c) => c.id === 'status')).toMatchObject({ status: 'fail' });
  });

  it('takes a VC 1.1 presentation and a DataIntegrityProof eddsa-rdfc-2022 one too', async () => {
    for (const [n, holder, version] of [[1, await lcwHolder(), 1.0], [2, await dataIntegrityHolder(), 2.0]] as const) {
      const { secret } = await freshOffer(`wx-variants-${n}`);
      const vpr = ((await participate(secret, {})).body as any).verifiablePresentationRequest;
      const vp = await (holder as any).sign({ ...vpr, version });
      const copy = ((await participate(secret, { verifiablePresentation: vp })).body as any).verifiablePresentation.verifiableCredential[0];
      expect(copy.credentialSubject.id).toBe(holder.did);
    }
  });

  it('refuses a wrong challenge, a wrong domain, another DID\'s signature and a tampered VP, and the offer stays usable', async () => {
    const { secret, created } = await freshOffer('wx-fail-1');
    const holder = await lcwHolder();
    const other = await lcwHolder();
    const vpr = ((await participate(secret, {})).body as any).verifiablePresentationRequest;

    const wrongChallenge = await problemOf(participate(secret, { verifiablePresentation: await holder.sign({ challenge: 'made-up', domain: vpr.domain }) }));
    expect([wrongChallenge.status, wrongChallenge.code]).toEqual([400, 'challenge-unknown']);
    const wrongDomain = await problemOf(participate(secret, { verifiablePresentation: await holder.sign({ challenge: vpr.challenge, domain: 'evil.example' }) }));
    expect([wrongDomain.status, wrongDomain.code]).toEqual([400, 'domain-mismatch']);
    const noDomain = await problemOf(participate(secret, { verifiablePresentation: await holder.sign({ challenge: vpr.challenge }) }));
    expect(noDomain.code).toBe('domain-mismatch');
    // Names holder's DID but is signed by another wallet's key.
    const impostor = await problemOf(participate(secret, { verifiablePresentation: await other.sign({ ...vpr, holder: holder.did }) }));
    expect([impostor.status, impostor.code]).toEqual([400, 'holder-mismatch']);
    const good = await holder.sign(vpr);
    const tampered = await problemOf(participate(secret, { verifiablePresentation: { ...good, id: 'urn:uuid:changed' } }));
    expect(tampered.code).toBe('signature-invalid');
    const unsigned = await problemOf(participate(secret, { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: holder.did } }));
    expect(unsigned.code).toBe('presentation-malformed');
    expect((await problemOf(participate(secret, ['x']))).status).toBe(400);
    for (const p of [wrongChallenge, wrongDomain, impostor, tampered]) expect(p.message.length).toBeGreaterThan(20);

    // Nothing was claimed; the right presentation still works.
    expect((await offersOf(created.offer.credentialId))[0]?.state).toBe('open');
    const ok = await participate(secret, { verifiablePresentation: good });
    expect((ok.body as any).verifiablePresentation.verifiableCredential[0].credentialSubject.id).toBe(holder.did);
  });

  it('refuses a replayed presentation: on the same exchange (used offer) and on another one (foreign challenge)', async () => {
    const a = await freshOffer('wx-replay-a');
    const b = await freshOffer('wx-replay-b');
    const holder = await lcwHolder();
    const vpr = ((await participate(a.secret, {})).body as any).verifiablePresentationRequest;
    const vp = await holder.sign(vpr);
    await participate(a.secret, { verifiablePresentation: vp });
    const again = await problemOf(participate(a.secret, { verifiablePresentation: vp }));
    expect([again.status, again.code]).toEqual([410, 'offer-claimed']);
    await participate(b.secret, {});
    const elsewhere = await problemOf(participate(b.secret, { verifiablePresentation: vp }));
    expect([elsewhere.status, elsewhere.code]).toEqual([400, 'challenge-unknown']);
    expect((await claimsOf(b.credentialId))).toEqual([]);
  });

  it('refuses expired, withdrawn and unknown offers, and offers of a revoked credential', async () => {
    const old = await h.issue('wx-expired-1');
    const expired = await createOffer(h.ctx, h.slug, old, { actor: 'test', expiresInDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    expect(expired.offer.state).toBe('expired');
    for (const call of [interaction(secretOf(expired.links.exchange)), participate(secretOf(expired.links.exchange), {})]) {
      const p = await problemOf(call);
      expect([p.status, p.code]).toEqual([410, 'offer-expired']);
    }
    const w = await freshOffer('wx-withdrawn-1');
    const view = await revokeOffer(w.created.offer.id, { reason: 'sent to an old address' });
    expect(view).toMatchObject({ state: 'revoked', reason: 'sent to an old address' });
    expect((await problemOf(participate(w.secret, {}))).code).toBe('offer-revoked');
    expect((await listAudit(h.db, { issuerSlug: h.slug, target: w.created.offer.id })).items[0]).toMatchObject({ action: 'offer.revoke', reason: 'sent to an old address', actor: expect.stringMatching(/^api-key:/) });
    expect((await problemOf(interaction('A'.repeat(43)))).status).toBe(404);
    const r = await freshOffer('wx-revoked-cred');
    await changeStatus(h.ctx, h.slug, r.credentialId, 'revoke', 'error', 'test');
    expect((await problemOf(participate(r.secret, {}))).code).toBe('credential-revoked');
    // A claimed offer cannot be withdrawn (revoke the credential instead).
    const c = await freshOffer('wx-claimed-withdraw');
    const vpr = ((await participate(c.secret, {})).body as any).verifiablePresentationRequest;
    await participate(c.secret, { verifiablePresentation: await (await lcwHolder()).sign(vpr) });
    expect((await problemOf(revokeOffer(c.created.offer.id))).status).toBe(409);
  });

  it('an offer of a JWT credential gives a Data Integrity copy (LCW cannot verify VC-JWT)', async () => {
    const { secret, credentialId } = await freshOffer('wx-jwt-original', 'jwt');
    const holder = await lcwHolder();
    const vpr = ((await participate(secret, {})).body as any).verifiablePresentationRequest;
    const copy = ((await participate(secret, { verifiablePresentation: await holder.sign(vpr) })).body as any).verifiablePresentation.verifiableCredential[0];
    const original = decodeJwt((await getCredential(h.db, h.slug, credentialId))!.credential) as any;
    expect(copy.credentialStatus).toEqual(original.credentialStatus);
    expect(copy.iss).toBeUndefined();
    expect((await h.app.verifier.credential(copy)).verified).toBe(true);
  });
});

describe('LCW\'s one-step request (vc_request_url)', () => {
  it('the bare DIDAuth VP with the link\'s challenge and no domain gets the credential itself', async () => {
    const { created, credentialId } = await freshOffer('wx-direct-1');
    const holder = await lcwHolder();
    const { vc_request_url, challenge } = created.links.direct;
    const secret = vc_request_url.split('/').slice(-2)[0] as string;
    // credentialRequest.ts: createVerifiablePresentation({didRecord, challenge}), no domain, POSTed as the body.
    const vp = await holder.sign({ challenge });
    const res = await directRequest(secret, vp);
    expect(res.status).toBe(200);
    const copy = res.body as any;
    expect(copy.type).toContain('VerifiableCredential');
    expect(copy.credentialSubject.id).toBe(holder.did);
    expect((await h.app.verifier.credential(copy)).verified).toBe(true);
    expect((await claimsOf(credentialId))[0]).toMatchObject({ protocol: 'vcapi-direct', holder: holder.did });
    expect((await problemOf(directRequest(secret, vp))).code).toBe('offer-claimed');
  });

  it('refuses another challenge and a domain that is not this deployment', async () => {
    const { created } = await freshOffer('wx-direct-2');
    const holder = await lcwHolder();
    const secret = created.links.direct.vc_request_url.split('/').slice(-2)[0] as string;
    expect((await problemOf(directRequest(secret, await holder.sign({ challenge: 'other' })))).code).toBe('challenge-missing');
    expect((await problemOf(directRequest(secret, await holder.sign({ challenge: created.links.direct.challenge, domain: 'evil.example' })))).code).toBe('domain-mismatch');
    expect((await directRequest(secret, { verifiablePresentation: await holder.sign({ challenge: created.links.direct.challenge }) })).status).toBe(200);
  });
});
