/**
 * The three Data Integrity cryptosuites microcred signs with (eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019), for
 * every kind of issuer key set (Ed25519 did:key, P-256 did:key, did:web with both keys): each proof is verified
 * independently by @digitalbazaar/vc with the Digital Bazaar suites (@digitalbazaar/eddsa-rdfc-2022-cryptosuite,
 * @digitalbazaar/eddsa-jcs-2022-cryptosuite, @digitalbazaar/ecdsa-rdfc-2019-cryptosuite) against DID documents
 * built here or read from the published did.json, and by microcred's own verifier; tampered copies fail both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import * as canonicalize from 'canonicalize';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-ignore -- untyped package, used here as an independent verifier
import * as vc from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { cryptosuite as dbEddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
// @ts-ignore -- untyped package
import { createVerifyCryptosuite as dbEddsaJcs2022 } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
// @ts-ignore -- untyped package
import { cryptosuite as dbEcdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import { generateKeySet, loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { didWebDocument } from '../src/did/web-document.js';
import { createDidResolver } from '../src/did/resolve.js';
import { issueCredential } from '../src/issue.js';
import { signDataIntegrity } from '../src/proof/di.js';
import { CRYPTOSUITES, type CryptosuiteName } from '../src/keyset/cryptosuites.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { MicrocredError } from '../src/errors.js';
import { fixture, mapFetch } from './verify-helpers.js';

const NOW = new Date('2025-07-01T00:00:00Z');
let edDidKey: KeySet;
let p256DidKey: KeySet;
let web: KeySet;
let webDidJson: Record<string, any>;
let webEdOnly: KeySet;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'microcred-suites-'));
  edDidKey = await generateKeySet({ dir: path.join(root, 'ed') });
  p256DidKey = await generateKeySet({ dir: path.join(root, 'p256'), didKeyAlg: 'ES256' });
  web = await generateKeySet({ dir: path.join(root, 'web'), didWeb: 'badges.example.ac.uk:issuers:7' });
  webDidJson = JSON.parse(await readFile(path.join(root, 'web', 'did.json'), 'utf8'));
  webEdOnly = await generateKeySet({ dir: path.join(root, 'web-ed'), didWeb: 'badges.example.ac.uk:issuers:8', jwtAlg: 'EdDSA' });
});

function badge(issuerId: string): Record<string, any> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:1d7c6a10-4a59-4a5e-9f0e-3c1b2a7d9e01',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Cyber Security Foundations',
    issuer: { id: issuerId, type: ['Profile'], name: 'Example University of Northbridge' },
    validFrom: '2025-06-30T00:00:00Z',
    credentialSubject: {
      id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://www.northbridge.example.ac.uk/achievements/CSF101',
        type: ['Achievement'],
        name: 'Cyber Security Foundations',
        description: 'A 10-credit micro-credential.',
        criteria: { narrative: 'Pass the assessed lab.' },
      },
    },
  };
}

/** A did:key document built here from the DID alone (not by microcred's code). */
function didKeyDoc(did: string) {
  const fp = did.slice('did:key:'.length);
  const vm = { id: `${did}#${fp}`, type: 'Multikey', controller: did, publicKeyMultibase: fp };
  return { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: did, verificationMethod: [vm], assertionMethod: [vm.id] };
}

/** The independent verifier: @digitalbazaar/vc with the Digital Bazaar suite of the proof's cryptosuite. */
async function dbVerify(credential: unknown, docs: Record<string, any> = {}) {
  const cryptosuite = { 'eddsa-rdfc-2022': dbEddsaRdfc2022, 'eddsa-jcs-2022': dbEddsaJcs2022(), 'ecdsa-rdfc-2019': dbEcdsaRdfc2019 }[
    (credential as any).proof[0].cryptosuite as CryptosuiteName
  ];
  const documentLoader = createDocumentLoader({
    resolve: async (url) => {
      const [base, fragment] = url.split('#');
      const doc = docs[base as string] ?? (base?.startsWith('did:key:') ? didKeyDoc(base) : undefined);
      if (!doc || fragment === undefined) return doc;
      const vm = doc.verificationMethod.find((m: { id: string }) => m.id === url);
      return vm && { '@context': doc['@context'], ...vm };
    },
  });
  return vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader, now: NOW });
}

/** microcred's verifier, offline: did:key through the default resolver, the did:web document as published. */
function ours(credential: unknown) {
  const didKeys = createDidResolver();
  return verify(credential as object, {
    now: NOW,
    fetch: mapFetch({}),
    resolver: async (url) => (url === web.controller ? webDidJson : url.startsWith('did:key:') ? didKeys(url) : undefined),
  });
}

const status = (report: Awaited<ReturnType<typeof verify>>, id: string) => report.checks.find((c) => c.id === id)?.status;

describe('issuing in every cryptosuite with every key set', () => {
  const cases: [CryptosuiteName, string, () => KeySet][] = [
    ['eddsa-rdfc-2022', 'Ed25519 did:key', () => edDidKey],
    ['eddsa-rdfc-2022', 'did:web', () => web],
    ['eddsa-jcs-2022', 'Ed25519 did:key', () => edDidKey],
    ['eddsa-jcs-2022', 'did:web', () => web],
    ['ecdsa-rdfc-2019', 'P-256 did:key', () => p256DidKey],
    ['ecdsa-rdfc-2019', 'did:web', () => web],
  ];

  it('covers every cryptosuite offered', () => {
    expect(new Set(cases.map(([suite]) => suite))).toEqual(new Set(CRYPTOSUITES));
  });

  it.each(cases)('%s with a %s issuer: Digital Bazaar and microcred verify it, tampered copies fail both', async (cryptosuite, _kind, keysOf) => {
    const keys = keysOf();
    const signed = await issueCredential(badge(keys.controller), { format: 'di', keys, cryptosuite, created: '2025-06-30T12:00:00Z' });
    const proof = signed.proof[0]!;
    expect(proof).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite,
      proofPurpose: 'assertionMethod',
      created: '2025-06-30T12:00:00Z',
      verificationMethod: keys.dataIntegrityKey(cryptosuite).id,
    });
    expect(String(proof.verificationMethod).split('#')[1]).toMatch(cryptosuite === 'ecdsa-rdfc-2019' ? /^zDn/ : /^z6Mk/);
    expect(String(proof.proofValue)).toMatch(/^z[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    // eddsa-jcs-2022 signs the proof's own members as JSON, @context included (vc-di-eddsa "Create Proof" step 2).
    if (cryptosuite === 'eddsa-jcs-2022') expect(proof['@context']).toEqual(signed['@context']);
    else expect(proof['@context']).toBeUndefined();

    const docs = keys === web ? { [web.controller]: webDidJson } : {};
    const independent = await dbVerify(signed, docs);
    expect(independent.error, JSON.stringify(independent.error?.errors?.map((e: Error) => e.message))).toBeUndefined();
    expect(independent.verified).toBe(true);
    const report = await ours(signed);
    expect(report.verified, formatReport(report)).toBe(true);
    expect(status(report, 'issuer-key')).toBe('pass');

    const tampered = structuredClone(signed) as Record<string, any>;
    tampered.credentialSubject.achievement.name = 'Advanced Cyber Security';
    expect((await dbVerify(tampered, docs)).verified).toBe(false);
    expect(status(await ours(tampered), 'proof')).toBe('fail');

    const otherDate = structuredClone(signed) as Record<string, any>;
    otherDate.proof[0].created = '2025-06-30T12:00:01Z';
    expect((await dbVerify(otherDate, docs)).verified).toBe(false);
    expect(status(await ours(otherDate), 'proof')).toBe('fail');
  });

  it('the did:web document lists the P-256 Multikey under assertionMethod, so ecdsa proofs tie to the issuer', () => {
    const p256 = web.dataIntegrityKey('ecdsa-rdfc-2019');
    expect(p256.publicKeyMultibase).toMatch(/^zDn/);
    expect(p256.id).toBe(web.activeKey('jwt', 'ES256').id); // one P-256 key serves ES256 JWTs and ecdsa proofs
    expect(webDidJson).toEqual(didWebDocument(web));
    expect(webDidJson.assertionMethod).toContain(p256.id);
    expect(webDidJson.verificationMethod).toContainEqual({ id: p256.id, type: 'Multikey', controller: web.controller, publicKeyMultibase: p256.publicKeyMultibase });
  });

  it('eddsa-jcs-2022 also signs a generic VC 2.0 credential', async () => {
    const credential = { ...fixture('w3c-vc-di-eddsa-unsigned.json'), issuer: edDidKey.controller };
    const signed = await issueCredential(credential, { format: 'di', keys: edDidKey, cryptosuite: 'eddsa-jcs-2022' });
    expect((await dbVerify(signed)).verified).toBe(true);
    expect(status(await ours(signed), 'proof')).toBe('pass');
  });

  it('eddsa-jcs-2022: member order does not matter, and contexts appended after signing are not covered', async () => {
    const signed = (await issueCredential(badge(edDidKey.controller), { format: 'di', keys: edDidKey, cryptosuite: 'eddsa-jcs-2022' })) as Record<string, any>;
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    expect((await dbVerify(reordered)).verified).toBe(true);
    expect(status(await ours(reordered), 'proof')).toBe('pass');
    // vc-di-eddsa Verify Proof step 4: the document's @context must start with the proof's; what follows is not signed.
    const examples = 'https://www.w3.org/ns/credentials/examples/v2';
    const appended = structuredClone(signed);
    appended['@context'] = [...signed['@context'], examples];
    expect((await dbVerify(appended)).verified).toBe(true);
    expect(status(await ours(appended), 'proof')).toBe('pass');
    const inserted = structuredClone(signed);
    inserted['@context'] = [signed['@context'][0], examples, ...signed['@context'].slice(1)];
    expect((await dbVerify(inserted)).verified).toBe(false);
    expect(status(await ours(inserted), 'proof')).toBe('fail');
  });

  it('eddsa-jcs-2022: a proof without @context (earlier drafts) is checked as written; adding one breaks it', async () => {
    // Signed through a cryptosuite object built here from RFC 8785 + SHA-256 directly, leaving the proof's @context out.
    const jcs = (value: unknown) => (canonicalize as unknown as { default: (v: unknown) => string }).default(value);
    const sha = (text: string) => createHash('sha256').update(text).digest();
    const withoutContext = {
      name: 'eddsa-jcs-2022',
      requiredAlgorithm: 'Ed25519',
      canonize: async (input: unknown) => jcs(input),
      createVerifier: async () => {
        throw new Error('signing only');
      },
      createVerifyData: async ({ document, proof }: { document: object; proof: Record<string, unknown> }) => {
        const { proofValue: _omit, ...config } = proof;
        return new Uint8Array(Buffer.concat([sha(jcs(config)), sha(jcs(document))]));
      },
    };
    const signed = (await signDataIntegrity(badge(edDidKey.controller), { signer: edDidKey.signer(), cryptosuite: withoutContext })) as Record<string, any>;
    expect(signed.proof[0]['@context']).toBeUndefined();
    expect((await dbVerify(signed)).verified).toBe(true);
    expect(status(await ours(signed), 'proof')).toBe('pass');
    const withContext = structuredClone(signed);
    withContext.proof[0]['@context'] = signed['@context'];
    expect((await dbVerify(withContext)).verified).toBe(false);
    expect(status(await ours(withContext), 'proof')).toBe('fail');
  });
});

describe('unsupported combinations are UNSUPPORTED errors that name the option', () => {
  it.each([
    ['ecdsa-rdfc-2019', 'an Ed25519 did:key', () => edDidKey, /P-256/],
    ['ecdsa-rdfc-2019', 'a did:web issuer without a P-256 key', () => webEdOnly, /rotateKey\(dir, 'ES256'\)/],
    ['eddsa-rdfc-2022', 'a P-256 did:key', () => p256DidKey, /Ed25519/],
    ['eddsa-jcs-2022', 'a P-256 did:key', () => p256DidKey, /Ed25519/],
  ] as const)('%s with %s', async (cryptosuite, _what, keysOf, hint) => {
    const keys = keysOf();
    const err = await issueCredential(badge(keys.controller), { format: 'di', keys, cryptosuite }).catch((e) => e);
    expect(err).toBeInstanceOf(MicrocredError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(hint);
    expect(err.details).toMatchObject({ option: 'cryptosuite', cryptosuite });
  });

  it('an unknown cryptosuite name', async () => {
    const err = await issueCredential(badge(edDidKey.controller), { format: 'di', keys: edDidKey, cryptosuite: 'bbs-2023' as CryptosuiteName }).catch((e) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED', details: { option: 'cryptosuite', found: 'bbs-2023' } });
    expect(err.message).toContain('eddsa-jcs-2022');
  });

  it('signDataIntegrity with a signer whose key the cryptosuite cannot use', async () => {
    const signer = p256DidKey.signer(p256DidKey.dataIntegrityKey('ecdsa-rdfc-2019').id);
    await expect(signDataIntegrity(badge(p256DidKey.controller), { signer, cryptosuite: 'eddsa-jcs-2022' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      details: { option: 'cryptosuite', cryptosuite: 'eddsa-jcs-2022', needs: 'Ed25519', found: 'P-256' },
    });
    const edSigner = edDidKey.signer();
    await expect(signDataIntegrity(badge(edDidKey.controller), { signer: edSigner, cryptosuite: 'ecdsa-rdfc-2019' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      details: { needs: 'P-256', found: 'Ed25519' },
    });
  });
});

describe('P-256 did:key key sets', () => {
  it('are one P-256 key whose DID is did:key:zDn…, reload from disk, and sign ES256 JWTs with the same key', async () => {
    expect(p256DidKey.controller).toMatch(/^did:key:zDn[1-9A-HJ-NP-Za-km-z]+$/);
    expect(p256DidKey.keys).toHaveLength(1);
    const [key] = p256DidKey.keys;
    expect(key).toMatchObject({ alg: 'ES256', id: `${p256DidKey.controller}#${p256DidKey.controller.slice(8)}` });
    const reloaded = await loadKeySet(path.join(root, 'p256'));
    expect(reloaded.toJSON()).toEqual(p256DidKey.toJSON());
    expect(reloaded.defaultJwtAlg()).toBe('ES256');
    expect(reloaded.activeKey('jwt').id).toBe(key!.id);
    expect(reloaded.dataIntegrityKey('ecdsa-rdfc-2019').id).toBe(key!.id);
  });

  it('cannot sign EdDSA JWTs or the eddsa default, and say why', async () => {
    expect(() => p256DidKey.activeKey('jwt', 'EdDSA')).toThrow(/P-256 key, so its JWTs are ES256/);
    expect(() => p256DidKey.activeKey('di')).toThrow(/ecdsa-rdfc-2019/);
    await expect(generateKeySet({ dir: path.join(root, 'bad1'), didKeyAlg: 'ES256', jwtAlg: 'EdDSA' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(generateKeySet({ dir: path.join(root, 'bad2'), didWeb: 'example.ac.uk', didKeyAlg: 'ES256' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
