/**
 * Negative and behavioural tests of verify(): tampering, wrong keys, dates, contexts, status lists, JWT variants,
 * legacy names. Credentials are signed here with test keys (directly through @digitalbazaar/vc and jose).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import { verify } from '../src/verify/verify.js';
import type { VerificationReport } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { MicrocredError } from '../src/errors.js';
import { createStatusList, encodeStatusList, setBit } from '../src/status/bitstring.js';
import { jwkToPublicKeyMultibase } from '../src/lib/multibase.js';
import { createTestIssuer, fixture, mapFetch, mapResolver, type TestIssuer } from './verify-helpers.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const ISSUER = 'https://issuer.example/issuers/1';
const LIST_URL = 'https://issuer.example/status/1';

let issuer: TestIssuer;
let attacker: TestIssuer;
let signed: Record<string, unknown>;

function statusOf(report: VerificationReport, id: string): string | undefined {
  return report.checks.find((c) => c.id === id)?.status;
}
function messageOf(report: VerificationReport, id: string): string {
  return report.checks.find((c) => c.id === id)?.message ?? '';
}
function unsigned(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = fixture('ob30-spec-example-basic.json');
  return { ...base, issuer: { id: ISSUER, type: ['Profile'], name: 'Example University' }, validFrom: '2025-01-01T00:00:00Z', ...extra };
}
function options(routes: Record<string, unknown> = {}, docs: Record<string, unknown> = {}) {
  return {
    resolver: mapResolver({ [ISSUER]: issuer.controllerDocument, ...docs }),
    fetch: mapFetch(routes),
    now: NOW,
  };
}

beforeAll(async () => {
  issuer = await createTestIssuer(ISSUER, 1);
  attacker = await createTestIssuer('https://attacker.example/keys', 2);
  signed = await issuer.sign(unsigned());
});

describe('a genuine credential', () => {
  it('verifies, with plain-sentence messages naming the issuer by what was proven', async () => {
    const report = await verify(signed, options());
    expect(report.verified).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(['parse', 'context', 'schema', 'profile', 'proof', 'issuer-key', 'issuer-trust', 'validity', 'status', 'endorsements']);
    expect(messageOf(report, 'proof')).toBe('The signature matches: the credential has not been changed since it was signed.');
    expect(messageOf(report, 'issuer-key')).toBe(
      `The signing key is the issuer's: the key list published for ${ISSUER} names it as a key for issuing credentials.`,
    );
    // No credentialStatus: the credential cannot be revoked, which is said (a warning), not left silent.
    expect(statusOf(report, 'status')).toBe('warning');
    expect(statusOf(report, 'profile')).toBe('not-applicable');
    expect(statusOf(report, 'endorsements')).toBe('not-applicable');
  });

  it('verifies from JSON text too', async () => {
    expect((await verify(JSON.stringify(signed), options())).verified).toBe(true);
  });

  it('accepts the legacy cryptosuite name eddsa-2022', async () => {
    const legacy = await issuer.sign(unsigned(), { cryptosuiteName: 'eddsa-2022' });
    expect((legacy.proof as { cryptosuite: string }[])[0]?.cryptosuite).toBe('eddsa-2022');
    const report = await verify(legacy, options());
    expect(report.verified, formatReport(report)).toBe(true);
  });

  it('accepts any one valid proof and ignores unknown proof types', async () => {
    const proofs = signed.proof as Record<string, unknown>[];
    const withExtra = { ...signed, proof: [{ type: 'SomeProofType', proofValue: 'x' }, ...proofs] };
    const report = await verify(withExtra, options());
    expect(report.verified).toBe(true);
    expect(messageOf(report, 'proof')).toContain('SomeProofType');
    // A single proof object (not a list) is accepted as well.
    expect((await verify({ ...signed, proof: proofs[0] }, options())).verified).toBe(true);
  });
});

describe('tampering', () => {
  const edits: [string, (c: any) => void][] = [
    ['name', (c) => (c.name = 'Advanced Teamwork Badge')],
    ['a nested achievement field', (c) => (c.credentialSubject.achievement.criteria.narrative = 'Anyone may claim this.')],
    ['the achievement name', (c) => (c.credentialSubject.achievement.name = 'Leadership')],
    ['the issuer name', (c) => (c.issuer.name = 'Famous University')],
    ['validFrom', (c) => (c.validFrom = '2024-01-01T00:00:00Z')],
    ['the learner id', (c) => (c.credentialSubject.id = 'did:example:someone-else')],
    ['the proof date', (c) => (c.proof[0].created = '2025-02-02T00:00:00Z')],
  ];
  it.each(edits)('changing %s makes the proof check fail', async (_what, edit) => {
    const copy = structuredClone(signed);
    edit(copy);
    const report = await verify(copy, options());
    expect(report.verified).toBe(false);
    expect(statusOf(report, 'proof')).toBe('fail');
    expect(messageOf(report, 'proof')).toContain('changed after it was signed');
  });

  it('changing the issuer id fails (the signature no longer matches)', async () => {
    const copy = structuredClone(signed) as any;
    copy.issuer.id = 'https://attacker.example/keys';
    const report = await verify(copy, options({}, { 'https://attacker.example/keys': attacker.controllerDocument }));
    expect(report.verified).toBe(false);
    expect(statusOf(report, 'proof')).toBe('fail');
  });

  it('adding an undefined property fails and names it', async () => {
    const copy = structuredClone(signed) as any;
    copy.favouriteColour = 'blue';
    const report = await verify(copy, options());
    expect(statusOf(report, 'proof')).toBe('fail');
    expect(messageOf(report, 'proof')).toContain('favouriteColour');
  });
});

describe('wrong keys', () => {
  it('a credential naming our issuer but signed by another controller fails issuer-key', async () => {
    const forged = await attacker.sign(unsigned());
    const report = await verify(forged, options({}, { 'https://attacker.example/keys': attacker.controllerDocument }));
    expect(statusOf(report, 'proof')).toBe('pass');
    expect(statusOf(report, 'issuer-key')).toBe('fail');
    expect(messageOf(report, 'issuer-key')).toContain('https://attacker.example/keys');
    expect(report.verified).toBe(false);
  });

  it('a key the issuer does not list under assertionMethod fails issuer-key', async () => {
    const doc = { ...issuer.controllerDocument, assertionMethod: [] };
    const report = await verify(signed, options({}, { [ISSUER]: doc }));
    expect(statusOf(report, 'proof')).toBe('pass');
    expect(statusOf(report, 'issuer-key')).toBe('fail');
    expect(messageOf(report, 'issuer-key')).toContain('does not list the signing key');
  });

  it('the issuer key id with a signature from another key fails the proof', async () => {
    const forged = (await attacker.sign(unsigned())) as any;
    forged.proof[0].verificationMethod = issuer.vmId;
    const report = await verify(forged, options());
    expect(statusOf(report, 'proof')).toBe('fail');
    expect(report.verified).toBe(false);
  });

  it('a key that cannot be fetched makes the proof unknown', async () => {
    const offline = async () => {
      throw new MicrocredError('FETCH_FAILED', `Could not fetch ${ISSUER}: the network is down.`);
    };
    const report = await verify(signed, { resolver: offline, fetch: mapFetch({}), now: NOW });
    expect(statusOf(report, 'proof')).toBe('unknown');
    expect(report.verified).toBe(false);
  });
});

describe('validity dates', () => {
  it('an expired credential fails the validity check', async () => {
    const c = await issuer.sign(unsigned({ validFrom: '2020-01-01T00:00:00Z', validUntil: '2021-01-01T00:00:00Z' }));
    const report = await verify(c, options());
    expect(statusOf(report, 'validity')).toBe('fail');
    expect(messageOf(report, 'validity')).toContain('expired');
    expect(statusOf(report, 'proof')).toBe('pass');
    expect(report.verified).toBe(false);
  });

  it('a not-yet-valid credential fails the validity check', async () => {
    const report = await verify(signed, { ...options(), now: new Date('2024-06-01T00:00:00Z') });
    expect(statusOf(report, 'validity')).toBe('fail');
    expect(messageOf(report, 'validity')).toContain('not valid yet');
    expect(report.verified).toBe(false);
  });
});

describe('contexts', () => {
  it('an unknown context fails the context check and names the URL; nothing is fetched', async () => {
    const copy = structuredClone(signed) as any;
    copy['@context'].push('https://contexts.example/extra.jsonld');
    const fetch = mapFetch({});
    const report = await verify(copy, { ...options(), fetch });
    expect(statusOf(report, 'context')).toBe('fail');
    expect(messageOf(report, 'context')).toContain('https://contexts.example/extra.jsonld');
    expect(report.verified).toBe(false);
    expect(fetch.calls).toEqual([]);
  });

  it('a credential whose first context is not the VC context fails', async () => {
    const copy = structuredClone(signed) as any;
    copy['@context'].reverse();
    const report = await verify(copy, options());
    expect(statusOf(report, 'context')).toBe('fail');
  });
});

describe('Open Badges context versions 3.0.0 to 3.0.3', () => {
  const versions = [
    ['3.0.0', 'https://purl.imsglobal.org/spec/ob/v3p0/context.json'],
    ['3.0.1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json'],
    ['3.0.2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json'],
    ['3.0.3', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  ] as const;

  // 3.0.0 and 3.0.1 were written for VC 1.1: they redefine terms the VC 2.0 context protects, so nobody can sign
  // a VC 2.0 credential with them (jsonld.js refuses: "tried to redefine a protected term").
  it.each(versions.slice(2))('a VC 2.0 credential with OB context %s verifies and the report names the version', async (version, url) => {
    const c = await issuer.sign(unsigned({ '@context': ['https://www.w3.org/ns/credentials/v2', url] }));
    const report = await verify(c, options());
    expect(report.verified, formatReport(report)).toBe(true);
    expect(messageOf(report, 'context')).toContain(`Open Badges context version ${version}`);
  });

  it.each(versions)('a VC 1.1 credential (issuanceDate) with OB context %s verifies', async (_version, url) => {
    const { validFrom: _drop, ...rest } = unsigned();
    const c = await issuer.sign({ ...rest, '@context': ['https://www.w3.org/2018/credentials/v1', url], issuanceDate: '2025-01-01T00:00:00Z' });
    const report = await verify(c, options());
    expect(report.verified, formatReport(report)).toBe(true);
    expect(statusOf(report, 'validity')).toBe('pass');
    expect(messageOf(report, 'validity')).toContain('1 January 2025');
  });
});

describe('status lists', () => {
  async function listCredential(purpose: string, setIndex?: number, listIssuer: TestIssuer = issuer) {
    const bits = createStatusList();
    if (setIndex !== undefined) setBit(bits, setIndex, true);
    return listIssuer.sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: LIST_URL,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: listIssuer.controller,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: `${LIST_URL}#list`, type: 'BitstringStatusList', statusPurpose: purpose, encodedList: await encodeStatusList(bits) },
    });
  }
  async function withStatus(purpose: string, index: string | number = '23') {
    return issuer.sign(
      unsigned({
        credentialStatus: { id: `${LIST_URL}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: index, statusListCredential: LIST_URL },
      }),
    );
  }

  it('a revoked credential fails the status check', async () => {
    const report = await verify(await withStatus('revocation'), options({ [LIST_URL]: await listCredential('revocation', 23) }));
    expect(statusOf(report, 'status')).toBe('fail');
    expect(messageOf(report, 'status')).toContain('revoked');
    expect(report.verified).toBe(false);
  });

  it('a suspended credential fails the status check', async () => {
    const report = await verify(await withStatus('suspension'), options({ [LIST_URL]: await listCredential('suspension', 23) }));
    expect(statusOf(report, 'status')).toBe('fail');
    expect(messageOf(report, 'status')).toContain('suspended');
  });

  it('a credential whose bit is clear passes (index as a number too)', async () => {
    const list = await listCredential('revocation', 24);
    expect(statusOf(await verify(await withStatus('revocation'), options({ [LIST_URL]: list })), 'status')).toBe('pass');
    const numeric = await verify(await withStatus('revocation', 22), options({ [LIST_URL]: list }));
    expect(statusOf(numeric, 'status')).toBe('pass');
    expect(numeric.verified).toBe(true);
  });

  it('an unfetchable list gives "unknown" and the credential is not verified', async () => {
    const report = await verify(await withStatus('revocation'), options({ [LIST_URL]: new Error('connection refused') }));
    expect(statusOf(report, 'status')).toBe('unknown');
    expect(report.verified).toBe(false);
    expect(messageOf(report, 'status')).toContain('unknown whether');
    expect(formatReport(report)).toContain('NOT VERIFIED');
  });

  it('a list for another purpose, a tampered list, or a short list fails', async () => {
    const c = await withStatus('revocation');
    const other = await verify(c, options({ [LIST_URL]: await listCredential('suspension', 23) }));
    expect(statusOf(other, 'status')).toBe('fail');
    expect(messageOf(other, 'status')).toContain('suspension');

    const tampered = (await listCredential('revocation', 23)) as any;
    tampered.credentialSubject.encodedList = await encodeStatusList(createStatusList());
    expect(statusOf(await verify(c, options({ [LIST_URL]: tampered })), 'status')).toBe('fail');

    const shortList = (await listCredential('revocation')) as any;
    const { gzipSync } = await import('node:zlib');
    shortList.credentialSubject.encodedList = 'u' + gzipSync(new Uint8Array(16)).toString('base64url');
    const signedShort = await issuer.sign(Object.fromEntries(Object.entries(shortList).filter(([k]) => k !== 'proof')));
    const short = await verify(c, options({ [LIST_URL]: signedShort }));
    expect(statusOf(short, 'status')).toBe('fail');
    expect(messageOf(short, 'status')).toContain('131072');
  });

  it('fetches a list once for several credentials (cache per fetch function), unless caching is off', async () => {
    const fetch = mapFetch({ [LIST_URL]: await listCredential('revocation', 23) });
    const a = await withStatus('revocation', '23');
    const b = await withStatus('revocation', '24');
    expect(statusOf(await verify(a, { ...options(), fetch }), 'status')).toBe('fail');
    expect(statusOf(await verify(b, { ...options(), fetch }), 'status')).toBe('pass');
    expect(fetch.calls).toEqual([LIST_URL]);
    await verify(b, { ...options(), fetch, statusListCacheMs: 0 });
    expect(fetch.calls).toEqual([LIST_URL, LIST_URL]);
  });

  it('does not fetch the status list of a credential whose signature is not valid', async () => {
    const c = (await withStatus('revocation')) as any;
    c.name = 'Tampered';
    const fetch = mapFetch({ [LIST_URL]: await listCredential('revocation') });
    const report = await verify(c, { ...options(), fetch });
    expect(statusOf(report, 'proof')).toBe('fail');
    expect(statusOf(report, 'status')).toBe('not-applicable');
    expect(fetch.calls).toEqual([]);
  });

  it('reads a 1EdTechRevocationList', async () => {
    const c = await issuer.sign(unsigned({ '@context': [...(unsigned()['@context'] as string[]), 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'], credentialStatus: { id: 'https://issuer.example/revocations', type: '1EdTechRevocationList' } }));
    const revoked = await verify(c, options({ 'https://issuer.example/revocations': { revokedCredential: [{ id: c.id, revocationReason: 'Issued in error' }] } }));
    expect(statusOf(revoked, 'status')).toBe('fail');
    expect(messageOf(revoked, 'status')).toContain('Issued in error');
    const fine = await verify(c, options({ 'https://issuer.example/revocations': { revokedCredentials: [] } }));
    expect(statusOf(fine, 'status')).toBe('pass');
  });
});

describe('JWT credentials', () => {
  it('ES256 with a did:web kid verifies; EdDSA with a did:key kid verifies; P-256 did:key resolves offline', async () => {
    const did = 'did:web:issuer.example';
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(publicKey);
    const mb = jwkToPublicKeyMultibase(jwk as never);
    const kid = `${did}#${mb}`;
    const doc = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did,
      verificationMethod: [{ id: kid, type: 'Multikey', controller: did, publicKeyMultibase: mb }],
      assertionMethod: [kid],
    };
    const credential = unsigned({ issuer: { id: did, type: ['Profile'], name: 'Web University' } });
    const claims = { iss: did, jti: credential.id, sub: (credential.credentialSubject as { id: string }).id, nbf: Date.parse('2025-01-01T00:00:00Z') / 1000 };
    const jws = await new SignJWT({ ...credential, ...claims }).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(privateKey);
    const report = await verify(jws, { resolver: mapResolver({ [did]: doc }), fetch: mapFetch({}), now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(statusOf(report, 'proof')).toBe('pass');

    // The same P-256 key as a did:key (zDn…): resolved offline by the default resolver.
    const didKey = `did:key:${mb}`;
    const keyCred = unsigned({ issuer: { id: didKey, type: ['Profile'], name: 'Key University' } });
    const jws2 = await new SignJWT({ ...keyCred, ...claims, iss: didKey })
      .setProtectedHeader({ alg: 'ES256', kid: `${didKey}#${mb}`, typ: 'JWT' })
      .sign(privateKey);
    expect((await verify(jws2, { now: NOW })).verified).toBe(true);

    // Tampering with the payload breaks the signature.
    const [h, p, s] = jws.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.name = 'Forged';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const bad = await verify(forged, { resolver: mapResolver({ [did]: doc }), fetch: mapFetch({}), now: NOW });
    expect(statusOf(bad, 'proof')).toBe('fail');
  });

  it('EdDSA with a did:key verifies; an iss that differs from the issuer fails', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const mb = jwkToPublicKeyMultibase((await exportJWK(publicKey)) as never);
    const didKey = `did:key:${mb}`;
    const credential = unsigned({ issuer: { id: didKey, type: ['Profile'], name: 'Key University' } });
    const claims = { iss: didKey, jti: credential.id, sub: (credential.credentialSubject as { id: string }).id, nbf: 1735689600 };
    const good = await new SignJWT({ ...credential, ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: `${didKey}#${mb}` }).sign(privateKey);
    expect((await verify(good, { now: NOW })).verified).toBe(true);
    const wrongIss = await new SignJWT({ ...credential, ...claims, iss: 'did:example:other' })
      .setProtectedHeader({ alg: 'EdDSA', kid: `${didKey}#${mb}` })
      .sign(privateKey);
    const report = await verify(wrongIss, { now: NOW });
    expect(report.verified).toBe(false);
    expect(messageOf(report, 'proof')).toContain('did:example:other');
  });
});

describe('bad input', () => {
  it.each([
    ['not JSON', 'hello'],
    ['a list', '[1,2]'],
    ['not a credential', { foo: 1 }],
  ])('%s fails the parse check and skips the rest', async (_what, input) => {
    const report = await verify(input as string | object);
    expect(report.verified).toBe(false);
    expect(statusOf(report, 'parse')).toBe('fail');
    expect(report.checks.slice(1).every((c) => c.status === 'not-applicable')).toBe(true);
  });

  it('an unsigned credential fails the proof check', async () => {
    const report = await verify(unsigned(), options());
    expect(statusOf(report, 'proof')).toBe('fail');
    expect(messageOf(report, 'proof')).toContain('not signed');
  });
});
