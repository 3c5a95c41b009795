/**
 * prepareVcApiCredential: what the VC-API issue route decides before signing. The W3C VC DM 2.0 suite's inputs as
 * its harness sends them (issuer filled in with the issuer under test) are accepted or refused as the suite expects,
 * naming the rule; Open Badges still meet the OB schema and the profile; a generic credential prepared here, signed
 * and shaped, verifies with microcred's verifier and with @digitalbazaar/vc.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- untyped package, independent verifier
import * as vc from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { prepareVcApiCredential, shapeProof, withCredentialStatus, type PreparedCredential, type RefusedCredential } from '../src/credential/vc-api.js';
import { buildCredential } from '../src/credential/annex1.js';
import { loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { issueCredential } from '../src/issue.js';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { createDidResolver } from '../src/did/resolve.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { REFUSED_ON_PURPOSE, SUITE_ISSUER_INPUTS } from './vc-api-suite-inputs.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITE = JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'vcdm', 'w3c-vc-data-model-2.0-test-suite.json'), 'utf8')) as {
  fixtures: Record<string, { document: Record<string, unknown> }>;
};
const profile = JSON.parse(readFileSync(path.join(HERE, '..', 'keys.example', 'profile.json'), 'utf8'));
const record = JSON.parse(readFileSync(path.join(HERE, '..', 'examples', 'record.json'), 'utf8'));

let keys: KeySet;
let ISSUER: string;
beforeAll(async () => {
  keys = await loadKeySet(EXAMPLE_KEYS_DIR);
  ISSUER = keys.controller;
});

/** The suite's createRequestBody (tests/mock.data.js): the issuer under test fills a missing issuer or issuer.id. */
function asSent(name: string): Record<string, unknown> {
  const credential = structuredClone(SUITE.fixtures[name]!.document);
  if (credential.issuer && typeof credential.issuer === 'object') {
    const issuer = credential.issuer as Record<string, unknown>;
    issuer.id = issuer.id || ISSUER;
  } else {
    credential.issuer = credential.issuer || ISSUER;
  }
  if (credential.validFrom === 'PAST DATE') Object.assign(credential, { validFrom: '2024-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' });
  if (credential.validFrom === 'FUTURE DATE') Object.assign(credential, { validFrom: '2026-01-01T00:00:00Z', validUntil: '2024-01-01T00:00:00Z' });
  return credential;
}

const refused = (r: PreparedCredential | RefusedCredential): RefusedCredential => {
  if (r.ok) throw new Error('expected a refusal');
  return r;
};

describe('the W3C suite\'s issuer inputs, as its harness sends them', () => {
  // [fixture, rule the refusal names (null: issued)]
  const cases = [...SUITE_ISSUER_INPUTS, ...REFUSED_ON_PURPOSE.map((n) => [n, 'vc-api/issuer'] as const)];

  it.each(cases)('%s → %s', async (name, rule) => {
    const result = await prepareVcApiCredential(asSent(name), { id: ISSUER });
    if (rule === null) {
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect(result).toMatchObject({ kind: 'generic', proofShape: 'object' });
    } else {
      const r = refused(result);
      expect(r).toMatchObject({ status: 422, code: 'credential-invalid' });
      expect(r.problems.map((p) => p.rule)).toContain(rule);
      for (const p of r.problems) expect(p.message).toContain(p.path);
    }
  });

  it("the suite's null issuer, which its harness cannot send, is refused too", async () => {
    const r = refused(await prepareVcApiCredential(structuredClone(SUITE.fixtures['credential-issuer-null-fail.json']!.document), { id: ISSUER }));
    expect(r.problems.map((p) => [p.rule, p.path])).toContainEqual(['vc-2.0/4.7-issuer', '$.issuer']);
  });

  it('the VC-API suite\'s malformed requests are 400 or 422, never a throw', async () => {
    for (const bad of [null, 4, 'did:example:1234', [], undefined]) {
      expect(refused(await prepareVcApiCredential(bad, { id: ISSUER }))).toMatchObject({ status: 400, code: 'bad-request' });
    }
    const base = asSent('credential-context-combo1-ok.json');
    for (const [key, values] of [['@context', [4, { foo: true }, false, null]], ['type', [null, true, 4, []]], ['issuer', [null, true, 4, []]], ['credentialSubject', [null, true, 4, [], 'did:example:1234']]] as const) {
      for (const value of values) expect(refused(await prepareVcApiCredential({ ...base, [key]: value }, { id: ISSUER })).status, `${key}: ${JSON.stringify(value)}`).toBe(422);
    }
  });
});

describe('decisions', () => {
  const generic = () => structuredClone(SUITE.fixtures['credential-context-combo1-ok.json']!.document);
  const openBadge = () => {
    const c = buildCredential(profile, record, { issuerId: 'did:key:placeholder' }) as unknown as Record<string, unknown>;
    delete c.id;
    return { ...c, issuer: { ...(c.issuer as object), id: ISSUER } };
  };

  it('a missing issuer becomes this issuer: a URL for a generic credential, an OB Profile for an Open Badge', async () => {
    const g = await prepareVcApiCredential(generic(), { id: ISSUER, name: 'Example' });
    expect(g.ok && g.credential.issuer).toBe(ISSUER);
    const { issuer: _i, ...noIssuer } = openBadge();
    const ob = await prepareVcApiCredential(noIssuer, { id: ISSUER, name: 'Northbridge', url: 'https://northbridge.example' });
    expect(ob.ok && ob.credential.issuer).toEqual({ id: ISSUER, type: ['Profile'], name: 'Northbridge', url: 'https://northbridge.example' });
  });

  it('an Open Badge is checked against the OB schema too: no credentialSubject is schema-invalid, listing both rule sets', async () => {
    const { credentialSubject: _s, ...bad } = openBadge();
    const r = refused(await prepareVcApiCredential(bad, { id: ISSUER }));
    expect(r).toMatchObject({ status: 422, code: 'schema-invalid', title: 'Not a valid Open Badges 3.0 credential' });
    expect(new Set(r.problems.map((p) => p.rule))).toEqual(new Set(['vc-2.0/4.8-credential-subject', 'ob-3.0/schema']));
  });

  it('a generic credential is not held to the OB schema; an Open Badge passes it and gets a proof list', async () => {
    const ob = await prepareVcApiCredential(openBadge(), { id: ISSUER });
    expect(ob).toMatchObject({ ok: true, kind: 'open-badge', proofShape: 'list', version: '2.0' });
  });

  it('an Open Badge claiming the microcred profile is held to it', async () => {
    const claimed = buildCredential(profile, record, { issuerId: ISSUER, profileSchemaId: 'https://issuer.example/schemas/microcred-profile/v1.json' }) as unknown as Record<string, any>;
    expect((await prepareVcApiCredential(claimed, { id: ISSUER })).ok).toBe(true);
    claimed.credentialSubject.achievement.alignment = claimed.credentialSubject.achievement.alignment.filter((a: { targetType?: string }) => a.targetType !== 'ext:QualityAssurance');
    const r = refused(await prepareVcApiCredential(claimed, { id: ISSUER }));
    expect(r.problems.map((p) => p.rule)).toContain('microcred/profile');
  });

  it('another issuer, a proof, an enveloped credential, an OB status entry and a non-URL credentialId are refused by VC-API rules', async () => {
    const other = refused(await prepareVcApiCredential({ ...generic(), issuer: { id: 'did:web:elsewhere.example' } }, { id: ISSUER }));
    expect(other.problems).toEqual([expect.objectContaining({ rule: 'vc-api/issuer', path: '$.issuer.id' })]);
    const signed = refused(await prepareVcApiCredential({ ...generic(), proof: { type: 'DataIntegrityProof' } }, { id: ISSUER }));
    expect(signed.problems.map((p) => p.rule)).toContain('vc-api/unsigned');
    const enveloped = refused(await prepareVcApiCredential({ '@context': 'https://www.w3.org/ns/credentials/v2', type: 'EnvelopedVerifiableCredential', id: 'data:application/vc+jwt,eyJ.e30.x' }, { id: ISSUER }));
    expect(enveloped.problems.map((p) => p.rule)).toContain('vc-api/unsigned');
    const obStatus = refused(await prepareVcApiCredential({ ...openBadge(), credentialStatus: { id: 'https://s.example/1#1', type: 'BitstringStatusListEntry' } }, { id: ISSUER }));
    expect(obStatus.problems.map((p) => p.rule)).toContain('vc-api/status');
    const badId = refused(await prepareVcApiCredential(generic(), { id: ISSUER }, { credentialId: 'credential 7' }));
    expect(badId.problems).toEqual([expect.objectContaining({ rule: 'vc-api/credential-id', path: '$.options.credentialId' })]);
  });

  it('a VC 1.1 credential gets the status context its status entry needs (before, the entry was an undefined type)', async () => {
    const v1 = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], issuer: ISSUER, issuanceDate: '2022-01-01T00:00:00Z', credentialSubject: { id: 'did:example:x' } };
    const prepared = await prepareVcApiCredential(v1, { id: ISSUER });
    expect(prepared.ok && prepared.credential['@context']).toEqual(['https://www.w3.org/2018/credentials/v1', 'https://www.w3.org/ns/credentials/status/v1']);
    const already = await prepareVcApiCredential({ ...v1, '@context': ['https://www.w3.org/2018/credentials/v1', 'https://www.w3.org/ns/credentials/status/v1'] }, { id: ISSUER });
    expect(already.ok && already.credential['@context']).toHaveLength(2);
    const v2 = await prepareVcApiCredential(generic(), { id: ISSUER });
    expect(v2.ok && v2.credential['@context']).toEqual(generic()['@context']); // VC 2.0's context defines the entry
  });

  it('every problem is reported at once', async () => {
    const r = refused(await prepareVcApiCredential({ ...generic(), proof: {}, validFrom: 'today', evidence: {}, credentialSchema: { id: 'x' } }, { id: ISSUER }));
    expect(r.problems.map((p) => p.rule)).toEqual([
      'vc-api/unsigned', 'vc-2.0/4.9-valid-from', 'vc-2.0/4.11-credential-schema', 'vc-2.0/4.11-credential-schema', 'vc-2.0/5.6-evidence',
    ]);
  });

  it('the request is not changed; warnings are returned', async () => {
    // "e" passes JSON-LD's language check but is not a BCP 47 tag (a primary subtag has 2 or 3 letters).
    const input = { ...generic(), name: { '@value': 'Name', '@language': 'e' } };
    const before = structuredClone(input);
    const result = await prepareVcApiCredential(input, { id: ISSUER });
    expect(input).toEqual(before);
    expect(result.ok && result.warnings.map((w) => w.rule)).toEqual(['vc-2.0/11.1-language-tag']);
  });

  it('withCredentialStatus adds the service entry next to the caller\'s; shapeProof shapes one proof', () => {
    const entry = { id: 'https://s.example/1#5', type: 'BitstringStatusListEntry' };
    const caller = { type: 'CredentialStatusList2017' };
    expect(withCredentialStatus({ a: 1 }, entry)).toEqual({ a: 1, credentialStatus: entry });
    expect(withCredentialStatus({ credentialStatus: caller }, entry).credentialStatus).toEqual([caller, entry]);
    expect(withCredentialStatus({ credentialStatus: [caller] }, entry).credentialStatus).toEqual([caller, entry]);
    const p = { type: 'DataIntegrityProof' };
    expect(shapeProof({ proof: [p] }, 'object')).toEqual({ proof: p });
    expect(shapeProof({ proof: p }, 'list')).toEqual({ proof: [p] });
    expect(shapeProof({ proof: [p, p] }, 'object')).toEqual({ proof: [p, p] });
    expect(shapeProof({ x: 1 }, 'object')).toEqual({ x: 1 });
  });
});

describe('prepared, signed and shaped, a generic credential verifies', () => {
  it('with microcred (Data Integrity and VC-JWT) and with @digitalbazaar/vc', async () => {
    const prepared = await prepareVcApiCredential(asSent('credential-status-ok.json'), { id: ISSUER });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared));
    const entry = { id: 'https://status.example/lists/1#9', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '9', statusListCredential: 'https://status.example/lists/1' };
    const unsigned = withCredentialStatus({ ...prepared.credential, id: 'urn:uuid:6a1d2bd4-0f6c-4d9e-9b2a-3c2f1e0b7a11', validFrom: '2025-01-01T00:00:00Z' }, entry);
    const signed = shapeProof(await issueCredential(unsigned, { format: 'di', keys }), prepared.proofShape);
    expect(signed.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' });
    const report = await verify(signed, { now: new Date('2026-01-01T00:00:00Z'), checkStatus: false });
    expect(report.verified, formatReport(report)).toBe(true);
    const jwt = await issueCredential(unsigned, { format: 'jwt', keys });
    expect((await verify(jwt, { now: new Date('2026-01-01T00:00:00Z'), checkStatus: false })).checks.find((c) => c.id === 'proof')?.status).toBe('pass');
    const resolve = createDidResolver();
    const documentLoader = createDocumentLoader({ resolve });
    const independent = await vc.verifyCredential({ credential: signed, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader, checkStatus: async () => ({ verified: true }) });
    expect(independent.verified, JSON.stringify(independent.error ?? independent.results)).toBe(true);
  });
});
