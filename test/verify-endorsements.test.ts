/**
 * Embedded endorsements (OB 3.0 `endorsement`, `endorsementJwt` on the credential, its achievement and profiles):
 * each is verified like a credential of its own and reported as its own entry; one that is not valid is a warning on
 * the credential, not a failure. The endorsements are the 1EdTech validator's sample EndorsementCredential (and
 * copies of it broken as the validator's other samples are: tampered, or naming a key nobody publishes) and the
 * OB 3.0 specification's "complete" example, whose endorsements carry placeholder proofs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import { verify } from '../src/verify/verify.js';
import type { VerificationReport } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { jwkToPublicKeyMultibase } from '../src/lib/multibase.js';
import { controllerDocsFor, createTestIssuer, fixture, mapFetch, mapResolver, type TestIssuer } from './verify-helpers.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const ISSUER = 'https://issuer.example/issuers/1';

let issuer: TestIssuer;

function check(report: VerificationReport, id: string) {
  return report.checks.find((c) => c.id === id);
}
function badge(extra: Record<string, unknown> = {}): Record<string, any> {
  return { ...fixture('ob30-spec-example-basic.json'), issuer: { id: ISSUER, type: ['Profile'], name: 'Example University' }, validFrom: '2025-01-01T00:00:00Z', ...extra };
}
/** Controller documents for the issuer and for every https://…#z6Mk… key in the credential (the endorsers'). */
function resolverFor(credential: Record<string, unknown>) {
  const docs = controllerDocsFor(credential);
  docs.set(ISSUER, issuer.controllerDocument);
  return mapResolver(docs);
}

const good = () => fixture('1edtech-validator-endorsement-valid.json');
/** The validator's endorsement, changed after it was signed. */
const tampered = () => ({ ...good(), credentialSubject: { ...(good().credentialSubject as object), endorsementComment: '1EdTech University is the best' } });
/** The validator's endorsement naming a key nobody publishes (as the endorsements of its ob30/complete.json do). */
const unpublishedKey = () => {
  const e = good() as Record<string, any>;
  e.proof[0].verificationMethod = 'https://accrediter.edu/issuers/565049#key-1';
  return e;
};

beforeAll(async () => {
  issuer = await createTestIssuer(ISSUER, 1);
});

describe('embedded endorsements', () => {
  it('the 1EdTech sample endorsement, embedded, is verified and reported as its own entry', async () => {
    const signed = await issuer.sign(badge({ endorsement: [good()] }));
    const report = await verify(signed, { resolver: resolverFor(signed), fetch: mapFetch({}), now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'endorsements')?.status).toBe('pass');
    expect(check(report, 'endorsements')?.message).toContain('State Department of Education');
    expect(report.endorsements).toHaveLength(1);
    const entry = report.endorsements![0]!;
    expect(entry.path).toBe('endorsement[0]');
    expect(entry.verified).toBe(true);
    expect(check(entry, 'schema')?.message).toContain('EndorsementCredential schema');
    expect(check(entry, 'issuer-key')?.status).toBe('pass');
  });

  it('on the credential, the achievement and the issuer profile: a badly signed one and one with an unpublished key are warnings with reasons; the credential stays valid', async () => {
    const b = badge({ endorsement: [good()] });
    b.credentialSubject.achievement.endorsement = [tampered()];
    b.issuer.endorsement = [unpublishedKey()];
    const signed = await issuer.sign(b);
    const report = await verify(signed, { resolver: resolverFor(signed), fetch: mapFetch({}), now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    const summary = check(report, 'endorsements');
    expect(summary?.status).toBe('warning');
    expect(summary?.message).toContain('2 of the 3 endorsements are not confirmed');
    expect(summary?.message).toContain('does not make the credential itself invalid');
    const byPath = Object.fromEntries(report.endorsements!.map((e) => [e.path, e]));
    expect(Object.keys(byPath).sort()).toEqual(['credentialSubject.achievement.endorsement[0]', 'endorsement[0]', 'issuer.endorsement[0]']);
    expect(byPath['endorsement[0]']!.verified).toBe(true);
    const bad = byPath['credentialSubject.achievement.endorsement[0]']!;
    expect(check(bad, 'proof')?.status).toBe('fail');
    expect(check(bad, 'proof')?.message).toContain('changed after it was signed');
    const unknown = byPath['issuer.endorsement[0]']!;
    expect(check(unknown, 'proof')?.status).toBe('unknown');
    expect(check(unknown, 'proof')?.message).toContain('could not be found');
    expect(summary?.details?.map((d) => [d.path, d.status])).toEqual(
      report.endorsements!.map((e) => [e.path, e.verified ? 'pass' : e.path.startsWith('issuer') ? 'unknown' : 'fail']),
    );
    // The CLI rendering lists each endorsement under the summary.
    const text = formatReport(report);
    expect(text).toContain('Endorsements:');
    expect(text).toContain('(credentialSubject.achievement.endorsement[0]) is not valid');
  });

  it('an expired endorsement is reported as such (validity is checked like any credential)', async () => {
    const endorser = await createTestIssuer('https://endorser.example/keys', 5);
    const { proof: _drop, ...unsignedEndorsement } = good();
    const expired = await endorser.sign({
      ...unsignedEndorsement,
      issuer: { id: endorser.controller, type: ['Profile'], name: 'Old Accreditor' },
      validFrom: '2015-01-01T00:00:00Z',
      validUntil: '2020-01-01T00:00:00Z',
    });
    const signed = await issuer.sign(badge({ endorsement: [expired] }));
    const resolver = mapResolver({ [ISSUER]: issuer.controllerDocument, [endorser.controller]: endorser.controllerDocument });
    const report = await verify(signed, { resolver, fetch: mapFetch({}), now: NOW });
    expect(report.verified).toBe(true);
    const entry = report.endorsements![0]!;
    expect(check(entry, 'proof')?.status).toBe('pass');
    expect(check(entry, 'validity')?.status).toBe('fail');
    expect(check(report, 'endorsements')?.status).toBe('warning');
    expect(check(report, 'endorsements')?.message).toContain('Old Accreditor');
    expect(check(report, 'endorsements')?.message).toContain('expired');
  });

  it('endorsementJwt entries are verified too (here in a VC-JWT credential); a token without a credential is reported', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const mb = jwkToPublicKeyMultibase((await exportJWK(publicKey)) as never);
    const did = `did:key:${mb}`;
    const { proof: _drop, ...endorsement } = { ...good(), issuer: { id: did, type: ['Profile'], name: 'Key Accreditor' } } as Record<string, unknown>;
    const jwt = await new SignJWT({ ...endorsement, iss: did, jti: endorsement.id, sub: 'https://1edtech.edu/issuers/565049', nbf: 1735689600 })
      .setProtectedHeader({ alg: 'EdDSA', kid: `${did}#${mb}`, typ: 'JWT' })
      .sign(privateKey);
    const b = badge({ issuer: { id: did, type: ['Profile'], name: 'Key University' } });
    // The second looks like a JWT (the schema's pattern) but holds no credential.
    const empty = `${Buffer.from('{"alg":"EdDSA"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`;
    b.credentialSubject.achievement.endorsementJwt = [jwt, empty];
    const outer = await new SignJWT({ ...b, iss: did, jti: b.id, sub: b.credentialSubject.id, nbf: 1735689600 })
      .setProtectedHeader({ alg: 'EdDSA', kid: `${did}#${mb}`, typ: 'JWT' })
      .sign(privateKey);
    const report = await verify(outer, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.endorsements!.map((r) => [r.path, r.verified, r.format])).toEqual([
      ['credentialSubject.achievement.endorsementJwt[0]', true, 'jwt'],
      ['credentialSubject.achievement.endorsementJwt[1]', false, undefined],
    ]);
    expect(check(report, 'endorsements')?.status).toBe('warning');
  });

  it('the OB 3.0 specification\'s "complete" example: its endorsements\' placeholder proofs are reported, the credential verifies', async () => {
    const credential = fixture('ob30-rendered-spec-3-complete.eddsa-rdfc-2022.json');
    // Its 1EdTechRevocationList is served empty, as in verify-examples.test.ts.
    const status = credential.credentialStatus as { id: string };
    const routes: Record<string, unknown> = { [status.id]: { revokedCredentials: [] } };
    const report = await verify(credential, { resolver: mapResolver(controllerDocsFor(credential)), fetch: mapFetch(routes), now: new Date('2024-06-01T00:00:00Z') });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'endorsements')?.status).toBe('warning');
    expect(report.endorsements!.length).toBeGreaterThan(0);
    for (const e of report.endorsements!) {
      expect(e.verified).toBe(false);
      expect(check(e, 'proof')?.message).toContain('eddsa-rdf-2022');
    }
  });

  it('are not looked at when the credential\'s own signature is not valid (nothing is fetched for a forgery)', async () => {
    const signed = await issuer.sign(badge({ endorsement: [good()] }));
    const forged = { ...signed, name: 'Forged' };
    let lookups = 0;
    const resolve = resolverFor(signed);
    const report = await verify(forged, {
      resolver: async (url) => {
        lookups += url.startsWith('https://state.gov') ? 1 : 0;
        return resolve(url);
      },
      fetch: mapFetch({}),
      now: NOW,
    });
    expect(check(report, 'proof')?.status).toBe('fail');
    expect(check(report, 'endorsements')?.status).toBe('not-applicable');
    expect(report.endorsements).toBeUndefined();
    expect(lookups).toBe(0);
  });

  it('can be turned off', async () => {
    const signed = await issuer.sign(badge({ endorsement: [good()] }));
    const report = await verify(signed, { resolver: resolverFor(signed), fetch: mapFetch({}), now: NOW, checkEndorsements: false });
    expect(check(report, 'endorsements')).toMatchObject({ status: 'not-applicable', message: 'Endorsements were not checked (turned off).' });
  });
});
