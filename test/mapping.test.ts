import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import {
  ANNEX_I_MAPPING,
  CREDENTIAL_CONTEXTS,
  achievementId,
  buildCredential,
  buildValidatedCredential,
  type BuildOptions,
} from '../src/credential/annex1.js';
import type { BuiltCredentialFailure } from '../src/credential/built-check.js';
import { assertProfile } from '../src/record/profile.js';
import { assertRecord } from '../src/record/validate.js';
import { selectPath } from '../src/credential/mapping-path.js';
import { identityHash } from '../src/credential/identity-hash.js';
import { mappingTableMarkdown } from './support/mapping-table.js';
import type { OpenBadgeCredential } from '../src/credential/types.js';
import { validateOpenBadgeSchema } from '../src/schema/validate-ob.js';
import { LEGACY_MICROCRED_PROFILE_SCHEMA_ID, claimsMicrocredProfile, validateMicrocredProfile } from '../src/schema/validate-profile.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { MicrocredError } from '../src/errors.js';

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const profile = read('../keys.example/profile.json');
const record = read('../examples/record.json');
const minimal = read('../examples/record-minimal.json');

const ISSUER = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
const OPTIONS: BuildOptions = {
  issuerId: ISSUER,
  id: 'urn:uuid:2f1b5e0a-7f37-4c3f-9c57-8d1f4a3b6e21',
  validFrom: '2026-06-22T09:00:00Z',
  salt: 'b6f1c0d2e3a4958677',
  profileSchemaId: 'https://credentials.example.ac.uk/schemas/microcred-profile/v1.json',
};
const partner = {
  name: 'Partner University of Eastmoor (example)', url: 'https://www.eastmoor.example.ac.uk/',
  country: 'United Kingdom', countryCode: 'GB', region: 'Wales', ukprn: '10088888',
};

let credential: OpenBadgeCredential;
const alignments = (c: OpenBadgeCredential, type: string) =>
  (c.credentialSubject.achievement.alignment ?? []).filter((a) => a.targetType === type);
const one = (c: OpenBadgeCredential, type: string) => {
  const list = alignments(c, type);
  expect(list, `alignments of type ${type}`).toHaveLength(1);
  return list[0]!;
};
const canonize = (doc: unknown) =>
  jsonld.canonize(doc, { algorithm: 'URDNA2015', format: 'application/n-quads', documentLoader: createDocumentLoader(), safe: true });

beforeAll(() => {
  credential = buildCredential(profile, record, OPTIONS);
});

describe('buildCredential: envelope', () => {
  it('uses only the standard contexts, the OB types and the given id and dates', () => {
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
    expect(CREDENTIAL_CONTEXTS).toEqual(credential['@context']);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.id).toBe(OPTIONS.id);
    expect(credential.validFrom).toBe('2026-06-22T09:00:00Z');
    expect(credential.awardedDate).toBe('2026-06-19T00:00:00Z');
    expect(credential.credentialSchema).toEqual([
      { id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', type: '1EdTechJsonSchemaValidator2019' },
      { id: 'https://credentials.example.ac.uk/schemas/microcred-profile/v1.json', type: '1EdTechJsonSchemaValidator2019' },
    ]);
    expect(claimsMicrocredProfile(credential)).toBe(true);
  });

  it('defaults: a fresh urn:uuid v4 id, validFrom now, random salt', () => {
    const a = buildCredential(profile, record, { issuerId: ISSUER });
    const b = buildCredential(profile, record, { issuerId: ISSUER });
    expect(a.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(Math.abs(Date.parse(a.validFrom) - Date.now())).toBeLessThan(60_000);
    expect(a.validFrom).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const saltA = a.credentialSubject.identifier!.find((i) => i.hashed)!.salt;
    const saltB = b.credentialSubject.identifier!.find((i) => i.hashed)!.salt;
    expect(saltA).toMatch(/^[0-9a-f]{32}$/);
    expect(saltA).not.toBe(saltB);
    expect(buildCredential(profile, record, { ...OPTIONS, awardedDate: '2026-06-20T12:00:00Z' }).awardedDate).toBe('2026-06-20T12:00:00Z');
  });

  it('lists the profile schema only where a deployment serves it (profileSchemaId), never the unfetchable w3id.org id', () => {
    const { profileSchemaId: _none, ...offline } = OPTIONS;
    const plain = buildCredential(profile, record, offline);
    expect(plain.credentialSchema).toEqual([
      { id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', type: '1EdTechJsonSchemaValidator2019' },
    ]);
    expect(claimsMicrocredProfile(plain)).toBe(false);
    for (const bad of [LEGACY_MICROCRED_PROFILE_SCHEMA_ID, 'https://a.example/schemas/other.json', 'https://a.example/schemas/microcred-profile/v1.json?x=1', 'ftp://a.example/schemas/microcred-profile/v1.json']) {
      expect(() => buildCredential(profile, record, { ...OPTIONS, profileSchemaId: bad }), bad).toThrowError(
        expect.objectContaining({ code: 'CREDENTIAL_INVALID', message: expect.stringContaining('options.profileSchemaId: expected the http(s) URL') }));
    }
  });

  it('passes credentialStatus through', () => {
    const status = { id: 'https://status.example/list/1#7', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: 'https://status.example/list/1' };
    expect(buildCredential(profile, record, { ...OPTIONS, credentialStatus: status }).credentialStatus).toEqual(status);
  });

  it('rejects a bad record, a bad profile or a bad issuer id with typed errors', () => {
    const badRecord = { ...record, course: { ...record.course, credits: { uk: 20, ects: 12 } } };
    expect(() => buildCredential(profile, badRecord, OPTIONS)).toThrowError(expect.objectContaining({ code: 'RECORD_INVALID' }));
    expect(() => buildCredential({ ...profile, ukprn: '123' }, record, OPTIONS)).toThrowError(expect.objectContaining({ code: 'PROFILE_INVALID' }));
    expect(() => buildCredential(profile, record, { issuerId: 'not a uri' })).toThrowError(MicrocredError);
    expect(() => buildCredential(profile, record, { issuerId: 'not a uri' })).toThrowError(/options\.issuerId: expected a URI/);
    expect(() => buildCredential(profile, record, { ...OPTIONS, validFrom: '2026-06-22 09:00' })).toThrowError(
      'options.validFrom: expected a date-time with a time zone such as "2026-06-22T09:00:00Z", found "2026-06-22 09:00"');
    expect(() => buildCredential(profile, record, { ...OPTIONS, awardedDate: '2026-06-19' })).toThrowError(/options\.awardedDate: expected a date-time/);
  });
});

describe('buildCredential: Annex I elements', () => {
  it('identityHash matches the OB specification check value', () => {
    expect(identityHash('a@example.com', 'Kosher')).toBe('sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399');
  });

  it('1 learner: DID as subject id; name unhashed; email and student id salted sha256', () => {
    const s = credential.credentialSubject;
    expect(s.id).toBe(record.learner.did);
    const sha = (v: string) => `sha256$${createHash('sha256').update(v + OPTIONS.salt).digest('hex')}`;
    expect(s.identifier).toEqual([
      { type: 'IdentityObject', hashed: false, identityHash: 'Amara Okafor-Reid', identityType: 'name' },
      { type: 'IdentityObject', hashed: true, identityHash: sha('amara.okafor-reid@example.org'), identityType: 'emailAddress', salt: OPTIONS.salt },
      { type: 'IdentityObject', hashed: true, identityHash: sha('S2310457'), identityType: 'sisSourcedId', salt: OPTIONS.salt },
    ]);
    const noDid = buildCredential(profile, { ...minimal }, OPTIONS);
    expect(noDid.credentialSubject.id).toBeUndefined();
    expect(noDid.credentialSubject.identifier).toHaveLength(1);
  });

  it('2 title: achievement name and credential name', () => {
    expect(credential.credentialSubject.achievement.name).toBe('Data Analytics for Public Health');
    expect(credential.name).toBe('Data Analytics for Public Health');
    expect(credential.credentialSubject.achievement.achievementType).toBe('MicroCredential');
  });

  it('3 and 4 awarding body and country: issuer Profile with address and UKPRN', () => {
    expect(credential.issuer).toMatchObject({
      id: ISSUER, type: ['Profile'], name: profile.name, url: profile.url, email: profile.email,
      image: { id: profile.logo, type: 'Image' },
      address: { type: ['Address'], addressCountry: 'United Kingdom', addressCountryCode: 'GB', addressRegion: 'England' },
      otherIdentifier: [{ type: 'IdentifierEntry', identifier: '10099999', identifierType: 'ext:UKPRN' }],
    });
    expect(credential.credentialSubject.achievement.creator).toBeUndefined();
  });

  it('4 a different awarding body becomes achievement.creator', () => {
    const c = buildCredential(profile, { ...record, course: { ...record.course, awardingBody: partner } }, OPTIONS);
    expect(c.credentialSubject.achievement.creator).toEqual({
      id: partner.url, type: ['Profile'], name: partner.name, url: partner.url,
      address: { type: ['Address'], addressCountry: 'United Kingdom', addressCountryCode: 'GB', addressRegion: 'Wales' },
      otherIdentifier: [{ type: 'IdentifierEntry', identifier: '10088888', identifierType: 'ext:UKPRN' }],
    });
    expect(c.issuer.name).toBe(profile.name);
  });

  it('6 learning outcomes: markdown list in criteria, one alignment each, ESCO URI as targetUrl', () => {
    const a = credential.credentialSubject.achievement;
    for (const o of record.course.learningOutcomes) expect(a.criteria.narrative).toContain(`\n- ${o.text}`);
    expect(a.criteria.id).toBe(record.course.url);
    const los = alignments(credential, 'ext:LearningOutcome');
    expect(los.map((l) => l.targetName)).toEqual(record.course.learningOutcomes.map((o: { text: string }) => o.text));
    expect(los[2]!.targetUrl).toBe('http://data.europa.eu/esco/skill/80f308e6-0e09-404a-80cd-ec5f50f6f304');
    expect(los[0]!.targetUrl).toBe(`${record.course.url}#learning-outcome-1`);
  });

  it('7 workload: ECTS and UK credits explicit; creditsAvailable/creditsEarned in UK credits', () => {
    expect(one(credential, 'ext:ECTS')).toMatchObject({ targetCode: '10', targetUrl: 'http://data.europa.eu/snb/education-credit/6fcec5c5af' });
    expect(one(credential, 'ext:UKCredits')).toMatchObject({ targetCode: '20', targetName: '20 UK credits (200 notional hours)' });
    expect(credential.credentialSubject.achievement.creditsAvailable).toBe(20);
    expect(credential.credentialSubject.creditsEarned).toBe(20);
    const m = buildCredential(profile, minimal, OPTIONS);
    expect(one(m, 'ext:ECTS').targetCode).toBe('5');
    expect(one(m, 'ext:UKCredits').targetCode).toBe('10');
  });

  it('8 level: framework level and derived EQF', () => {
    expect(one(credential, 'ext:FHEQ')).toMatchObject({ targetCode: '7', targetName: 'FHEQ level 7' });
    expect(one(credential, 'ext:EQF')).toMatchObject({ targetCode: '7', targetUrl: 'http://data.europa.eu/snb/eqf/7', targetName: 'EQF level 7' });
    const m = buildCredential(profile, minimal, OPTIONS);
    expect(one(m, 'ext:SCQF').targetCode).toBe('7');
    expect(one(m, 'ext:EQF').targetUrl).toBe('http://data.europa.eu/snb/eqf/5');
    const noEqf = buildCredential(profile, { ...minimal, course: { ...minimal.course, level: { framework: 'SCQF', level: 5 } } }, OPTIONS);
    expect(alignments(noEqf, 'ext:EQF')).toHaveLength(0);
  });

  it('9, 10, 11 assessment, participation (EU mode concept), quality assurance', () => {
    expect(one(credential, 'ext:AssessmentType').targetName).toBe(record.course.assessment.type);
    expect(one(credential, 'ext:ParticipationMode')).toMatchObject({
      targetCode: 'blended-synchronous', targetUrl: 'http://data.europa.eu/snb/learning-assessment/e92d221e4d',
    });
    const online = buildCredential(profile, minimal, OPTIONS);
    expect(one(online, 'ext:ParticipationMode')).toMatchObject({
      targetCode: 'online-asynchronous', targetUrl: 'http://data.europa.eu/snb/learning-assessment/920fbb3cbe',
    });
    expect(one(credential, 'ext:QualityAssurance')).toMatchObject({
      targetName: record.course.qualityAssurance[0].type, targetFramework: 'Quality Assurance Agency for Higher Education (QAA)',
      targetUrl: 'https://www.qaa.ac.uk/the-quality-code',
    });
  });

  it('12, 13, 15, 16 prerequisites, supervision, stackability, further information', () => {
    expect(one(credential, 'ext:Prerequisites').targetName).toBe(record.course.prerequisites);
    expect(one(credential, 'ext:SupervisionVerification')).toMatchObject({
      targetCode: 'supervised-with-id-verification', targetName: 'Supervised with identity verification (online)',
    });
    expect(one(credential, 'ext:Stackability')).toMatchObject({ targetCode: 'integrated', targetUrl: record.course.stackability.parent.url });
    expect(one(credential, 'ceterms:Credential')).toMatchObject({
      targetCode: 'PHDS-MSC', targetName: 'MSc Public Health Data Science', targetUrl: record.course.stackability.parent.url,
      targetDescription: 'Parent course (180 UK credits / 90 ECTS).',
    });
    expect(one(credential, 'ext:FurtherInformation')).toMatchObject({ targetName: record.course.furtherInformation.text, targetUrl: record.course.furtherInformation.url });
    const alone = buildCredential(profile, { ...minimal, course: { ...minimal.course, stackability: { type: 'stand-alone' } } }, OPTIONS);
    expect(one(alone, 'ext:Stackability').targetCode).toBe('stand-alone');
    expect(alignments(alone, 'ceterms:Credential')).toHaveLength(0);
  });

  it('14 grade: results linked to result descriptions of the achievement', () => {
    const rds = credential.credentialSubject.achievement.resultDescription!;
    const results = credential.credentialSubject.result!;
    expect(results).toHaveLength(2);
    for (const r of results) expect(rds.map((d) => d.id)).toContain(r.resultDescription);
    const letter = rds.find((d) => d.resultType === 'LetterGrade')!;
    expect(letter.allowedValue).toEqual(['F', 'E', 'D', 'C', 'B', 'A']);
    expect(results.find((r) => r.resultDescription === letter.id)!.value).toBe('B');
    const pct = rds.find((d) => d.resultType === 'Percent')!;
    expect(results.find((r) => r.resultDescription === pct.id)!.value).toBe('64');
    const withGrade = (grade: unknown) => buildCredential(profile, { ...minimal, result: { ...minimal.result, grade } }, OPTIONS);
    const pass = withGrade({ kind: 'pass-fail', value: 'pass' });
    expect(pass.credentialSubject.achievement.resultDescription![0]!.resultType).toBe('Status');
    expect(pass.credentialSubject.result![0]).toMatchObject({ status: 'Completed' });
    const percent = withGrade({ kind: 'percentage', value: 72.5 });
    expect(percent.credentialSubject.result![0]!.value).toBe('72.5');
    const other = withGrade({ kind: 'other', value: 'Merit', scale: { name: 'Pass/Merit/Distinction', values: ['Pass', 'Merit', 'Distinction'] } });
    expect(other.credentialSubject.achievement.resultDescription![0]).toMatchObject({ resultType: 'Result', name: 'Pass/Merit/Distinction' });
    expect(buildCredential(profile, minimal, OPTIONS).credentialSubject.result).toBeUndefined();
  });

  it('UK elements: HECoS field of study and alignments, CAH, PSRB, assessor as source, activity dates', () => {
    const a = credential.credentialSubject.achievement;
    expect(a.fieldOfStudy).toBe('computer science');
    expect(one(credential, 'ext:HECoS')).toMatchObject({ targetCode: '100366', targetName: 'computer science' });
    expect(one(credential, 'ext:CAH')).toMatchObject({ targetCode: 'CAH11-01-01' });
    expect(one(credential, 'ext:PSRBRecognition')).toMatchObject({ targetFramework: 'BCS, The Chartered Institute for IT', targetUrl: 'https://www.bcs.org/' });
    expect(a.humanCode).toBe('PHM7021');
    expect(a.inLanguage).toBe('en-GB');
    expect(credential.credentialSubject.source).toMatchObject({ id: record.result.assessor.url, type: ['Profile'], name: record.result.assessor.name });
    expect(credential.credentialSubject.activityStartDate).toBe('2026-03-02T00:00:00Z');
    expect(credential.credentialSubject.activityEndDate).toBe('2026-05-15T00:00:00Z');
  });

  it('every alignment carries targetName, targetUrl, targetFramework, targetCode and a valid targetType', () => {
    for (const a of credential.credentialSubject.achievement.alignment!) {
      expect(a.type).toEqual(['Alignment']);
      for (const f of ['targetName', 'targetUrl', 'targetFramework', 'targetCode'] as const) expect(a[f], `${a.targetType}.${f}`).toMatch(/\S/);
      expect(a.targetUrl).toMatch(/^https?:\/\//);
      expect(a.targetType).toMatch(/^(ext:[A-Za-z0-9._-]+|ceterms:Credential)$/);
    }
  });

  it('the achievement id is stable per issuer and course, and differs between courses', () => {
    const again = buildCredential(profile, record, { issuerId: ISSUER });
    expect(again.credentialSubject.achievement.id).toBe(credential.credentialSubject.achievement.id);
    expect(credential.credentialSubject.achievement.id).toMatch(/^urn:uuid:[0-9a-f-]{8}-[0-9a-f]{4}-5/);
    expect(achievementId(profile, { ...record.course, code: 'PHM7022' })).not.toBe(credential.credentialSubject.achievement.id);
    expect(achievementId({ ...profile, url: 'https://other.example.ac.uk/' }, record.course)).not.toBe(credential.credentialSubject.achievement.id);
  });
});

describe('the mapping table', () => {
  it('every path of every row resolves in the credential for the full record (plus a partner awarding body and the workload in hours)', () => {
    const c = buildCredential(profile, { ...record, course: { ...record.course, awardingBody: partner, workload: { hours: 200 } } }, OPTIONS);
    for (const row of ANNEX_I_MAPPING) {
      for (const path of row.paths) expect(selectPath(c, path).length, `element ${row.element}: ${path}`).toBeGreaterThan(0);
    }
  });

  it('renders as a Markdown table with one line per row', () => {
    const md = mappingTableMarkdown();
    const lines = md.trim().split('\n');
    expect(lines).toHaveLength(ANNEX_I_MAPPING.length + 2);
    expect(lines[2]).toMatch(/^\| 1 \| Identification of the learner \| mandatory \| `credentialSubject.id`/);
    expect(md).toContain('`credentialSubject.achievement.alignment[targetType=ext:FHEQ\\|ext:SCQF\\|ext:RQF\\|ext:CQFW]`');
  });

  it('covers Annex I elements 1–16 in order, 1–11 mandatory', () => {
    const annex = ANNEX_I_MAPPING.filter((r) => r.status !== 'uk');
    expect(annex.map((r) => r.element)).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1)));
    expect(annex.filter((r) => r.status === 'mandatory').map((r) => r.element)).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)));
  });
});

describe('schemas', () => {
  it('the credentials validate against the official OB 3.0 schema and our profile schema', () => {
    for (const c of [credential, buildCredential(profile, minimal, OPTIONS)]) {
      expect(validateOpenBadgeSchema(c)).toEqual({ valid: true, errors: [] });
      expect(validateMicrocredProfile(c)).toEqual({ valid: true, errors: [] });
    }
  });

  it('the official schema rejects a single proof object and a missing validFrom', () => {
    const bad = { ...structuredClone(credential), proof: { type: 'DataIntegrityProof' } } as Record<string, unknown>;
    delete bad['validFrom'];
    const check = validateOpenBadgeSchema(bad);
    expect(check.valid).toBe(false);
    expect(check.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['$.proof', '$.validFrom']));
  });

  const removals: [string, (c: any) => void][] = [
    ['1', (c) => { delete c.credentialSubject.id; delete c.credentialSubject.identifier; }],
    ['2', (c) => { delete c.credentialSubject.achievement.name; }],
    ['3', (c) => { delete c.issuer.address; }],
    ['4', (c) => { delete c.issuer.name; }],
    ['5', (c) => { delete c.validFrom; }],
    ['6', (c) => { c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: any) => a.targetType !== 'ext:LearningOutcome'); }],
    ['7', (c) => { c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: any) => a.targetType !== 'ext:ECTS'); }],
    ['8', (c) => { c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: any) => !['ext:EQF', 'ext:FHEQ'].includes(a.targetType)); }],
    ['9', (c) => { c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: any) => a.targetType !== 'ext:AssessmentType'); }],
    ['10', (c) => { c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: any) => a.targetType !== 'ext:ParticipationMode'); }],
    ['11', (c) => { c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: any) => a.targetType !== 'ext:QualityAssurance'); }],
  ];
  for (const [element, remove] of removals) {
    it(`a credential missing Annex I element ${element} fails our profile schema, which names it`, () => {
      const c = structuredClone(credential);
      remove(c);
      const check = validateMicrocredProfile(c);
      expect(check.valid).toBe(false);
      expect(check.errors.some((e) => e.message.startsWith(`Annex I element ${element}:`)), JSON.stringify(check.errors)).toBe(true);
    });
  }

  it('a missing element is reported with its path, what was expected and what was found', () => {
    const c = structuredClone(credential);
    c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment!.filter((a) => a.targetType !== 'ext:ECTS');
    const n = c.credentialSubject.achievement.alignment!.length;
    expect(validateMicrocredProfile(c).errors).toEqual([{
      path: '$.credentialSubject.achievement.alignment',
      message: `Annex I element 7: notional workload (ECTS, or hours without credit): $.credentialSubject.achievement.alignment: expected an alignment with targetType "ext:ECTS" (the workload in ECTS credits) or, for a course without credit, "ext:NotionalWorkload" (the workload in hours), found a list of ${n} items`,
    }]);
  });
});

describe('buildCredential: the output guard (a bug in the mapping never returns a credential verifiers reject)', () => {
  /** A record that skipped validation, as a bug elsewhere (or a schema that let it through) would pass it. */
  const unchecked = (edit: (r: any) => void) => {
    const r = structuredClone(assertRecord(record)) as any;
    edit(r);
    return r;
  };
  const failuresOf = (r: unknown, options: BuildOptions = OPTIONS): BuiltCredentialFailure[] => {
    try {
      buildValidatedCredential(assertProfile(profile), r as never, options);
    } catch (e) {
      expect(e).toBeInstanceOf(MicrocredError);
      expect((e as MicrocredError).code).toBe('BUILT_CREDENTIAL_INVALID');
      expect((e as MicrocredError).message).toMatch(/^buildCredential made a credential that fails .*, so it was not returned\. Valid records and profiles never get here/);
      return (e as MicrocredError).details as BuiltCredentialFailure[];
    }
    throw new Error('the guard did not fire');
  };

  it('refuses non-finite numbers (the review: 1e308 ECTS made Infinity UK credits, signed as null)', () => {
    const failures = failuresOf(unchecked((r) => (r.course.credits = { ects: 1e308, uk: Infinity })));
    expect(failures.map((f) => f.check)).toEqual(['finite-numbers']);
    expect(failures[0]!.errors.map((e) => e.path).sort()).toEqual(['$.credentialSubject.achievement.creditsAvailable', '$.credentialSubject.creditsEarned']);
    expect(failures[0]!.errors[0]!.message).toMatch(/: expected a finite number, found Infinity$/);
  });

  it('refuses a credential that fails the official OB 3.0 schema, naming the field', () => {
    const failures = failuresOf(unchecked((r) => (r.course.language = 'English')));
    const ob = failures.find((f) => f.check === 'ob-schema');
    expect(ob?.errors.map((e) => e.path)).toContain('$.credentialSubject.achievement.inLanguage');
  });

  it('refuses a credential that fails our profile schema, naming the Annex I element', () => {
    const failures = failuresOf(unchecked((r) => (r.course.learningOutcomes = [])));
    const own = failures.find((f) => f.check === 'profile-schema');
    expect(own?.errors.some((e) => e.message.startsWith('Annex I element 6:')), JSON.stringify(failures)).toBe(true);
  });

  it('does not fire for valid input, and a malformed status entry is the caller\'s error, not the guard\'s', () => {
    expect(() => buildValidatedCredential(assertProfile(profile), assertRecord(record), OPTIONS)).not.toThrow();
    expect(() => buildCredential(profile, record, { ...OPTIONS, credentialStatus: { type: 'BitstringStatusListEntry' } }))
      .toThrowError(expect.objectContaining({ code: 'CREDENTIAL_INVALID', message: expect.stringMatching(/^options\.credentialStatus: /) }));
    const status = { id: 'https://status.example/1#5', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: 'https://status.example/1' };
    expect(buildCredential(profile, record, { ...OPTIONS, credentialStatus: status }).credentialStatus).toEqual(status);
  });
});

describe('JSON-LD', () => {
  it('safe-mode canonicalisation succeeds with the bundled contexts only', async () => {
    for (const c of [credential, buildCredential(profile, minimal, OPTIONS)]) {
      const nquads: string = await canonize(c);
      expect(nquads).toContain('<https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType> "MicroCredential"');
      expect(nquads).toContain('"ext:ECTS"');
    }
  });

  it('safe mode does catch a term outside the contexts (the check can fail)', async () => {
    const c = structuredClone(credential) as any;
    c.credentialSubject.achievement.ectsCredits = 10;
    await expect(canonize(c)).rejects.toThrow();
  });

  it('no allowedValue list repeats a value (RDF lists with repeats trip canonicalizers)', () => {
    for (const rd of credential.credentialSubject.achievement.resultDescription ?? []) {
      const values = rd.allowedValue ?? [];
      expect(new Set(values).size).toBe(values.length);
    }
  });
});
