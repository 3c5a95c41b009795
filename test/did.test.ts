import { describe, expect, it } from 'vitest';
import { createDidResolver, didWebUrl, dereferenceVerificationMethod } from '../src/did/resolve.js';
import { didKeyDocument } from '../src/did/key.js';
import { publicKeyFromVerificationMethod } from '../src/did/verification-key.js';
import { MicrocredError } from '../src/errors.js';
import { mapFetch } from './verify-helpers.js';

const ED_DID = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';

describe('did:web URLs', () => {
  it.each([
    ['did:web:example.com', 'https://example.com/.well-known/did.json'],
    ['did:web:example.com:issuers:1', 'https://example.com/issuers/1/did.json'],
    ['did:web:example.com%3A8443', 'https://example.com:8443/.well-known/did.json'],
    ['did:web:example.com%3A8443:u:alice', 'https://example.com:8443/u/alice/did.json'],
  ])('%s -> %s', (did, url) => {
    expect(didWebUrl(did)).toBe(url);
  });

  it('rejects malformed did:web', () => {
    expect(() => didWebUrl('did:web:')).toThrow(MicrocredError);
    expect(() => didWebUrl('did:web:exa mple.com')).toThrow(/not a host name|not a valid did:web/);
  });
});

describe('did:key documents', () => {
  it('Ed25519: one Multikey listed for every relationship', () => {
    const doc = didKeyDocument(ED_DID);
    const vmId = `${ED_DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2`;
    expect(doc.verificationMethod).toEqual([
      { id: vmId, type: 'Multikey', controller: ED_DID, publicKeyMultibase: 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2' },
    ]);
    expect(doc.assertionMethod).toEqual([vmId]);
    expect(publicKeyFromVerificationMethod(doc.verificationMethod[0]!).asymmetricKeyType).toBe('ed25519');
  });

  it('P-256 (zDn…): a Multikey whose compressed point becomes a usable EC key', () => {
    // W3C did:key test vector for P-256.
    const did = 'did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169';
    const doc = didKeyDocument(did);
    const key = publicKeyFromVerificationMethod(doc.verificationMethod[0]!);
    expect(key.asymmetricKeyType).toBe('ec');
    expect((key.export({ format: 'jwk' }) as { crv: string }).crv).toBe('P-256');
  });

  it('rejects other DIDs and unknown key types', () => {
    expect(() => didKeyDocument('did:web:example.com')).toThrow(/not a did:key/);
    expect(() => didKeyDocument('did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc')).toThrow(/neither an Ed25519/);
  });
});

describe('createDidResolver', () => {
  const did = 'did:web:issuer.example:issuers:1';
  const didDoc = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{ id: '#key-1', type: 'Multikey', controller: did, publicKeyMultibase: 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2' }],
    assertionMethod: ['#key-1'],
  };

  it('resolves did:key offline without fetching', async () => {
    const fetch = mapFetch({});
    const resolve = createDidResolver({ fetch });
    expect(((await resolve(ED_DID)) as { id: string }).id).toBe(ED_DID);
    const vm = (await resolve(`${ED_DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2`)) as Record<string, unknown>;
    expect(vm['@context']).toBe('https://w3id.org/security/multikey/v1');
    expect(fetch.calls).toEqual([]);
  });

  it('dereferences a bare did:key (no fragment) to the one key of its document, offline', async () => {
    const fetch = mapFetch({});
    const { verificationMethod, controllerDocument } = await dereferenceVerificationMethod(ED_DID, createDidResolver({ fetch }));
    expect(verificationMethod).toMatchObject({
      id: `${ED_DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2`,
      type: 'Multikey',
      controller: ED_DID,
      publicKeyMultibase: 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
    });
    expect(controllerDocument?.id).toBe(ED_DID);
    expect(fetch.calls).toEqual([]);
    await expect(dereferenceVerificationMethod('did:key:zNotAKey', createDidResolver({ fetch }))).rejects.toMatchObject({ code: 'DID_RESOLUTION_FAILED' });
  });

  it('fetches did:web documents at the right URL, dereferences relative key ids and caches', async () => {
    const fetch = mapFetch({ 'https://issuer.example/issuers/1/did.json': didDoc });
    const resolve = createDidResolver({ fetch });
    const { verificationMethod, controllerDocument } = await dereferenceVerificationMethod(`${did}#key-1`, resolve);
    expect(verificationMethod.id).toBe(`${did}#key-1`);
    expect(verificationMethod.controller).toBe(did);
    expect(controllerDocument?.id).toBe(did);
    await resolve(did);
    expect(fetch.calls).toEqual(['https://issuer.example/issuers/1/did.json']);
  });

  it('fetches an https controller document without the fragment', async () => {
    const controller = 'https://issuer.example/issuers/1';
    const doc = { ...didDoc, id: controller, verificationMethod: [{ ...didDoc.verificationMethod[0], id: `${controller}#key-1`, controller }], assertionMethod: [`${controller}#key-1`] };
    const fetch = mapFetch({ [controller]: doc });
    const { verificationMethod } = await dereferenceVerificationMethod(`${controller}#key-1`, createDidResolver({ fetch }));
    expect(verificationMethod.publicKeyMultibase).toBe('z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2');
    expect(fetch.calls).toEqual([controller]);
  });

  it('refuses a document that names itself differently', async () => {
    const fetch = mapFetch({ 'https://issuer.example/issuers/1/did.json': { ...didDoc, id: 'did:web:attacker.example' } });
    await expect(createDidResolver({ fetch })(did)).rejects.toThrow(/names itself "did:web:attacker.example"/);
  });

  it('reports a key the document does not list, and passes fetch errors through', async () => {
    const resolve = createDidResolver({ fetch: mapFetch({ 'https://issuer.example/issuers/1/did.json': didDoc }) });
    await expect(dereferenceVerificationMethod(`${did}#key-2`, resolve)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(createDidResolver({ fetch: mapFetch({}) })('did:web:gone.example')).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    expect(await createDidResolver({ fetch: mapFetch({}) })('did:example:123')).toBeUndefined();
  });
});
