/**
 * CLR 2.0: the verifier learns ClrCredential (official schema, nested credentials verified on their own), checked on
 * 1EdTech's own signed sample (signed by the 1EdTech validator's tooling, not by us), and the stacking transcript:
 * a signed CLR of a met set verifies, each nested credential verifies alone, a tampered nested one is named, and the
 * fast canonicalizer gives the stock result on a CLR.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCredential } from '../src/issue.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { createFastCryptosuite } from '../src/proof/fast/cryptosuite.js';
import { eddsaRdfc2022 } from '../src/proof/vendor.js';
import { validateClrSchema } from '../src/schema/validate-clr.js';
import { buildClrCredential } from '../src/stacking/clr.js';
import { checkStacking } from '../src/stacking/check.js';
import { formatReport } from '../src/verify/format.js';
import { verify } from '../src/verify/verify.js';
import { MicrocredError } from '../src/errors.js';
import { controllerDocsFor, mapResolver } from './verify-helpers.js';
import { NOW, stackingFixtures, topUpRules, type StackingFixtures } from './stacking-fixtures.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SAMPLE = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'clr', '1edtech-validator-clr20-simple.json'), 'utf8'),
) as Record<string, any>;

let fx: StackingFixtures;
let transcript: Record<string, any>;
beforeAll(async () => {
  fx = await stackingFixtures();
  const vp = await fx.learner.sign([fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2]);
  const report = await checkStacking({ presentation: vp }, topUpRules(fx), { fetch: fx.fetch, now: NOW });
  expect(report.met).toBe(true);
  const clr = buildClrCredential(report, {
    issuerId: fx.providers.a.keys.controller, issuerName: 'University of Aldmoor', issuerUrl: 'https://www.uni-a.example.ac.uk/',
    id: 'urn:uuid:0f7c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5', validFrom: '2026-07-31T12:00:00Z',
  });
  transcript = (await issueCredential(clr, { format: 'di', keys: fx.providers.a.keys, created: '2026-07-31T12:00:00Z' })) as Record<string, any>;
});

describe("1EdTech's signed CLR 2.0 sample", () => {
  const resolver = mapResolver(controllerDocsFor(SAMPLE));

  it('passes the official ClrCredential schema', () => {
    expect(validateClrSchema(SAMPLE)).toEqual({ valid: true, errors: [] });
  });

  it('verifies with the bundled CLR context (the signature was made by 1EdTech, over their copy of it), and its nested badge verifies on its own', async () => {
    const report = await verify(SAMPLE, { resolver, now: NOW });
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'schema')).toEqual({
      id: 'schema', status: 'pass', message: 'The transcript follows the official CLR 2.0 (Comprehensive Learner Record) schema.',
    });
    expect(report.nested).toHaveLength(1);
    expect(report.nested?.[0]).toMatchObject({ path: '$.credentialSubject.verifiableCredential[0]', id: 'http://example.com/credentials/3527' });
    expect(report.nested?.[0]?.report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
    expect(report.verified, formatReport(report)).toBe(true);
  });

  it('a change to the nested badge breaks both signatures, and the report names the nested one', async () => {
    const tampered = structuredClone(SAMPLE);
    tampered.credentialSubject.verifiableCredential[0].name = 'Leadership Badge';
    const report = await verify(tampered, { resolver, now: NOW });
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('fail');
    expect(report.nested?.[0]?.report.checks.find((c) => c.id === 'proof')?.status).toBe('fail');
  });

  it('a transcript missing its name fails the CLR schema check, naming the field', async () => {
    const noName = structuredClone(SAMPLE);
    delete noName.name;
    const report = await verify(noName, { resolver, now: NOW, verifyNested: false });
    expect(report.checks.find((c) => c.id === 'schema')).toEqual({
      id: 'schema', status: 'fail',
      message: 'The transcript does not follow the official CLR 2.0 (Comprehensive Learner Record) schema: $.name: expected a value (this field is required), found nothing.',
    });
    expect(report.nested).toBeUndefined();
  });
});

describe('the stacking transcript (buildClrCredential)', () => {
  it('embeds the four counted modules with isPartOf associations to the parent award, and the totals', () => {
    const s = transcript.credentialSubject;
    expect(transcript['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
    expect(transcript.type).toEqual(['VerifiableCredential', 'ClrCredential']);
    expect(s.id).toBe(fx.learner.did);
    expect(s.verifiableCredential).toEqual([fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2]);
    const parent = s.achievement[0];
    expect(parent).toMatchObject({ name: 'BSc (Hons) Computing (top-up)', humanCode: 'BSC-COMP-TU', creditsAvailable: 120 });
    expect(parent.alignment[0]).toMatchObject({ targetType: 'ext:UKCredits', targetCode: '120', targetName: '120 UK credits counted' });
    expect(s.association).toHaveLength(4);
    for (const a of s.association) expect(a).toMatchObject({ type: 'Association', associationType: 'isPartOf', targetId: parent.id });
    expect(s.association.map((a: { sourceId: string }) => a.sourceId)).toEqual(
      [fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2].map((c) => (c.credentialSubject as { achievement: { id: string } }).achievement.id),
    );
    expect(transcript.description).toBe(
      '120 UK credits counted towards BSc (Hons) Computing (top-up) (60 from the home providers, 60 from other providers), from 4 credentials checked against its rules.',
    );
  });

  it('the signed CLR verifies, and so does each nested credential, within it and alone', async () => {
    const report = await verify(transcript, { fetch: fx.fetch, now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.checks.find((c) => c.id === 'schema')?.status).toBe('pass');
    expect(report.nested?.map((n) => n.report.verified)).toEqual([true, true, true, true]);
    for (const c of transcript.credentialSubject.verifiableCredential) {
      expect((await verify(c, { fetch: fx.fetch, now: NOW })).verified).toBe(true);
    }
    expect(formatReport(report).split('\n').slice(-4)).toEqual([
      '  ✓ Embedded credential 1 (Software Architecture): valid.',
      '  ✓ Embedded credential 2 (Machine Learning): valid.',
      '  ✓ Embedded credential 3 (Information Security): valid.',
      '  ✓ Embedded credential 4 (Human-Computer Interaction): valid.',
    ]);
  });

  it('tamper with a nested credential: the CLR is not valid and says which nested one failed', async () => {
    const tampered = structuredClone(transcript);
    const nested = tampered.credentialSubject.verifiableCredential[2];
    nested.credentialSubject.achievement.alignment = nested.credentialSubject.achievement.alignment.map((a: Record<string, string>) =>
      a.targetType === 'ext:UKCredits' ? { ...a, targetCode: '60' } : a);
    const report = await verify(tampered, { fetch: fx.fetch, now: NOW });
    expect(report.verified).toBe(false);
    expect(report.nested?.map((n) => n.report.verified)).toEqual([true, true, false, true]);
    expect(report.nested?.[2]?.report.checks.find((c) => c.id === 'proof')?.message).toMatch(/the credential was changed after it was signed/);
    expect(formatReport(report)).toContain('  ✗ Embedded credential 3 (Information Security): not valid: The signature is not valid');
  });

  it('a nested credential revoked since the transcript was signed makes the transcript not valid, naming it', async () => {
    const clr = structuredClone(transcript);
    delete clr.proof;
    clr.credentialSubject.verifiableCredential.push(fx.c.a3Revoked);
    const signed = (await issueCredential(clr, { format: 'di', keys: fx.providers.a.keys, created: '2026-07-31T12:00:00Z' })) as Record<string, any>;
    const report = await verify(signed, { fetch: fx.fetch, now: NOW });
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
    expect(report.verified).toBe(false);
    expect(report.nested?.[4]?.report.checks.find((c) => c.id === 'status')).toMatchObject({ status: 'fail' });
  });

  it('refuses a report that is not met', async () => {
    const report = await checkStacking({ credentials: [fx.c.a1] }, topUpRules(fx), { fetch: fx.fetch, now: NOW });
    expect(() => buildClrCredential(report, { issuerId: fx.providers.a.keys.controller, issuerName: 'University of Aldmoor' })).toThrow(MicrocredError);
  });
});

describe('the fast canonicalizer on a CLR transcript', () => {
  it('gives exactly the stock canonical form (compiled or by bailing to stock), signed and unsigned', async () => {
    const fast = createFastCryptosuite();
    const documentLoader = createDocumentLoader();
    const options = { documentLoader, base: null, safe: true };
    for (const doc of [transcript, (({ proof: _p, ...rest }) => rest)(transcript)]) {
      const stock = await eddsaRdfc2022.canonize(structuredClone(doc), options);
      expect(await fast.canonize(structuredClone(doc), options)).toBe(stock);
    }
    const m = fast.metrics();
    // Whichever path it took, each call was counted as either fast or a bail to stock (none lost).
    expect(m.fast + m.bails + m.stockOptions + m.collisions).toBeGreaterThanOrEqual(2);
  });
});
