/**
 * The two JWT profiles: W3C VC-JOSE-COSE (`typ: vc+jwt`, `cty: vc`, payload = the credential) and the Open Badges 3.0
 * VC-JWT. Tokens microcred signs are verified independently with plain `jose` and keys derived here (from jwks.json
 * or, for did:key, with the Digital Bazaar multikey libraries), their headers are checked against VC-JOSE-COSE §3.1.1,
 * and microcred's verifier reports which profile it saw, refuses unknown `crit` and the claims the profile forbids.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
// @ts-ignore -- untyped package
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
// @ts-ignore -- untyped package
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { generateKeySet, type KeySet } from '../src/keyset/keyset.js';
import { createDidResolver } from '../src/did/resolve.js';
import { issueCredential } from '../src/issue.js';
import { jwtProfileOf, signJwt } from '../src/proof/jwt.js';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { fixture, mapFetch } from './verify-helpers.js';

const NOW = new Date('2025-07-01T00:00:00Z');
let edDidKey: KeySet;
let p256DidKey: KeySet;
let web: KeySet;
let webDir: string;
let webDidJson: Record<string, any>;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'microcred-jwt-'));
  edDidKey = await generateKeySet({ dir: path.join(root, 'ed') });
  p256DidKey = await generateKeySet({ dir: path.join(root, 'p256'), didKeyAlg: 'ES256' });
  webDir = path.join(root, 'web');
  web = await generateKeySet({ dir: webDir, didWeb: 'badges.example.ac.uk:issuers:3' });
  webDidJson = JSON.parse(await readFile(path.join(webDir, 'did.json'), 'utf8'));
});

/** A generic (non-Open Badges) VC 2.0 credential: the vc-di-eddsa example, issued by `issuer`. */
function generic(issuer: string): Record<string, any> {
  return { ...fixture('w3c-vc-di-eddsa-unsigned.json'), issuer };
}

function badge(issuerId: string): Record<string, any> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:0f3b2c1d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Research Data Management',
    issuer: { id: issuerId, type: ['Profile'], name: 'Example University of Northbridge' },
    validFrom: '2025-06-30T00:00:00Z',
    credentialSubject: {
      id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://www.northbridge.example.ac.uk/achievements/RDM1',
        type: ['Achievement'],
        name: 'Research Data Management',
        description: 'A 5-credit micro-credential.',
        criteria: { narrative: 'Submit a data management plan.' },
      },
    },
  };
}

const header = (jws: string) => jose.decodeProtectedHeader(jws) as Record<string, unknown>;
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString('utf8'));
const proofCheck = (report: Awaited<ReturnType<typeof verify>>) => report.checks.find((c) => c.id === 'proof')!;

/** microcred's verifier, offline (did:key through the default resolver, did:web as published, extra documents). */
function ours(jws: string, docs: Record<string, unknown> = {}) {
  const didKeys = createDidResolver();
  return verify(jws, {
    now: NOW,
    fetch: mapFetch({}),
    resolver: async (url) => docs[url] ?? (url === web.controller ? webDidJson : url.startsWith('did:key:') ? didKeys(url) : undefined),
  });
}

/** The public key of a did:key derived with the Digital Bazaar multikey libraries, as a JWK (not microcred's code). */
async function didKeyJwk(did: string): Promise<jose.JWK> {
  const publicKeyMultibase = did.slice('did:key:'.length);
  if (publicKeyMultibase.startsWith('z6Mk')) {
    return Ed25519Multikey.toJwk({ keyPair: await Ed25519Multikey.from({ publicKeyMultibase }) });
  }
  return EcdsaMultikey.toJwk({ keyPair: await EcdsaMultikey.from({ publicKeyMultibase }) });
}

describe('VC-JOSE-COSE (application/vc+jwt)', () => {
  it.each([
    ['did:web, ES256 (the default alg)', () => web, undefined, 'ES256'],
    ['did:web, EdDSA', () => web, 'EdDSA', 'EdDSA'],
    ['an Ed25519 did:key, EdDSA', () => edDidKey, undefined, 'EdDSA'],
    ['a P-256 did:key, ES256', () => p256DidKey, undefined, 'ES256'],
  ] as const)('%s: header and payload as the spec says, verified by jose alone and by microcred', async (_what, keysOf, alg, expectedAlg) => {
    const keys = keysOf();
    const credential = generic(keys.controller);
    const jws = await issueCredential(credential, { format: 'jwt', keys, ...(alg ? { alg } : {}) });
    // A generic credential defaults to VC-JOSE-COSE: typ vc+jwt, cty vc, kid = an absolute verification method URL.
    const h = header(jws);
    expect(h).toEqual({ alg: expectedAlg, kid: expect.any(String), typ: 'vc+jwt', cty: 'vc' });
    expect(String(h.kid).startsWith(`${keys.controller}#`)).toBe(true);
    if (keys === web) expect(webDidJson.assertionMethod).toContain(h.kid);
    // The payload is exactly the credential: no claims added, and no vc / vp claim.
    expect(payloadOf(jws)).toEqual(credential);

    const jwk =
      keys === web
        ? JSON.parse(await readFile(path.join(webDir, 'jwks.json'), 'utf8')).keys.find((k: { kid: string }) => k.kid === h.kid)
        : await didKeyJwk(keys.controller);
    expect(jwk.d).toBeUndefined();
    const { payload, protectedHeader } = await jose.jwtVerify(jws, await jose.importJWK(jwk, expectedAlg), { typ: 'vc+jwt', algorithms: [expectedAlg] });
    expect(protectedHeader.cty).toBe('vc');
    expect(payload).toEqual(credential);

    const report = await ours(jws);
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.format).toBe('jwt');
    expect(proofCheck(report)).toMatchObject({ status: 'pass', profile: 'vc-jose-cose' });

    const [hh, , s] = jws.split('.') as [string, string, string];
    const forged = `${hh}.${Buffer.from(JSON.stringify({ ...credential, name: 'Another Credential' })).toString('base64url')}.${s}`;
    await expect(jose.jwtVerify(forged, await jose.importJWK(jwk, expectedAlg))).rejects.toThrow();
    expect(proofCheck(await ours(forged)).status).toBe('fail');
  });

  it('ES384 with a P-384 key (signJwt), published as a JsonWebKey, verifies with jose and microcred', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES384', { extractable: true });
    const issuer = 'did:web:registry.example.ac.uk';
    const kid = `${issuer}#p384-1`;
    const credential = generic(issuer);
    const jws = await signJwt(credential, { alg: 'ES384', kid, key: privateKey as never, profile: 'vc-jose-cose' });
    expect(header(jws)).toEqual({ alg: 'ES384', kid, typ: 'vc+jwt', cty: 'vc' });
    await expect(jose.jwtVerify(jws, publicKey, { typ: 'vc+jwt' })).resolves.toBeDefined();
    const publicKeyJwk = await jose.exportJWK(publicKey);
    const doc = {
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: issuer,
      verificationMethod: [{ id: kid, type: 'JsonWebKey', controller: issuer, publicKeyJwk }],
      assertionMethod: [kid],
    };
    const report = await ours(jws, { [issuer]: doc });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(proofCheck(report).profile).toBe('vc-jose-cose');
  });

  it('an Open Badges credential can be signed as VC-JOSE-COSE when asked, and is reported as such', async () => {
    const jws = await issueCredential(badge(web.controller), { format: 'jwt', keys: web, profile: 'vc-jose-cose' });
    expect(header(jws).typ).toBe('vc+jwt');
    expect(payloadOf(jws).iss).toBeUndefined();
    const report = await ours(jws);
    expect(report.verified, formatReport(report)).toBe(true);
    expect(proofCheck(report)).toMatchObject({ status: 'pass', profile: 'vc-jose-cose' });
  });

  it('a credential with a vc or vp member cannot be signed as VC-JOSE-COSE', async () => {
    for (const member of ['vc', 'vp']) {
      const credential = { ...generic(web.controller), [member]: {} };
      await expect(issueCredential(credential, { format: 'jwt', keys: web, profile: 'vc-jose-cose' })).rejects.toMatchObject({
        code: 'CREDENTIAL_INVALID',
        details: { path: `$.${member}` },
      });
    }
  });
});

describe('the Open Badges 3.0 VC-JWT stays the default for Open Badges credentials', () => {
  it('typ JWT, iss/jti/sub/nbf claims, reported as ob-vc-jwt', async () => {
    const credential = badge(web.controller);
    const jws = await issueCredential(credential, { format: 'jwt', keys: web });
    expect(header(jws)).toEqual({ alg: 'ES256', kid: web.activeKey('jwt').id, typ: 'JWT' });
    expect(payloadOf(jws)).toMatchObject({ iss: web.controller, jti: credential.id, nbf: Date.parse(credential.validFrom) / 1000 });
    const report = await ours(jws);
    expect(report.verified, formatReport(report)).toBe(true);
    expect(proofCheck(report)).toMatchObject({ status: 'pass', profile: 'ob-vc-jwt' });
  });

  it.each([
    ['did:web, ES256', () => web, 'ES256'],
    ['an Ed25519 did:key, EdDSA', () => edDidKey, 'EdDSA'],
    ['a P-256 did:key, ES256', () => p256DidKey, 'ES256'],
  ] as const)('%s: verified by jose alone and by microcred', async (_what, keysOf, alg) => {
    const keys = keysOf();
    const jws = await issueCredential(badge(keys.controller), { format: 'jwt', keys });
    expect(header(jws)).toEqual({ alg, kid: keys.activeKey('jwt').id, typ: 'JWT' });
    const jwk =
      keys === web
        ? JSON.parse(await readFile(path.join(webDir, 'jwks.json'), 'utf8')).keys.find((k: { kid: string }) => k.kid === header(jws).kid)
        : await didKeyJwk(keys.controller);
    const { payload } = await jose.jwtVerify(jws, await jose.importJWK(jwk, alg), { typ: 'JWT', issuer: keys.controller, currentDate: NOW });
    expect(payload.jti).toBe('urn:uuid:0f3b2c1d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    const report = await ours(jws);
    expect(report.verified, formatReport(report)).toBe(true);
    expect(proofCheck(report)).toMatchObject({ status: 'pass', profile: 'ob-vc-jwt' });
  });

  it('jwtProfileOf reads the profile from the header', () => {
    expect(jwtProfileOf({ alg: 'ES256', typ: 'vc+jwt' })).toBe('vc-jose-cose');
    expect(jwtProfileOf({ alg: 'ES256', typ: 'application/vc+jwt' })).toBe('vc-jose-cose');
    expect(jwtProfileOf({ alg: 'ES256', cty: 'vc' })).toBe('vc-jose-cose');
    expect(jwtProfileOf({ alg: 'RS256', typ: 'JWT' })).toBe('ob-vc-jwt');
    expect(jwtProfileOf({ alg: 'RS256' })).toBe('ob-vc-jwt');
  });
});

describe('what the verifier refuses', () => {
  const key = () => web.signingKey(web.activeKey('jwt', 'ES256').id);
  const kid = () => web.activeKey('jwt', 'ES256').id;

  it.each([
    ['VC-JOSE-COSE', { typ: 'vc+jwt', cty: 'vc' }],
    ['Open Badges', { typ: 'JWT' }],
  ])('%s: a header marking an extension critical ("crit") that microcred does not understand', async (_profile, h) => {
    const credential = generic(web.controller);
    const jws = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
      .setProtectedHeader({ alg: 'ES256', kid: kid(), ...h, crit: ['urn:example:policy'], 'urn:example:policy': 'strict' })
      .sign(key(), { crit: { 'urn:example:policy': true } });
    // jose alone refuses it too unless told it understands the extension.
    await expect(jose.compactVerify(jws, await createPublicOf(web))).rejects.toThrow(/not recognized/);
    const report = await ours(jws);
    expect(report.verified).toBe(false);
    expect(proofCheck(report).status).toBe('fail');
    expect(proofCheck(report).message).toContain('"urn:example:policy"');
    expect(proofCheck(report).message).toContain('crit');
  });

  it('VC-JOSE-COSE: a vc claim is refused (read as a VC 1.1 JWT, whose "vc" credential breaks the data model rules before any key fetch)', async () => {
    const credential = { ...generic(web.controller), vc: { type: ['VerifiableCredential'] } };
    const jws = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
      .setProtectedHeader({ alg: 'ES256', kid: kid(), typ: 'vc+jwt', cty: 'vc' })
      .sign(key());
    const report = await ours(jws);
    expect(report.verified).toBe(false);
    const parse = report.checks.find((c) => c.id === 'parse')!;
    expect(parse.status).toBe('fail');
    expect(parse.code).toBe('MALFORMED_VALUE_ERROR');
    expect(proofCheck(report).status).not.toBe('pass');
  });

  it.each([
    ['an expired token (exp)', { exp: Math.floor(Date.parse('2025-06-01T00:00:00Z') / 1000) }, /expired/],
    ['a token not yet valid (nbf)', { nbf: Math.floor(Date.parse('2025-08-01T00:00:00Z') / 1000) }, /may not be used before/],
    ['an iss that is not the issuer', { iss: 'did:web:elsewhere.example' }, /issued by "did:web:elsewhere.example"/],
  ])('VC-JOSE-COSE: %s', async (_what, extra, reason) => {
    const credential = { ...generic(web.controller), ...extra };
    const jws = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
      .setProtectedHeader({ alg: 'ES256', kid: kid(), typ: 'vc+jwt', cty: 'vc' })
      .sign(key());
    const report = await ours(jws);
    expect(report.verified).toBe(false);
    expect(proofCheck(report)).toMatchObject({ status: 'fail', profile: 'vc-jose-cose' });
    expect(proofCheck(report).message).toMatch(reason);
  });

  it('a VC-JOSE-COSE token without iss, jti, sub or nbf gets no Open Badges warnings', async () => {
    const jws = await issueCredential(generic(web.controller), { format: 'jwt', keys: web });
    const check = proofCheck(await ours(jws));
    expect(check.status).toBe('pass');
    expect(check.message).not.toMatch(/"nbf"|"iss"|Open Badges/);
  });
});

describe('signing options that cannot be honoured are UNSUPPORTED', () => {
  it('ES384 from a key set (which holds no P-384 key)', async () => {
    await expect(issueCredential(generic(web.controller), { format: 'jwt', keys: web, alg: 'ES384' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      details: { option: 'alg', found: 'ES384' },
    });
  });

  it('an unknown profile', async () => {
    await expect(issueCredential(generic(web.controller), { format: 'jwt', keys: web, profile: 'sd-jwt' as never })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      details: { option: 'profile', found: 'sd-jwt' },
    });
  });
});

function createPublicOf(keys: KeySet) {
  return jose.importJWK({ ...keys.activeKey('jwt', 'ES256').publicKeyJwk }, 'ES256');
}
