/**
 * Round trips for both proof formats with our own keys, checked by independent verifiers:
 * Data Integrity with @digitalbazaar/vc's own verifyCredential, VC-JWT with jose alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
// @ts-ignore -- untyped package, used here as an independent verifier
import * as vc from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
// @ts-ignore -- untyped package
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { generateKeySet, type KeySet } from '../src/keyset/keyset.js';
import { didWebDocument } from '../src/did/web-document.js';
import { issueCredential } from '../src/issue.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { MicrocredError } from '../src/errors.js';

let didKeys: KeySet;
let webKeys: KeySet;
let webDir: string;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'microcred-proof-'));
  didKeys = await generateKeySet({ dir: path.join(root, 'didkey') });
  webDir = path.join(root, 'didweb');
  webKeys = await generateKeySet({ dir: webDir, didWeb: 'badges.example.ac.uk:issuers:1' });
});

function unsignedCredential(issuerId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:6a3c1f1e-3a62-4c0e-9a59-0f7f2b1d4e11',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Data Protection in Practice',
    issuer: { id: issuerId, type: ['Profile'], name: 'Example University of Northbridge', url: 'https://www.northbridge.example.ac.uk/' },
    validFrom: '2025-06-30T00:00:00Z',
    credentialSubject: {
      id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://www.northbridge.example.ac.uk/achievements/DPP101',
        type: ['Achievement'],
        name: 'Data Protection in Practice',
        description: 'A 10-credit micro-credential on UK GDPR.',
        criteria: { narrative: 'Pass the assessed case study.' },
        achievementType: 'MicroCredential',
      },
    },
    ...extra,
  };
}

/** A did:key document built here from the fingerprint alone (not by our code). */
function didKeyDoc(did: string) {
  const fp = did.slice('did:key:'.length);
  const vm = { id: `${did}#${fp}`, type: 'Multikey', controller: did, publicKeyMultibase: fp };
  return { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: did, verificationMethod: [vm], assertionMethod: [vm.id] };
}

/** Document loader for the independent verifier: bundled contexts + DID documents (VM URLs return the VM). */
function loaderFor(docs: Record<string, any>) {
  return createDocumentLoader({
    resolve: async (url) => {
      const [base, fragment] = url.split('#');
      const doc = docs[base as string] ?? (base?.startsWith('did:key:') ? didKeyDoc(base) : undefined);
      if (!doc || fragment === undefined) return doc;
      const vm = doc.verificationMethod.find((m: { id: string }) => m.id === url);
      return vm && { '@context': doc['@context'], ...vm };
    },
  });
}

async function vcVerify(credential: unknown, docs: Record<string, any> = {}) {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  return vc.verifyCredential({ credential, suite, documentLoader: loaderFor(docs), now: new Date('2025-07-01T00:00:00Z') });
}

describe('Data Integrity (eddsa-rdfc-2022) round trip', () => {
  it('did:key: proof array that @digitalbazaar/vc verifies', async () => {
    const signed = await issueCredential(unsignedCredential(didKeys.controller), { format: 'di', keys: didKeys, created: '2025-06-30T12:00:00Z' });
    expect(Array.isArray(signed.proof)).toBe(true);
    expect(signed.proof).toHaveLength(1);
    expect(signed.proof[0]).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      created: '2025-06-30T12:00:00Z',
      verificationMethod: didKeys.activeKey('di').id,
    });
    expect(String(signed.proof[0]?.proofValue)).toMatch(/^z[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    const result = await vcVerify(signed);
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
  });

  it('did:web: verifies against the did.json we wrote for publishing', async () => {
    const signed = await issueCredential(unsignedCredential(webKeys.controller), { format: 'di', keys: webKeys });
    const published = JSON.parse(await readFile(path.join(webDir, 'did.json'), 'utf8'));
    expect(published).toEqual(didWebDocument(webKeys));
    const result = await vcVerify(signed, { [webKeys.controller]: published });
    expect(result.verified).toBe(true);
  });

  it('same input, key and created give the same proof (deterministic)', async () => {
    const a = await issueCredential(unsignedCredential(didKeys.controller), { format: 'di', keys: didKeys, created: '2025-06-30T12:00:00Z' });
    const b = await issueCredential(unsignedCredential(didKeys.controller), { format: 'di', keys: didKeys, created: '2025-06-30T12:00:00Z' });
    expect(a.proof).toEqual(b.proof);
  });

  it.each([
    ['achievement name', (c: any) => { c.credentialSubject.achievement.name = 'Data Protection (Advanced)'; }],
    ['subject id', (c: any) => { c.credentialSubject.id = 'did:example:someone-else'; }],
    ['validFrom', (c: any) => { c.validFrom = '2025-06-29T00:00:00Z'; }],
    ['issuer name', (c: any) => { c.issuer.name = 'Another University'; }],
    ['proof created', (c: any) => { c.proof[0].created = '2025-06-30T12:00:01Z'; }],
  ])('tampering with the %s breaks the proof', async (_field, tamper) => {
    const signed = await issueCredential(unsignedCredential(didKeys.controller), { format: 'di', keys: didKeys });
    expect((await vcVerify(signed)).verified).toBe(true);
    const copy = structuredClone(signed);
    tamper(copy);
    expect((await vcVerify(copy)).verified).toBe(false);
  });

  it('a proof does not verify with another key published under the same id', async () => {
    const signed = await issueCredential(unsignedCredential(webKeys.controller), { format: 'di', keys: webKeys });
    const doc = structuredClone(didWebDocument(webKeys));
    const other = await Ed25519Multikey.generate();
    const vmId = signed.proof[0]?.verificationMethod as string;
    doc.verificationMethod = doc.verificationMethod.map((vm) => (vm.id === vmId ? { ...vm, publicKeyMultibase: other.publicKeyMultibase } : vm));
    expect((await vcVerify(signed, { [webKeys.controller]: doc })).verified).toBe(false);
  });

  it('accepts a drop-in cryptosuite object with the same name (for a faster implementation)', async () => {
    let calls = 0;
    const counting = { ...eddsaRdfc2022, canonize: async (input: unknown, opts: any) => { calls++; return eddsaRdfc2022.canonize(input, opts); } };
    const signed = await issueCredential(unsignedCredential(didKeys.controller), { format: 'di', keys: didKeys, cryptosuite: counting });
    expect(calls).toBeGreaterThanOrEqual(2);
    expect((await vcVerify(signed)).verified).toBe(true);
  });

  it('an unknown context is UNKNOWN_CONTEXT, not a network fetch', async () => {
    const cred = unsignedCredential(didKeys.controller);
    (cred['@context'] as string[]).push('https://example.org/my-context.jsonld');
    await expect(issueCredential(cred, { format: 'di', keys: didKeys })).rejects.toMatchObject({ code: 'UNKNOWN_CONTEXT' });
  });

  it('a term no context defines is SIGNING_FAILED naming it (safe mode)', async () => {
    const cred = unsignedCredential(didKeys.controller, { myUndefinedTerm: 'x' });
    await expect(issueCredential(cred, { format: 'di', keys: didKeys })).rejects.toMatchObject({ code: 'SIGNING_FAILED', message: expect.stringContaining('myUndefinedTerm') });
  });

  it('refuses a credential whose issuer is not the key set controller', async () => {
    const err = await issueCredential(unsignedCredential('did:web:elsewhere.example'), { format: 'di', keys: didKeys }).catch((e) => e);
    expect(err).toBeInstanceOf(MicrocredError);
    expect(err.code).toBe('CREDENTIAL_INVALID');
    expect(err.message).toContain('did:web:elsewhere.example');
    expect(err.message).toContain(didKeys.controller);
  });
});

describe('VC-JWT round trip (verified with jose alone)', () => {
  function decodeHeader(jws: string) {
    return JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString('utf8'));
  }

  it('did:web defaults to ES256; verifies with the public JWK from jwks.json; claims match', async () => {
    const cred = unsignedCredential(webKeys.controller, { validUntil: '2030-06-30T00:00:00Z' });
    const jws = await issueCredential(cred, { format: 'jwt', keys: webKeys });
    expect(jws).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
    const header = decodeHeader(jws);
    const kid = webKeys.activeKey('jwt', 'ES256').id;
    expect(header).toEqual({ alg: 'ES256', kid, typ: 'JWT' }); // OB: no other headers
    const set = JSON.parse(await readFile(path.join(webDir, 'jwks.json'), 'utf8'));
    const jwk = set.keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    expect(jwk.d).toBeUndefined();
    const { payload } = await jose.jwtVerify(jws, await jose.importJWK(jwk, 'ES256'), {
      issuer: webKeys.controller,
      currentDate: new Date('2025-07-01T00:00:00Z'),
      typ: 'JWT',
    });
    expect(payload.jti).toBe(cred.id);
    expect(payload.sub).toBe((cred.credentialSubject as { id: string }).id);
    expect(payload.nbf).toBe(Date.parse('2025-06-30T00:00:00Z') / 1000);
    expect(payload.exp).toBe(Date.parse('2030-06-30T00:00:00Z') / 1000);
    const { iss, jti, sub, nbf, exp, ...rest } = payload;
    expect(rest).toEqual(cred); // the payload is the credential itself (VC 2.0)
  });

  it('did:key signs EdDSA; verifies with a JWK derived independently from the DID', async () => {
    const cred = unsignedCredential(didKeys.controller);
    const jws = await issueCredential(cred, { format: 'jwt', keys: didKeys });
    const header = decodeHeader(jws);
    expect(header).toEqual({ alg: 'EdDSA', kid: `${didKeys.controller}#${didKeys.controller.slice(8)}`, typ: 'JWT' });
    const mk = await Ed25519Multikey.from({ publicKeyMultibase: didKeys.controller.slice(8) });
    const jwk = await Ed25519Multikey.toJwk({ keyPair: mk });
    const { payload } = await jose.jwtVerify(jws, await jose.importJWK(jwk, 'EdDSA'), { currentDate: new Date('2025-07-01T00:00:00Z') });
    expect(payload).toMatchObject({ iss: didKeys.controller, jti: cred.id, sub: (cred.credentialSubject as any).id, nbf: 1751241600 });
    expect(payload.exp).toBeUndefined();
  });

  it('did:web can sign EdDSA with its Ed25519 key when asked', async () => {
    const jws = await issueCredential(unsignedCredential(webKeys.controller), { format: 'jwt', keys: webKeys, alg: 'EdDSA' });
    const header = decodeHeader(jws);
    expect(header.alg).toBe('EdDSA');
    expect(header.kid).toBe(webKeys.activeKey('di').id);
    const jwk = { ...webKeys.activeKey('di').publicKeyJwk };
    await expect(jose.jwtVerify(jws, await jose.importJWK(jwk, 'EdDSA'), { currentDate: new Date('2025-07-01T00:00:00Z') })).resolves.toBeDefined();
  });

  it('ES256 with a did:key issuer is a clear UNSUPPORTED error', async () => {
    const err = await issueCredential(unsignedCredential(didKeys.controller), { format: 'jwt', keys: didKeys, alg: 'ES256' }).catch((e) => e);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/did:key.*EdDSA/);
  });

  it('omits sub when the subject has no id', async () => {
    const cred = unsignedCredential(webKeys.controller);
    delete (cred.credentialSubject as any).id;
    (cred.credentialSubject as any).identifier = [{ type: 'IdentityObject', identityHash: 'Jane Doe', identityType: 'name', hashed: false }];
    const jws = await issueCredential(cred, { format: 'jwt', keys: webKeys });
    const payload = jose.decodeJwt(jws);
    expect(payload.sub).toBeUndefined();
    expect(payload.iss).toBe(webKeys.controller);
  });

  it('a credential without validFrom cannot become a JWT (nbf is required)', async () => {
    const cred = unsignedCredential(webKeys.controller);
    delete cred.validFrom;
    await expect(issueCredential(cred, { format: 'jwt', keys: webKeys })).rejects.toMatchObject({ code: 'CREDENTIAL_INVALID', message: expect.stringContaining('validFrom') });
  });

  it('tampering with the payload or using another key fails jose verification', async () => {
    const jws = await issueCredential(unsignedCredential(webKeys.controller), { format: 'jwt', keys: webKeys });
    const [h, p, s] = jws.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    payload.credentialSubject.achievement.name = 'Something else';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const key = await jose.importJWK({ ...webKeys.activeKey('jwt').publicKeyJwk }, 'ES256');
    await expect(jose.jwtVerify(forged, key)).rejects.toThrow();
    const other = await jose.generateKeyPair('ES256');
    await expect(jose.jwtVerify(jws, other.publicKey)).rejects.toThrow();
  });
});
