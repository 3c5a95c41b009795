/**
 * OID4VCI 1.0 pre-authorized code flow, end to end with an independent holder (`@openid4vc/openid4vci`'s client
 * side, over real HTTP to the running service), plus wire-level tests of every endpoint's failures (form-encoded
 * token requests, JSON credential requests, as wallets send them) and of the draft 13 request shapes (format + credential_definition, single proof, c_nonce from the token
 * answer). The JWT copies are checked with plain `jose` and by microcred's verifier, before and after revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import type { CallbackContext, JwtSigner } from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { createOffer, claimsOf, offersOf, updateClaimSettings } from '../src/service/wallet/offers.js';
import { changeStatus } from '../src/service/issuance.js';
import { issuerJwks } from '../src/service/publish.js';
import { HttpProblem } from '../src/service/problem.js';
import { ed25519PublicKeyMultibase } from '../src/lib/multibase.js';
import { call, expectOk, PUBLIC_URL, startWallet } from './wallet-helpers.js';
import type { Answer, WalletHarness } from './wallet-helpers.js';

let h: WalletHarness;
const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

beforeAll(async () => {
  h = await startWallet();
});
afterAll(async () => {
  await h?.close();
});

// The endpoints over HTTP, as wallets call them.
const vci = (p: string) => `/issuers/${h.slug}/oid4vci/${p}`;
const getCredentialOffer = async (secret: string): Promise<Answer> => expectOk(await call(h, 'GET', vci(`offers/${secret}`)));
const token = (r: { body: Record<string, string>; headers: Record<string, string> }): Promise<Answer> => call(h, 'POST', vci('token'), { form: r.body, headers: r.headers });
const nonce = (): Promise<Answer> => call(h, 'POST', vci('nonce'));
const credential = (r: { body: unknown; headers: Record<string, string> }): Promise<Answer> => call(h, 'POST', vci('credential'), { json: r.body, headers: r.headers });

interface Holder {
  did?: string;
  jwk: JWK;
  alg: 'EdDSA' | 'ES256';
  key: CryptoKey;
  signer: JwtSigner;
}

/** A holder key: Ed25519 as did:key, P-256 as did:jwk, or a bare jwk. */
async function holder(kind: 'did:key' | 'did:jwk' | 'jwk'): Promise<Holder> {
  const alg = kind === 'did:key' ? 'EdDSA' : 'ES256';
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  if (kind === 'did:key') {
    const mb = ed25519PublicKeyMultibase(Buffer.from(jwk.x as string, 'base64url'));
    const did = `did:key:${mb}`;
    return { did, jwk, alg, key: privateKey, signer: { method: 'did', didUrl: `${did}#${mb}`, alg } };
  }
  if (kind === 'did:jwk') {
    const did = `did:jwk:${Buffer.from(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).toString('base64url')}`;
    return { did, jwk, alg, key: privateKey, signer: { method: 'did', didUrl: `${did}#0`, alg } };
  }
  return { jwk, alg, key: privateKey, signer: { method: 'jwk', publicJwk: jwk as never, alg } };
}

function clientFor(hold: Holder): Openid4vciClient {
  const callbacks: Partial<CallbackContext> = {
    fetch: h.fetch,
    hash: async (data, alg) => new Uint8Array(await crypto.subtle.digest(alg === 'sha-256' ? 'SHA-256' : 'SHA-512', data)),
    generateRandom: (n) => crypto.getRandomValues(new Uint8Array(n)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (_signer, { header, payload }) => ({
      jwt: await new SignJWT(payload as never).setProtectedHeader(header as never).sign(hold.key),
      signerJwk: hold.jwk as never,
    }),
  };
  return new Openid4vciClient({ callbacks: callbacks as CallbackContext });
}

/** A proof JWT as wallets make them (typ openid4vci-proof+jwt, aud, iat, nonce), built by hand with jose. */
async function proofJwt(hold: Holder, options: { nonce?: string; aud?: string; typ?: string; iat?: number; key?: CryptoKey } = {}): Promise<string> {
  const header: Record<string, unknown> = { alg: hold.alg, typ: options.typ ?? 'openid4vci-proof+jwt' };
  if (hold.signer.method === 'did') header.kid = hold.signer.didUrl;
  else header.jwk = hold.jwk;
  return new SignJWT({ ...(options.nonce !== undefined ? { nonce: options.nonce } : {}) })
    .setProtectedHeader(header as never)
    .setAudience(options.aud ?? `${PUBLIC_URL}/issuers/${h.slug}`)
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .sign(options.key ?? hold.key);
}

async function offerFor(recordId: string, opts: { txCode?: boolean; format?: 'di' | 'jwt' } = {}) {
  const credentialId = await h.issue(recordId, opts.format ?? 'di');
  const created = await createOffer(h.ctx, h.slug, credentialId, { actor: 'test', ...(opts.txCode !== undefined ? { txCode: opts.txCode } : {}) });
  const secret = created.links.oid4vci.credentialOfferUri.split('/').pop() as string;
  const offerObject = (await getCredentialOffer(secret)).body as any;
  const code = offerObject.grants[PRE_AUTH]['pre-authorized_code'] as string;
  return { credentialId, created, secret, code, offerObject };
}

async function accessToken(code: string, extra: Record<string, string> = {}): Promise<{ access_token: string; c_nonce: string }> {
  const res = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code, ...extra }, headers: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { access_token: string; c_nonce: string };
}

async function freshNonce(): Promise<string> {
  return ((await nonce()).body as { c_nonce: string }).c_nonce;
}

describe('metadata', () => {
  it('credential issuer and authorization server metadata, at the path-aware well-known URLs', async () => {
    const meta = expectOk(await call(h, 'GET', `/.well-known/openid-credential-issuer/issuers/${h.slug}`)).body as any;
    // Where pre-1.0 wallets look, the same document.
    expect(expectOk(await call(h, 'GET', `/issuers/${h.slug}/.well-known/openid-credential-issuer`)).body).toEqual(meta);
    const issuerId = `${PUBLIC_URL}/issuers/${h.slug}`;
    expect(meta).toMatchObject({
      credential_issuer: issuerId,
      authorization_servers: [issuerId],
      credential_endpoint: `${issuerId}/oid4vci/credential`,
      nonce_endpoint: `${issuerId}/oid4vci/nonce`,
      display: [expect.objectContaining({ name: 'Example University of Northbridge', locale: 'en' })],
    });
    const ldp = meta.credential_configurations_supported.OpenBadgeCredential_ldp_vc;
    expect(ldp).toMatchObject({ format: 'ldp_vc', credential_definition: { type: ['VerifiableCredential', 'OpenBadgeCredential'] }, proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['EdDSA', 'ES256'] } } });
    expect(ldp.credential_definition['@context'][0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(ldp.credential_metadata.display[0].name).toMatch(/micro-credential/);
    expect(meta.credential_configurations_supported.OpenBadgeCredential_jwt_vc_json).toMatchObject({ format: 'jwt_vc_json', cryptographic_binding_methods_supported: ['did:key', 'did:jwk', 'jwk'] });
    const as = expectOk(await call(h, 'GET', `/.well-known/oauth-authorization-server/issuers/${h.slug}`)).body as any;
    expect(expectOk(await call(h, 'GET', `/issuers/${h.slug}/.well-known/oauth-authorization-server`)).body).toEqual(as);
    expect((await call(h, 'GET', '/.well-known/openid-credential-issuer/issuers/no-such-issuer')).status).toBe(404);
    expect(as).toMatchObject({ issuer: issuerId, token_endpoint: `${issuerId}/oid4vci/token`, 'pre-authorized_grant_anonymous_access_supported': true, jwks_uri: `${issuerId}/jwks.json` });
    // Served where the client library looks (host, then the well-known segment, then the identifier's path).
    const res = await h.fetch(`${PUBLIC_URL}/.well-known/openid-credential-issuer/issuers/${h.slug}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).credential_issuer).toBe(issuerId);
  });
});

describe('OID4VCI 1.0 with the @openid4vc client', () => {
  for (const [kind, configuration] of [['did:key', 'OpenBadgeCredential_jwt_vc_json'], ['did:jwk', 'OpenBadgeCredential_jwt_vc_json'], ['jwk', 'OpenBadgeCredential_ldp_vc'], ['did:key', 'OpenBadgeCredential_ldp_vc']] as const) {
    it(`offer → metadata → token → nonce → credential (${configuration}, ${kind} key)`, async () => {
      const { credentialId, created } = await offerFor(`vci-e2e-${kind}-${configuration}`);
      const hold = await holder(kind);
      const client = clientFor(hold);
      const offer = await client.resolveCredentialOffer(created.links.oid4vci.offer);
      expect(offer.credential_configuration_ids).toEqual(['OpenBadgeCredential_ldp_vc', 'OpenBadgeCredential_jwt_vc_json']);
      const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
      const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata });
      expect(accessTokenResponse.token_type).toBe('Bearer');
      const { c_nonce } = await client.requestNonce({ issuerMetadata });
      const { jwt } = await client.createCredentialRequestJwtProof({ issuerMetadata, credentialConfigurationId: configuration, signer: hold.signer, nonce: c_nonce });
      const { credentialResponse } = await client.retrieveCredentials({ issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: configuration, proofs: { jwt: [jwt] } });
      expect((credentialResponse as any)?.credentials, 'the 1.0 answer').toBeDefined();
      const received = (credentialResponse as any).credentials[0].credential;
      const holderDid = hold.did ?? (await claimsOf(h.ctx, h.slug, credentialId))[0]?.holder;
      expect(holderDid).toMatch(/^did:(key|jwk):/);
      if (configuration === 'OpenBadgeCredential_jwt_vc_json') {
        expect(typeof received).toBe('string');
        // Plain jose, with the issuer's published JWK set: the OB 3.0 VC-JWT profile, sub = the holder.
        const header = decodeProtectedHeader(received);
        expect(header.typ).toBe('JWT');
        const jwk = (await issuerJwks(h.ctx, h.slug)).keys.find((k) => k.kid === header.kid);
        const { payload } = await jwtVerify(received, await importJWK(jwk as JWK, header.alg as string));
        expect(payload.sub).toBe(holderDid);
        expect((payload.credentialSubject as any).id).toBe(holderDid);
        expect(payload.iss).toBe((await h.ctx.issuer(h.slug)).keys.controller);
      } else {
        expect(received.credentialSubject.id).toBe(holderDid);
        expect(received.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');
      }
      if (kind === 'jwk') expect(holderDid).toBe(`did:jwk:${Buffer.from(JSON.stringify({ crv: hold.jwk.crv, kty: hold.jwk.kty, x: hold.jwk.x, y: hold.jwk.y })).toString('base64url')}`);
      expect((await h.app.verifier.credential(received)).verified).toBe(true);
      expect(await claimsOf(h.ctx, h.slug, credentialId)).toEqual([expect.objectContaining({ holder: holderDid, protocol: 'oid4vci', format: configuration.endsWith('ldp_vc') ? 'ldp_vc' : 'jwt_vc_json' })]);
      // The original's revocation reaches the copy.
      await changeStatus(h.ctx, h.slug, credentialId, 'revoke', 'awarded in error', 'test');
      const after = await h.app.verifier.credential(received);
      expect(after.verified).toBe(false);
      expect(after.checks.find((c) => c.id === 'status')?.status).toBe('fail');
    });
  }

  it('with a PIN: the client sends tx_code, the offer describes it', async () => {
    const { created, offerObject } = await offerFor('vci-pin-e2e', { txCode: true });
    expect(created.txCode).toMatch(/^\d{6}$/);
    expect(offerObject.grants[PRE_AUTH].tx_code).toMatchObject({ input_mode: 'numeric', length: 6 });
    const hold = await holder('did:key');
    const client = clientFor(hold);
    const offer = await client.resolveCredentialOffer(created.links.oid4vci.offer);
    const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata, txCode: created.txCode as string });
    expect(accessTokenResponse.access_token).toBeTruthy();
  });
});

describe('token endpoint failures', () => {
  it('unknown code, used code, expired offer, withdrawn offer and a wrong grant type', async () => {
    const unknown = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': 'nope' }, headers: {} });
    expect([unknown.status, (unknown.body as any).error]).toEqual([400, 'invalid_grant']);
    const { code } = await offerFor('vci-token-used');
    await accessToken(code);
    const used = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code }, headers: {} });
    expect([used.status, (used.body as any).error]).toEqual([400, 'invalid_grant']);
    expect((used.body as any).error_description).toMatch(/already been used/);
    const old = await h.issue('vci-token-expired');
    const expired = await createOffer(h.ctx, h.slug, old, { actor: 'test', expiresInDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    await expect(getCredentialOffer(expired.links.oid4vci.credentialOfferUri.split('/').pop() as string)).rejects.toMatchObject({ status: 410, code: 'offer-expired' });
    const { preAuthorizedCode } = await import('../src/service/wallet/secrets.js');
    const expiredCode = preAuthorizedCode(expired.links.oid4vci.credentialOfferUri.split('/').pop() as string);
    const exp = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': expiredCode }, headers: {} });
    expect([(exp.body as any).error, (exp.body as any).error_description]).toEqual(['invalid_grant', expect.stringMatching(/expired/)]);
    const w = await offerFor('vci-token-withdrawn');
    const { revokeOffer } = await import('../src/service/wallet/offers.js');
    await revokeOffer(h.ctx, h.slug, w.created.offer.id, { actor: 'test' });
    expect(((await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': w.code }, headers: {} })).body as any).error).toBe('invalid_grant');
    const grant = await token({ body: { grant_type: 'authorization_code', code: 'x' }, headers: {} });
    expect((grant.body as any).error).toBe('unsupported_grant_type');
    const missing = await token({ body: { grant_type: PRE_AUTH }, headers: {} });
    expect((missing.body as any).error).toBe('invalid_request');
    for (const r of [unknown, used, exp, grant]) expect(r.headers['cache-control']).toBe('no-store');
  });

  it('answers OAuth error objects at the route: JSON instead of a form, an unknown issuer, a field the database cannot hold', async () => {
    const asJson = await call(h, 'POST', vci('token'), { json: { grant_type: PRE_AUTH, 'pre-authorized_code': 'x' } });
    expect([asJson.status, asJson.body.error]).toEqual([415, 'invalid_request']);
    expect(asJson.body.error_description).toMatch(/x-www-form-urlencoded/);
    const unknown = await call(h, 'POST', '/issuers/no-such-issuer/oid4vci/token', { form: { grant_type: PRE_AUTH, 'pre-authorized_code': 'x' } });
    expect([unknown.status, unknown.body.error, unknown.headers['content-type']]).toEqual([404, 'invalid_request', expect.stringMatching(/^application\/json/)]);
    const nul = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': 'a\u0000b' }, headers: {} });
    expect([nul.status, nul.body.error]).toEqual([400, 'invalid_request']);
    expect(nul.body.error_description).toMatch(/pre-authorized_code/);
    const unknownCredential = await call(h, 'POST', '/issuers/no-such-issuer/oid4vci/credential', { json: {} });
    expect([unknownCredential.status, unknownCredential.body.error]).toEqual([404, 'invalid_request']);
  });

  it('a wrong PIN counts against the limit; at the limit the offer is withdrawn; a right PIN before it works', async () => {
    await updateClaimSettings(h.ctx, h.slug, { txCodeMaxAttempts: 3 }, 'test');
    const a = await offerFor('vci-pin-limit', { txCode: true });
    const wrong = a.created.txCode === '000000' ? '111111' : '000000';
    const first = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': a.code, tx_code: wrong }, headers: {} });
    expect([(first.body as any).error, (first.body as any).error_description]).toEqual(['invalid_grant', 'Wrong PIN (tx_code); 2 attempts left.']);
    const none = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': a.code }, headers: {} });
    expect((none.body as any).error).toBe('invalid_request');
    await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': a.code, tx_code: wrong }, headers: {} });
    const last = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': a.code, tx_code: wrong }, headers: {} });
    expect((last.body as any).error_description).toMatch(/last attempt: the offer is withdrawn/);
    const late = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': a.code, tx_code: a.created.txCode as string }, headers: {} });
    expect((late.body as any).error).toBe('invalid_grant');
    expect((await offersOf(h.ctx, h.slug, a.credentialId))[0]).toMatchObject({ state: 'revoked', reason: '3 wrong PINs' });
    const b = await offerFor('vci-pin-ok', { txCode: true });
    await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': b.code, tx_code: wrong === b.created.txCode ? '999999' : wrong }, headers: {} });
    await accessToken(b.code, { tx_code: b.created.txCode as string });
    // A PIN sent to an offer that needs none is refused.
    const c = await offerFor('vci-pin-none', { txCode: false });
    expect(((await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': c.code, tx_code: '123456' }, headers: {} })).body as any).error).toBe('invalid_request');
    await updateClaimSettings(h.ctx, h.slug, { txCodeMaxAttempts: 5 }, 'test');
  });
});

describe('credential endpoint failures', () => {
  const body = (jwt: string) => ({ credential_configuration_id: 'OpenBadgeCredential_jwt_vc_json', proofs: { jwt: [jwt] } });
  const call = (accessTokenValue: string | undefined, b: unknown) => credential({ body: b, headers: accessTokenValue ? { authorization: `Bearer ${accessTokenValue}` } : {} });

  it('no token, a forged token, invalid proofs, nonce problems, and an already-claimed offer; the offer stays claimable until it succeeds', async () => {
    const { code, credentialId } = await offerFor('vci-cred-fail');
    const { access_token } = await accessToken(code);
    const hold = await holder('did:key');
    const noToken = await call(undefined, body(await proofJwt(hold, { nonce: await freshNonce() })));
    expect([noToken.status, (noToken.body as any).error]).toEqual([401, 'invalid_token']);
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer/);
    const [head, payload] = access_token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(access_token), sub: 'offer_someone_else' })).toString('base64url');
    const forged = await call(`${head}.${forgedPayload}.${access_token.split('.')[2]}`, body(await proofJwt(hold, { nonce: await freshNonce() })));
    expect([forged.status, (forged.body as any).error]).toEqual([401, 'invalid_token']);
    void payload;

    const other = await holder('did:key');
    const badSig = await call(access_token, body(await proofJwt(hold, { nonce: await freshNonce(), key: other.key })));
    expect([badSig.status, (badSig.body as any).error]).toEqual([400, 'invalid_proof']);
    const badAud = await call(access_token, body(await proofJwt(hold, { nonce: await freshNonce(), aud: 'https://elsewhere.example' })));
    expect((badAud.body as any).error).toBe('invalid_proof');
    const badTyp = await call(access_token, body(await proofJwt(hold, { nonce: await freshNonce(), typ: 'JWT' })));
    expect((badTyp.body as any).error).toBe('invalid_proof');
    const noProof = await call(access_token, { credential_configuration_id: 'OpenBadgeCredential_jwt_vc_json' });
    expect((noProof.body as any).error).toBe('invalid_proof');
    const notJwt = await call(access_token, body('not-a-jwt'));
    expect(['invalid_proof', 'invalid_credential_request']).toContain((notJwt.body as any).error);
    const noNonce = await call(access_token, body(await proofJwt(hold)));
    expect((noNonce.body as any).error).toBe('invalid_nonce');
    const madeUp = await call(access_token, body(await proofJwt(hold, { nonce: 'made-up' })));
    expect((madeUp.body as any).error).toBe('invalid_nonce');
    const unknownConfig = await call(access_token, { credential_configuration_id: 'Diploma', proofs: { jwt: [await proofJwt(hold, { nonce: await freshNonce() })] } });
    expect(unknownConfig.status).toBe(400);
    expect(await claimsOf(h.ctx, h.slug, credentialId)).toEqual([]);

    const n = await freshNonce();
    const ok = await call(access_token, body(await proofJwt(hold, { nonce: n })));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(decodeJwt((ok.body as any).credentials[0].credential).sub).toBe(hold.did);
    // The same proof again (a replay), and a fresh proof on the used token: the nonce is spent, the offer claimed.
    const replay = await call(access_token, body(await proofJwt(hold, { nonce: n })));
    expect(replay.status).toBe(400);
    expect(['invalid_nonce', 'credential_request_denied']).toContain((replay.body as any).error);
    const again = await call(access_token, body(await proofJwt(hold, { nonce: await freshNonce() })));
    expect([(again.body as any).error, (again.body as any).error_description]).toEqual(['credential_request_denied', expect.stringMatching(/already been used/)]);
  });

  it('a used nonce is refused even on another offer', async () => {
    const a = await offerFor('vci-nonce-a');
    const b = await offerFor('vci-nonce-b');
    const hold = await holder('did:key');
    const n = await freshNonce();
    const ta = await accessToken(a.code);
    const tb = await accessToken(b.code);
    expect((await call(ta.access_token, body(await proofJwt(hold, { nonce: n })))).status).toBe(200);
    const reused = await call(tb.access_token, body(await proofJwt(hold, { nonce: n })));
    expect([(reused.body as any).error, (reused.body as any).error_description]).toEqual(['invalid_nonce', expect.stringMatching(/already been used/)]);
  });

  it('a DPoP-bound token needs its DPoP proof at the credential endpoint', async () => {
    const { code } = await offerFor('vci-dpop');
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const dpop = (htu: string, extra: Record<string, unknown> = {}) =>
      new SignJWT({ htm: 'POST', htu, jti: crypto.randomUUID(), ...extra }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(privateKey);
    const issuerId = `${PUBLIC_URL}/issuers/${h.slug}`;
    const res = await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code }, headers: { dpop: await dpop(`${issuerId}/oid4vci/token`) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const t = res.body as any;
    expect(t.token_type).toBe('DPoP');
    expect((decodeJwt(t.access_token).cnf as any).jkt).toBe(await calculateJwkThumbprint(jwk));
    const hold = await holder('did:key');
    const b = body(await proofJwt(hold, { nonce: await freshNonce() }));
    const without = await credential({ body: b, headers: { authorization: `DPoP ${t.access_token}` } });
    expect(without.status).toBe(401);
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(t.access_token))).toString('base64url');
    const withProof = await credential({ body: b, headers: { authorization: `DPoP ${t.access_token}`, dpop: await dpop(`${issuerId}/oid4vci/credential`, { ath }) } });
    expect(withProof.status, JSON.stringify(withProof.body)).toBe(200);
  });
});

describe('odd input is never a 500', () => {
  it('at the token, credential, offer and exchange routes', async () => {
    const { code, secret } = await offerFor('vci-odd-input');
    const answers = [
      await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code, authorization_details: 'not json' }, headers: {} }),
      await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code, authorization_details: '{"type": 1}' }, headers: {} }),
      await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code, authorization_details: '[null, 1, "x"]' }, headers: {} }),
      await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': 'x'.repeat(201) }, headers: {} }),
      await token({ body: { grant_type: PRE_AUTH, 'pre-authorized_code': code }, headers: { dpop: 'not-a-jwt' } }),
      await credential({ body: { credential_configuration_id: 'OpenBadgeCredential_jwt_vc_json', proofs: { jwt: 'x' } }, headers: { authorization: 'Bearer x.y.z' } }),
      await credential({ body: [1, 2], headers: {} }),
      await call(h, 'POST', vci('credential'), { headers: { 'content-type': 'application/json' } }),
      await call(h, 'GET', vci(`offers/${'%E0%A4%A'}`)),
      await call(h, 'POST', `/issuers/${h.slug}/exchanges/${secret}`, { json: { verifiablePresentation: { proof: { challenge: 7 } } } }),
      await call(h, 'POST', `/issuers/${h.slug}/exchanges/${secret}`, { json: { verifiablePresentation: { proof: [{}], holder: 'did:key:zNope' } } }),
      await call(h, 'POST', `/issuers/${h.slug}/exchanges/${secret}/direct`, { json: { proof: { challenge: 'x', domain: 7 } } }),
    ];
    expect(answers[0]?.body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/authorization_details/) });
    expect(answers.map((a) => a.status).filter((s) => s >= 500), JSON.stringify(answers.map((a) => [a.status, a.text.slice(0, 160)]))).toEqual([]);
    for (const a of answers) expect(a.status, a.text).toBeGreaterThanOrEqual(400);
    // The offer is still usable after all of that.
    expect((await accessToken(code)).access_token).toBeTruthy();
  });
});

describe('draft 13 request shapes', () => {
  it('c_nonce from the token answer, format + credential_definition and a single proof; answered with credential and c_nonce', async () => {
    for (const format of ['ldp_vc', 'jwt_vc_json'] as const) {
      const { code, credentialId } = await offerFor(`vci-d13-${format}`);
      const t = await accessToken(code);
      expect(t.c_nonce).toBeTruthy();
      const hold = await holder('did:key');
      const request = {
        format,
        credential_definition: format === 'ldp_vc'
          ? { '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'], type: ['VerifiableCredential', 'OpenBadgeCredential'] }
          : { type: ['VerifiableCredential', 'OpenBadgeCredential'] },
        proof: { proof_type: 'jwt', jwt: await proofJwt(hold, { nonce: t.c_nonce }) },
      };
      const res = await credential({ body: request, headers: { authorization: `Bearer ${t.access_token}` } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const out = res.body as any;
      expect(out.c_nonce).toBeTruthy();
      const subject = format === 'ldp_vc' ? out.credential.credentialSubject.id : decodeJwt(out.credential).sub;
      expect(subject).toBe(hold.did);
      expect((await claimsOf(h.ctx, h.slug, credentialId))[0]?.format).toBe(format);
    }
  });

  it('refuses a draft 13 request for another credential type', async () => {
    const { code } = await offerFor('vci-d13-other');
    const t = await accessToken(code);
    const hold = await holder('did:key');
    const res = await credential({
      body: { format: 'jwt_vc_json', credential_definition: { type: ['VerifiableCredential', 'UniversityDegree'] }, proof: { proof_type: 'jwt', jwt: await proofJwt(hold, { nonce: t.c_nonce }) } },
      headers: { authorization: `Bearer ${t.access_token}` },
    });
    expect([res.status, (res.body as any).error]).toEqual([400, 'unsupported_credential_format']);
  });
});

describe('the credential offer URI', () => {
  it('is gone once the code was redeemed, and unknown secrets are 404', async () => {
    const { code, secret } = await offerFor('vci-offer-uri');
    await accessToken(code);
    await expect(getCredentialOffer(secret)).rejects.toMatchObject({ status: 410 });
    const e = await getCredentialOffer('x'.repeat(43)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpProblem);
    expect((e as HttpProblem).status).toBe(404);
  });
});
