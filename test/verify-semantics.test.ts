/**
 * The verifier's semantics where it used to get credentials wrong: bare did:key verification methods, keys that
 * cannot be found, status lists whose id differs from their URL (and the Bitstring Status List error names), when
 * status lists are fetched, JWS headers that change what was signed (b64, crit), and VC 1.1 credentials.
 * Credentials are signed here with test keys (through @digitalbazaar/vc and jose), never with microcred's issuing code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { FlattenedSign, SignJWT, exportJWK } from 'jose';
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
let didKeyIssuer: TestIssuer;

function check(report: VerificationReport, id: string) {
  return report.checks.find((c) => c.id === id);
}
function unsigned(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = fixture('ob30-spec-example-basic.json');
  return { ...base, issuer: { id: ISSUER, type: ['Profile'], name: 'Example University' }, validFrom: '2025-01-01T00:00:00Z', ...extra };
}
function options(routes: Record<string, unknown> = {}) {
  return { resolver: mapResolver({ [ISSUER]: issuer.controllerDocument }), fetch: mapFetch(routes), now: NOW };
}

beforeAll(async () => {
  issuer = await createTestIssuer(ISSUER, 1);
  didKeyIssuer = await createTestIssuer('did:key', 3);
});

describe('a bare did:key verificationMethod (no fragment)', () => {
  it('the 1EdTech validator sample: the signature is checked with the did:key\'s key and matches', async () => {
    const credential = fixture('1edtech-validator-simple-did-key-method.json');
    const report = await verify(credential, { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
    expect(check(report, 'proof')?.status, formatReport(report)).toBe('pass');
    // The sample names a urn:uuid issuer, which no did:key belongs to: the ownership check says so.
    expect(check(report, 'issuer-key')?.status).toBe('fail');
    expect(check(report, 'issuer-key')?.message).toContain('did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi');
  });

  it('a did:key issuer signing with the bare DID verifies offline, issuer key included', async () => {
    const signed = await didKeyIssuer.sign(
      unsigned({ issuer: { id: didKeyIssuer.controller, type: ['Profile'], name: 'Key University' } }),
      { verificationMethod: didKeyIssuer.controller },
    );
    expect((signed.proof as { verificationMethod: string }[])[0]?.verificationMethod).toBe(didKeyIssuer.controller);
    const report = await verify(signed, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'issuer-key')?.status).toBe('pass');
    // Tampering is still caught: the key was really used.
    const tampered = { ...signed, name: 'Forged' };
    expect(check(await verify(tampered, { now: NOW }), 'proof')?.status).toBe('fail');
  });
});

describe('a key that cannot be found', () => {
  it.each([
    ['a controller document that is not published (HTTP 404)', 'https://gone.example/issuers/1#key-1'],
    ['a DID method microcred cannot resolve', 'did:example:123#key-1'],
    ['a controller document that does not list the key', `${ISSUER}#key-that-is-not-there`],
  ])('%s: the signature is "unknown", never "not valid"', async (_what, vm) => {
    const signed = (await issuer.sign(unsigned())) as { proof: Record<string, unknown>[] };
    signed.proof[0]!.verificationMethod = vm;
    const report = await verify(signed, { ...options(), resolver: mapResolver({ [ISSUER]: issuer.controllerDocument }) });
    const proof = check(report, 'proof');
    expect(proof?.status).toBe('unknown');
    expect(proof?.message).toContain('could not be found');
    expect(proof?.message).not.toMatch(/not valid|does not match/);
    expect(report.verified).toBe(false);
    expect(formatReport(report)).toContain('NOT VERIFIED');
  });
});

describe('status is fetched only after the signature has passed', () => {
  it('a signature that could not be checked (DID document offline): the status list is not fetched', async () => {
    const c = await issuer.sign(
      unsigned({ credentialStatus: { id: `${LIST_URL}#23`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '23', statusListCredential: LIST_URL } }),
    );
    const offline = async () => {
      throw new MicrocredError('FETCH_FAILED', `Could not fetch ${ISSUER}: the network is down.`);
    };
    const fetch = mapFetch({ [LIST_URL]: { never: 'served' } });
    const report = await verify(c, { resolver: offline, fetch, now: NOW });
    expect(check(report, 'proof')?.status).toBe('unknown');
    expect(fetch.calls).toEqual([]);
    expect(check(report, 'status')?.status).toBe('not-applicable');
    expect(check(report, 'status')?.message).toContain('could not be checked');
    expect(report.verified).toBe(false);
  });
});

describe('status lists (Bitstring Status List v1.0 validate algorithm)', () => {
  async function listCredential(purpose: string, setIndex?: number, extra: Record<string, unknown> = {}, bits = createStatusList()) {
    if (setIndex !== undefined) setBit(bits, setIndex, true);
    return issuer.sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: LIST_URL,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: ISSUER,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: `${LIST_URL}#list`, type: 'BitstringStatusList', statusPurpose: purpose, encodedList: await encodeStatusList(bits) },
      ...extra,
    });
  }
  async function withStatus(purpose: string, index = '23', entry: Record<string, unknown> = {}) {
    return issuer.sign(
      unsigned({
        credentialStatus: { id: `${LIST_URL}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: index, statusListCredential: LIST_URL, ...entry },
      }),
    );
  }
  const OTHER_ID = 'https://issuer.example/status/somewhere-else';

  it('a list whose own id differs from its URL: a set bit still says revoked, with a note about the id', async () => {
    const report = await verify(await withStatus('revocation'), options({ [LIST_URL]: await listCredential('revocation', 23, { id: OTHER_ID }) }));
    const status = check(report, 'status');
    expect(status?.status).toBe('fail');
    expect(status?.message).toContain('has revoked this credential');
    expect(status?.message).toContain(OTHER_ID);
    expect(report.verified).toBe(false);
  });

  it('the same for suspension', async () => {
    const report = await verify(await withStatus('suspension'), options({ [LIST_URL]: await listCredential('suspension', 23, { id: OTHER_ID }) }));
    expect(check(report, 'status')?.status).toBe('fail');
    expect(check(report, 'status')?.message).toContain('has suspended this credential');
  });

  it('a list whose own id differs from its URL and whose bit is clear: a warning, and the credential is valid', async () => {
    const report = await verify(await withStatus('revocation'), options({ [LIST_URL]: await listCredential('revocation', 24, { id: OTHER_ID }) }));
    const status = check(report, 'status');
    expect(status?.status).toBe('warning');
    expect(status?.message).toContain('has not revoked');
    expect(status?.message).toContain(OTHER_ID);
    expect(report.verified, formatReport(report)).toBe(true);
  });

  it('names the specification\'s errors', async () => {
    const c = await withStatus('revocation');
    const code = async (routes: Record<string, unknown>, credential = c) => {
      const s = check(await verify(credential, options(routes)), 'status');
      return [s?.status, s?.code, s?.details?.[0]?.code];
    };
    expect(await code({})).toEqual(['unknown', 'STATUS_RETRIEVAL_ERROR', 'STATUS_RETRIEVAL_ERROR']);
    const forged = (await listCredential('revocation')) as Record<string, any>;
    forged.credentialSubject.encodedList = await encodeStatusList((() => { const b = createStatusList(); setBit(b, 5, true); return b; })());
    expect(await code({ [LIST_URL]: forged })).toEqual(['fail', 'STATUS_VERIFICATION_ERROR', 'STATUS_VERIFICATION_ERROR']);
    expect(await code({ [LIST_URL]: await listCredential('suspension', 23) })).toEqual(['fail', 'STATUS_VERIFICATION_ERROR', 'STATUS_VERIFICATION_ERROR']);
    const short = await issuer.sign({
      ...Object.fromEntries(Object.entries(await listCredential('revocation')).filter(([k]) => k !== 'proof')),
      credentialSubject: { id: `${LIST_URL}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'u' + gzipSync(new Uint8Array(1024)).toString('base64url') },
    });
    expect(await code({ [LIST_URL]: short })).toEqual(['fail', 'STATUS_LIST_LENGTH_ERROR', 'STATUS_LIST_LENGTH_ERROR']);
    // statusSize 2: a list of 131,072 bits holds only 65,536 entries of 2 bits, fewer than the minimum.
    const twoBit = await withStatus('message', '23', { statusSize: 2, statusMessage: [{ status: '0x0', message: 'ok' }, { status: '0x1', message: 'a' }, { status: '0x2', message: 'b' }, { status: '0x3', message: 'c' }] });
    expect(await code({ [LIST_URL]: await listCredential('message') }, twoBit)).toEqual(['fail', 'STATUS_LIST_LENGTH_ERROR', 'STATUS_LIST_LENGTH_ERROR']);
    const beyond = await withStatus('revocation', '131072');
    expect(await code({ [LIST_URL]: await listCredential('revocation') }, beyond)).toEqual(['fail', 'RANGE_ERROR', 'RANGE_ERROR']);
    const malformed = await withStatus('revocation', '-1');
    expect(await code({ [LIST_URL]: await listCredential('revocation') }, malformed)).toEqual(['fail', 'MALFORMED_VALUE_ERROR', 'MALFORMED_VALUE_ERROR']);
  });
});

describe('JWS headers that change what was signed', () => {
  async function didKeyJwtParts() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const mb = jwkToPublicKeyMultibase((await exportJWK(publicKey)) as never);
    const did = `did:key:${mb}`;
    const credential = unsigned({ issuer: { id: did, type: ['Profile'], name: 'Key University' } });
    const claims = { iss: did, jti: credential.id, sub: (credential.credentialSubject as { id: string }).id, nbf: 1735689600 };
    return { privateKey, kid: `${did}#${mb}`, payload: { ...credential, ...claims } };
  }

  it('b64: false (RFC 7797) is refused: the signature covers the raw segment, not the credential read from it', async () => {
    const { privateKey, kid, payload } = await didKeyJwtParts();
    // The payload segment is base64url text, so the token looks like any compact JWT; with b64: false the signature
    // is over that text itself.
    const segment = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const jws = await new FlattenedSign(new TextEncoder().encode(segment))
      .setProtectedHeader({ alg: 'EdDSA', kid, b64: false, crit: ['b64'] })
      .sign(privateKey);
    // Detached form: the compact token carries the unencoded payload, which here is the segment text itself.
    const token = `${jws.protected}.${segment}.${jws.signature}`;
    const { compactVerify } = await import('jose');
    const { createPublicKey } = await import('node:crypto');
    await expect(compactVerify(token, createPublicKey(privateKey))).resolves.toBeTruthy();
    const report = await verify(token, { now: NOW });
    expect(report.verified).toBe(false);
    expect(check(report, 'proof')?.status).toBe('fail');
    expect(check(report, 'proof')?.message).toContain('b64');
    // The ordinary token with the same key and payload verifies.
    const normal = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
    expect((await verify(normal, { now: NOW })).verified).toBe(true);
  });

  it('any crit header is refused, naming it', async () => {
    const { privateKey, kid, payload } = await didKeyJwtParts();
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', kid, crit: ['urn:example:policy'], 'urn:example:policy': 'strict' } as never)
      .sign(privateKey)
      .catch(() => undefined);
    // jose refuses to sign unknown critical headers itself; build the token by hand then.
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, crit: ['urn:example:policy'], 'urn:example:policy': 'strict' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const { sign } = await import('node:crypto');
    const handMade = `${header}.${body}.${sign(null, Buffer.from(`${header}.${body}`), privateKey).toString('base64url')}`;
    for (const t of [token, handMade].filter((x): x is string => typeof x === 'string')) {
      const report = await verify(t, { now: NOW });
      expect(check(report, 'proof')?.status).toBe('fail');
      expect(check(report, 'proof')?.message).toContain('urn:example:policy');
    }
  });
});

describe('VC 1.1 credentials (issuanceDate)', () => {
  it('keep verifying, with the schema warning saying what was read differently', async () => {
    const { validFrom: _drop, ...rest } = unsigned();
    const c = await issuer.sign({
      ...rest,
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      issuanceDate: '2025-01-01T00:00:00Z',
    });
    const report = await verify(c, options());
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'schema')?.status).toBe('warning');
    expect(check(report, 'schema')?.message).toContain('issuanceDate instead of validFrom');
  });

  it('a VC 1.1 credential that breaks the schema in another way fails it: the warning is not a blanket pass', async () => {
    const { validFrom: _drop, ...rest } = unsigned();
    const c = await issuer.sign({
      ...rest,
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      issuanceDate: '2025-01-01T00:00:00Z',
      name: 42,
    });
    const report = await verify(c, options());
    expect(check(report, 'schema')?.status).toBe('fail');
    expect(check(report, 'schema')?.message).toContain('$.name');
  });

  it('a VC 1.1 endorsement is read against the EndorsementCredential schema (the 1EdTech sample lacks its required name)', async () => {
    const endorsement = fixture('1edtech-validator-endorsement-err-schema-status-refresh.json');
    const report = await verify(endorsement, {
      resolver: mapResolver({}),
      fetch: mapFetch({ 'https://state.gov/credentials/3732/revocations': { revokedCredentials: [] } }),
      now: NOW,
    });
    const schema = check(report, 'schema');
    expect(schema?.status).toBe('fail');
    expect(schema?.message).toContain('EndorsementCredential schema');
    expect(schema?.message).toContain('$.name');
  });
});
