/**
 * verify() and the VC Data Model rules: a credential that breaks one is refused by the parse check, which names
 * each rule and JSON path; nothing the credential names is fetched; its signature is still checked where no network
 * is needed; warnings do not refuse; VC 1.1 credentials are held to the VC 1.1 rules, VC-JWT 1.1 claims included.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/verify/verify.js';
import type { VerificationReport } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { createTestIssuer, fixture, mapFetch, type TestIssuer } from './verify-helpers.js';
import type { DidResolver } from '../src/did/resolve.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const ISSUER = 'https://issuer.example/issuers/1';

const check = (report: VerificationReport, id: string) => report.checks.find((c) => c.id === id);

/** A resolver that serves the issuer's controller document and records every URL it is asked for. */
function countingResolver(docs: Record<string, unknown>): DidResolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (url: string) => {
    calls.push(url);
    return docs[url.split('#')[0] as string] ?? undefined;
  }) as DidResolver & { calls: string[] };
  fn.calls = calls;
  return fn;
}

function unsigned(issuerId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = fixture('ob30-spec-example-basic.json');
  return { ...base, issuer: { id: issuerId, type: ['Profile'], name: 'Example University' }, validFrom: '2025-01-01T00:00:00Z', ...extra };
}

let https: TestIssuer;
let didKey: TestIssuer;
beforeAll(async () => {
  https = await createTestIssuer(ISSUER, 3);
  didKey = await createTestIssuer('did:key', 4);
});

describe('a signed credential that breaks a data model rule', () => {
  // A related resource without a digest (VC DM 2.0 §5.3): JSON-LD has no objection, so it can be signed.
  const broken = (issuerId: string) => unsigned(issuerId, { relatedResource: [{ id: 'https://www.w3.org/ns/credentials/v2' }] });

  it('is refused by the parse check naming the rule and path, and nothing it names is fetched', async () => {
    const signed = await https.sign(broken(ISSUER));
    const resolver = countingResolver({ [ISSUER]: https.controllerDocument });
    const fetch = mapFetch({});
    const report = await verify(signed, { resolver, fetch, now: NOW });
    expect(report.verified).toBe(false);
    const parse = check(report, 'parse')!;
    expect(parse).toMatchObject({ status: 'fail', code: 'MALFORMED_VALUE_ERROR' });
    expect(parse.message).toContain('does not follow the W3C Verifiable Credentials Data Model 2.0');
    expect(parse.message).toContain('$.relatedResource[0]: expected a "digestSRI" or a "digestMultibase", found neither (VC Data Model 2.0 §5.3).');
    expect(parse.details).toEqual([
      expect.objectContaining({ path: '$.relatedResource[0]', status: 'fail', rule: 'vc-2.0/5.3-related-resource', code: 'MALFORMED_VALUE_ERROR' }),
    ]);
    // Refused before any fetch: the issuer's key is not looked up, so the signature could not be checked.
    expect(resolver.calls).toEqual([]);
    expect(fetch.calls).toEqual([]);
    expect(check(report, 'proof')?.status).toBe('unknown');
    expect(check(report, 'proof')?.message).toContain('was not fetched: the credential does not follow the VC Data Model');
    for (const id of ['status', 'endorsements']) expect(check(report, id)).toMatchObject({ status: 'not-applicable' });
    // The checks that read only the document still report.
    expect(check(report, 'context')?.status).toBe('pass');
    expect(check(report, 'validity')?.status).toBe('pass');
    expect(report.credential).toBeDefined();
  });

  it('the same credential without the breach verifies with the same collaborators (the refusal is the rule)', async () => {
    const signed = await https.sign(unsigned(ISSUER));
    const resolver = countingResolver({ [ISSUER]: https.controllerDocument });
    const report = await verify(signed, { resolver, fetch: mapFetch({}), now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'parse')?.status).toBe('pass');
    expect(resolver.calls.length).toBeGreaterThan(0);
  });

  it('with a did:key issuer its signature is still checked, offline, and found genuine: the rule alone refuses it', async () => {
    const signed = await didKey.sign(broken(didKey.controller));
    const report = await verify(signed, { fetch: mapFetch({}), now: NOW });
    expect(check(report, 'proof')?.status, formatReport(report)).toBe('pass');
    expect(check(report, 'parse')?.status).toBe('fail');
    expect(report.verified).toBe(false);
  });

  it('a credential with several breaches gets every one named', async () => {
    const report = await verify(unsigned(ISSUER, { validUntil: 'never', credentialStatus: { id: 'https://s.example/1#1' }, evidence: [{}] }), { now: NOW });
    expect(check(report, 'parse')?.details?.map((d) => d.rule)).toEqual([
      'vc-2.0/4.9-valid-until',
      'vc-2.0/4.10-credential-status',
      'vc-2.0/5.6-evidence',
    ]);
  });
});

describe('what does not refuse', () => {
  it('a warning (a malformed language tag) leaves the parse check a warning and every other check running', async () => {
    const report = await verify(unsigned(ISSUER, { description: { '@value': 'A badge', '@language': 'English!' } }), { now: NOW });
    const parse = check(report, 'parse')!;
    expect(parse.status).toBe('warning');
    expect(parse.details).toEqual([expect.objectContaining({ status: 'warning', rule: 'vc-2.0/11.1-language-tag', path: '$.description["@language"]' })]);
    // Unsigned, so the proof check fails, but it ran.
    expect(check(report, 'proof')?.message).toContain('not signed');
  });

  it('a VC 1.1 credential is held to the VC 1.1 rules: issuanceDate without a time zone is fine there', async () => {
    const { validFrom: _v, ...rest } = unsigned(ISSUER);
    const c = { ...rest, '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'], issuanceDate: '2025-01-01T00:00:00' };
    const report = await verify(c, { now: NOW });
    expect(check(report, 'parse')?.status, formatReport(report)).toBe('pass');
  });

  it('a VC 1.1 credential breaking a VC 1.1 rule (status without id) is refused naming the 1.1 rule', async () => {
    const { validFrom: _v, ...rest } = unsigned(ISSUER);
    const c = {
      ...rest,
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      issuanceDate: '2025-01-01T00:00:00Z',
      credentialStatus: { type: 'StatusList2021Entry' },
    };
    const report = await verify(c, { now: NOW });
    expect(check(report, 'parse')).toMatchObject({ status: 'fail', details: [expect.objectContaining({ rule: 'vc-1.1/4.9-credential-status', path: '$.credentialStatus.id' })] });
    expect(check(report, 'parse')?.message).toContain('Data Model 1.1');
  });

  it('a VC-JWT 1.1 whose vc claim leaves issuer, issuanceDate and id to iss, nbf and jti conforms', async () => {
    const { validFrom: _v, issuer: _i, id: _id, ...vc } = unsigned(ISSUER);
    const payload = { vc: { ...vc, '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'] }, iss: ISSUER, nbf: 1735689600, jti: 'urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002' };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jws = `${b64({ alg: 'EdDSA', kid: `${ISSUER}#key-1` })}.${b64(payload)}.c2lnbmF0dXJl`;
    const report = await verify(jws, { resolver: countingResolver({}), fetch: mapFetch({}), now: NOW });
    expect(check(report, 'parse')?.status, formatReport(report)).toBe('pass');
    // Without the claims the same vc claim would break VC 1.1 §4.5 and §4.6.
    const bare = `${b64({ alg: 'EdDSA', kid: `${ISSUER}#key-1` })}.${b64({ vc: payload.vc })}.c2lnbmF0dXJl`;
    const bareReport = await verify(bare, { now: NOW });
    expect(check(bareReport, 'parse')?.details?.map((d) => d.rule)).toEqual(['vc-1.1/4.5-issuer', 'vc-1.1/4.6-issuance-date']);
  });
});
