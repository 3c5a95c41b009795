import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { assertRecord, validateRecord, type RecordProblem } from '../src/record/validate.js';
import { assertProfile, validateProfile } from '../src/record/profile.js';
import { MicrocredError } from '../src/errors.js';

const fixture = JSON.parse(readFileSync(new URL('../examples/record.json', import.meta.url), 'utf8'));
const minimal = JSON.parse(readFileSync(new URL('../examples/record-minimal.json', import.meta.url), 'utf8'));
const exampleProfile = JSON.parse(readFileSync(new URL('../keys.example/profile.json', import.meta.url), 'utf8'));

/** The minimal record with `edit` applied to a deep copy. */
function variant(edit: (r: any) => void, base: unknown = minimal): unknown {
  const r = structuredClone(base);
  edit(r);
  return r;
}

function problemsOf(input: unknown): RecordProblem[] {
  const v = validateRecord(input);
  expect(v.ok, 'expected the record to be rejected').toBe(false);
  return v.ok ? [] : v.problems;
}

/** Asserts a problem at `path` with exactly this sentence, and that path/expected/found compose it. */
function expectProblem(input: unknown, path: string, message: string): void {
  const problems = problemsOf(input);
  const p = problems.find((x) => x.path === path);
  expect(p, `no problem at ${path}; got:\n${problems.map((x) => x.message).join('\n')}`).toBeDefined();
  expect(p!.message).toBe(message);
  expect(p!.message).toBe(`${p!.path}: expected ${p!.expected}, found ${p!.found}`);
}

describe('validateRecord: fixtures', () => {
  it('accepts the full example record and the minimal record', () => {
    expect(validateRecord(fixture).ok).toBe(true);
    expect(validateRecord(minimal).ok).toBe(true);
  });

  it('returns a normalised copy without comment fields and leaves the input untouched', () => {
    const input = structuredClone(fixture);
    const v = validateRecord(input);
    if (!v.ok) throw new Error('fixture invalid');
    expect((v.record as any)._note).toBeUndefined();
    expect(input).toEqual(fixture);
  });
});

describe('validateRecord: shape rules (JSON Schema)', () => {
  it('names a missing required field', () => {
    expectProblem(variant((r) => delete r.recordId), '$.recordId', '$.recordId: expected a value (this field is required), found nothing');
    expectProblem(variant((r) => delete r.course.assessment.type), '$.course.assessment.type',
      '$.course.assessment.type: expected a value (this field is required), found nothing');
  });

  it('rejects an empty record id and a non-object record', () => {
    expectProblem(variant((r) => (r.recordId = '')), '$.recordId',
      '$.recordId: expected the provider\'s unique id for this completion, found ""');
    expectProblem('hello', '$', '$: expected an object, found "hello"');
  });

  it('rejects unknown fields, listing the allowed ones', () => {
    const p = problemsOf(variant((r) => (r.learner.nickname = 'Sammy'))).find((x) => x.path === '$.learner.nickname');
    expect(p?.message).toBe('$.learner.nickname: expected no such field (allowed here: fullName, email, did, studentId), found "Sammy"');
  });

  it('checks credits are positive numbers and that at least one system is given', () => {
    expectProblem(variant((r) => (r.course.credits = { uk: 20, ects: 'ten' })), '$.course.credits.ects',
      '$.course.credits.ects: expected a number greater than 0, found "ten"');
    expectProblem(variant((r) => (r.course.credits = { uk: 0 })), '$.course.credits.uk',
      '$.course.credits.uk: expected a number greater than 0, found 0');
    expectProblem(variant((r) => (r.course.credits = {})), '$.course.credits',
      '$.course.credits: expected an object with "uk" and/or "ects" credits, found an object');
  });

  it('checks the learner: name, email, DID (did:key / did:web only)', () => {
    expectProblem(variant((r) => (r.learner.fullName = 42)), '$.learner.fullName', '$.learner.fullName: expected the learner\'s full name, found 42');
    expectProblem(variant((r) => (r.learner.email = 'not-an-email')), '$.learner.email',
      '$.learner.email: expected an email address, found "not-an-email"');
    expectProblem(variant((r) => (r.learner.did = 'did:example:123')), '$.learner.did',
      '$.learner.did: expected a did:key or did:web DID, found "did:example:123"');
    for (const did of ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'did:web:learner.example.org', 'did:web:example.org:users:sam']) {
      expect(validateRecord(variant((r) => (r.learner.did = did))).ok, did).toBe(true);
    }
  });

  it('requires at least one learning outcome and ESCO skill URIs in ESCO form', () => {
    expectProblem(variant((r) => (r.course.learningOutcomes = [])), '$.course.learningOutcomes',
      '$.course.learningOutcomes: expected a list of at least one learning outcome, found an empty list');
    expectProblem(variant((r) => (r.course.learningOutcomes[0].escoSkill = 'https://esco.example/skill/1')), '$.course.learningOutcomes[0].escoSkill',
      '$.course.learningOutcomes[0].escoSkill: expected an ESCO skill URI (http://data.europa.eu/esco/skill/<uuid>), found "https://esco.example/skill/1"');
  });

  it('checks the level framework and level type', () => {
    expectProblem(variant((r) => (r.course.level.framework = 'NQF')), '$.course.level.framework',
      '$.course.level.framework: expected one of FHEQ, SCQF, RQF, CQFW, found "NQF"');
    expectProblem(variant((r) => (r.course.level.level = 'seven')), '$.course.level.level',
      '$.course.level.level: expected a whole number level, or "entry1", "entry2", "entry3" (RQF/CQFW), found "seven"');
    expectProblem(variant((r) => (r.course.level.eqf = 9)), '$.course.level.eqf', '$.course.level.eqf: expected an EQF level from 1 to 8, found 9');
  });

  it('checks participation: mode and synchronous flag', () => {
    expectProblem(variant((r) => (r.course.participation.mode = 'hybrid')), '$.course.participation.mode',
      '$.course.participation.mode: expected one of "online", "on-site", "blended", found "hybrid"');
    expectProblem(variant((r) => (r.course.participation.synchronous = 'yes')), '$.course.participation.synchronous',
      '$.course.participation.synchronous: expected true or false, found "yes"');
  });

  it('accepts only the three Annex I supervision options', () => {
    for (const option of ['unsupervised-no-id-verification', 'supervised-no-id-verification', 'supervised-with-id-verification']) {
      expect(validateRecord(variant((r) => (r.course.supervision = { option }))).ok, option).toBe(true);
    }
    expectProblem(variant((r) => (r.course.supervision = { option: 'proctored' })), '$.course.supervision.option',
      '$.course.supervision.option: expected one of "unsupervised-no-id-verification", "supervised-no-id-verification", "supervised-with-id-verification", found "proctored"');
  });

  it('checks HECoS (6 digits) and CAH (CAHnn, CAHnn-nn, CAHnn-nn-nn) codes', () => {
    for (const code of ['CAH11', 'CAH11-01', 'CAH11-01-01']) {
      expect(validateRecord(variant((r) => (r.course.subjects = { cah: [{ code, term: 'computing' }] }))).ok, code).toBe(true);
    }
    for (const code of ['CAH1', 'CAH11-1', 'CAH11-01-01-01', 'cah11']) {
      expectProblem(variant((r) => (r.course.subjects = { cah: [{ code, term: 'computing' }] })), '$.course.subjects.cah[0].code',
        `$.course.subjects.cah[0].code: expected a CAH code: CAHnn, CAHnn-nn or CAHnn-nn-nn, found ${JSON.stringify(code)}`);
    }
    for (const code of ['10036', '1003660', 'A00366']) {
      expectProblem(variant((r) => (r.course.subjects = { hecos: [{ code, term: 'computer science' }] })), '$.course.subjects.hecos[0].code',
        `$.course.subjects.hecos[0].code: expected a 6-digit HECoS code, found ${JSON.stringify(code)}`);
    }
  });

  it('checks PSRB and quality assurance entries', () => {
    expectProblem(variant((r) => (r.course.psrb = [{ body: 'BCS', recognition: 'CPD', url: 'ftp://bcs.example' }])), '$.course.psrb[0].url',
      '$.course.psrb[0].url: expected an http(s) URL, found "ftp://bcs.example"');
    expectProblem(variant((r) => (r.course.qualityAssurance = [])), '$.course.qualityAssurance',
      '$.course.qualityAssurance: expected a list of at least one quality assurance entry, found an empty list');
    expectProblem(variant((r) => delete r.course.qualityAssurance[0].type), '$.course.qualityAssurance[0].type',
      '$.course.qualityAssurance[0].type: expected a value (this field is required), found nothing');
  });

  it('checks stackability: integrated needs a parent, stand-alone takes none', () => {
    expectProblem(variant((r) => (r.course.stackability = { type: 'integrated' })), '$.course.stackability.parent',
      '$.course.stackability.parent: expected a value (this field is required), found nothing');
    expectProblem(variant((r) => (r.course.stackability = { type: 'stand-alone', parent: { title: 'MSc', url: 'https://x.example/' } })),
      '$.course.stackability.parent', '$.course.stackability.parent: expected no such field (allowed here: type), found an object');
    expectProblem(variant((r) => (r.course.stackability = { type: 'stacked' })), '$.course.stackability.type',
      '$.course.stackability.type: expected one of "stand-alone", "integrated", found "stacked"');
    expect(validateRecord(variant((r) => (r.course.stackability = { type: 'stand-alone' }))).ok).toBe(true);
  });

  it('checks the language tag (BCP 47 as OB restricts it)', () => {
    expect(validateRecord(variant((r) => (r.course.language = 'cy-GB'))).ok).toBe(true);
    expectProblem(variant((r) => (r.course.language = 'english')), '$.course.language',
      '$.course.language: expected a BCP 47 language tag such as "en" or "en-GB", found "english"');
  });

  it('checks each grade kind', () => {
    expectProblem(variant((r) => (r.result.grade = { kind: 'letter', value: 'B', scale: ['C', 'B', 'B', 'A'] })), '$.result.grade.scale',
      '$.result.grade.scale: expected the grade letters from lowest to highest, without repeats, found a list of 4 items');
    expectProblem(variant((r) => (r.result.grade = { kind: 'percentage', value: 104 })), '$.result.grade.value',
      '$.result.grade.value: expected a percentage from 0 to 100, found 104');
    expectProblem(variant((r) => (r.result.grade = { kind: 'pass-fail', value: 'fail' })), '$.result.grade.value',
      '$.result.grade.value: expected "pass" (credentials are only issued for a passed micro-credential), found "fail"');
    expectProblem(variant((r) => (r.result.grade = { kind: 'other', value: 'Merit' })), '$.result.grade.scale',
      '$.result.grade.scale: expected a value (this field is required), found nothing');
    expectProblem(variant((r) => (r.result.grade = { kind: 'stars', value: '5' })), '$.result.grade.kind',
      '$.result.grade.kind: expected one of "letter", "percentage", "pass-fail", "other", found "stars"');
    for (const grade of [
      { kind: 'letter', value: 'A' },
      { kind: 'percentage', value: 72.5 },
      { kind: 'pass-fail', value: 'pass' },
      { kind: 'other', value: 'Merit', scale: { name: 'Pass/Merit/Distinction', values: ['Pass', 'Merit', 'Distinction'] } },
    ]) {
      expect(validateRecord(variant((r) => (r.result.grade = grade))).ok, grade.kind).toBe(true);
    }
  });

  it('checks dates are real calendar dates written YYYY-MM-DD', () => {
    expectProblem(variant((r) => (r.result.completionDate = '2026-02-30')), '$.result.completionDate',
      '$.result.completionDate: expected a date written YYYY-MM-DD, found "2026-02-30"');
    expectProblem(variant((r) => (r.result.activityStartDate = '02/03/2026')), '$.result.activityStartDate',
      '$.result.activityStartDate: expected a date written YYYY-MM-DD, found "02/03/2026"');
  });

  it('checks the assessor and the awarding body', () => {
    expectProblem(variant((r) => (r.result.assessor = { name: 'Partner' })), '$.result.assessor.url',
      '$.result.assessor.url: expected a value (this field is required), found nothing');
    expectProblem(
      variant((r) => (r.course.awardingBody = { name: 'Partner University', url: 'https://partner.example.ac.uk/', country: 'United Kingdom', countryCode: 'gb', ukprn: '20012345' })),
      '$.course.awardingBody.countryCode',
      '$.course.awardingBody.countryCode: expected an ISO 3166-1 alpha-2 country code such as "GB", found "gb"',
    );
  });
});

/**
 * One row per field rule of the record schema: an edit of the full example record that breaks exactly that rule, and
 * the sentence the user must see. The last test checks every rule the schema declares (each `expected` annotation)
 * has a row here, so a new rule cannot land untested.
 */
const FIELD_RULES: [path: string, edit: (r: any) => void, message: string][] = [
  ['$.recordId', (r) => (r.recordId = ''), '$.recordId: expected the provider\'s unique id for this completion, found ""'],
  ['$.learner.fullName', (r) => (r.learner.fullName = ''), '$.learner.fullName: expected the learner\'s full name, found ""'],
  ['$.learner.email', (r) => (r.learner.email = 'sam@'), '$.learner.email: expected an email address, found "sam@"'],
  ['$.learner.did', (r) => (r.learner.did = 'did:web:'), '$.learner.did: expected a did:key or did:web DID, found "did:web:"'],
  ['$.learner.studentId', (r) => (r.learner.studentId = ''), '$.learner.studentId: expected the provider\'s student id, found ""'],
  ['$.course.code', (r) => (r.course.code = ''), '$.course.code: expected the course code, e.g. "PHM7021", found ""'],
  ['$.course.version', (r) => (r.course.version = 0), "$.course.version: expected a version number of the course in the issuer's catalogue (1, 2, ...), found 0"],
  ['$.course.title', (r) => (r.course.title = 7), '$.course.title: expected the title of the micro-credential, found 7'],
  ['$.course.description', (r) => (r.course.description = ''), '$.course.description: expected a description of the micro-credential, found ""'],
  ['$.course.url', (r) => (r.course.url = 'www.example.ac.uk'), '$.course.url: expected an http(s) URL, found "www.example.ac.uk"'],
  ['$.course.learningOutcomes', (r) => (r.course.learningOutcomes = 'all'), '$.course.learningOutcomes: expected a list of at least one learning outcome, found "all"'],
  ['$.course.learningOutcomes[0].text', (r) => (r.course.learningOutcomes[0].text = ''), '$.course.learningOutcomes[0].text: expected the learning outcome in words, found ""'],
  ['$.course.learningOutcomes[0].escoSkill', (r) => (r.course.learningOutcomes[0].escoSkill = 'http://data.europa.eu/esco/skill/x'),
    '$.course.learningOutcomes[0].escoSkill: expected an ESCO skill URI (http://data.europa.eu/esco/skill/<uuid>), found "http://data.europa.eu/esco/skill/x"'],
  ['$.course.credits', (r) => (r.course.credits = 20), '$.course.credits: expected an object with "uk" and/or "ects" credits, found 20'],
  ['$.course.credits.uk', (r) => (r.course.credits = { uk: -10 }), '$.course.credits.uk: expected a number greater than 0, found -10'],
  ['$.course.credits.ects', (r) => (r.course.credits = { ects: '5' }), '$.course.credits.ects: expected a number greater than 0, found "5"'],
  ['$.course.level.framework', (r) => (r.course.level.framework = 'EQF'), '$.course.level.framework: expected one of FHEQ, SCQF, RQF, CQFW, found "EQF"'],
  ['$.course.level.level', (r) => (r.course.level.level = 7.5),
    '$.course.level.level: expected a whole number level, or "entry1", "entry2", "entry3" (RQF/CQFW), found 7.5'],
  ['$.course.level.eqf', (r) => (r.course.level.eqf = 0), '$.course.level.eqf: expected an EQF level from 1 to 8, found 0'],
  ['$.course.participation.mode', (r) => (r.course.participation.mode = 'Online'), '$.course.participation.mode: expected one of "online", "on-site", "blended", found "Online"'],
  ['$.course.participation.synchronous', (r) => (r.course.participation.synchronous = 1), '$.course.participation.synchronous: expected true or false, found 1'],
  ['$.course.participation.description', (r) => (r.course.participation.description = ''), '$.course.participation.description: expected a non-empty text, found ""'],
  ['$.course.assessment.type', (r) => (r.course.assessment.type = ''), '$.course.assessment.type: expected the type of assessment in words, found ""'],
  ['$.course.assessment.description', (r) => (r.course.assessment.description = ''), '$.course.assessment.description: expected a non-empty text, found ""'],
  ['$.course.supervision.option', (r) => (r.course.supervision.option = 'supervised'),
    '$.course.supervision.option: expected one of "unsupervised-no-id-verification", "supervised-no-id-verification", "supervised-with-id-verification", found "supervised"'],
  ['$.course.supervision.setting', (r) => (r.course.supervision = { option: 'supervised-with-id-verification', setting: 'remote' }),
    '$.course.supervision.setting: expected one of "online", "on-site", found "remote"'],
  ['$.course.subjects.hecos[0].code', (r) => (r.course.subjects.hecos[0].code = 100366), '$.course.subjects.hecos[0].code: expected a 6-digit HECoS code, found 100366'],
  ['$.course.subjects.hecos[0].term', (r) => (r.course.subjects.hecos[0].term = ''), '$.course.subjects.hecos[0].term: expected the official term, e.g. "computer science", found ""'],
  ['$.course.subjects.cah[0].code', (r) => (r.course.subjects.cah[0].code = 'CAH-11'), '$.course.subjects.cah[0].code: expected a CAH code: CAHnn, CAHnn-nn or CAHnn-nn-nn, found "CAH-11"'],
  ['$.course.subjects.cah[0].term', (r) => (r.course.subjects.cah[0].term = ''), '$.course.subjects.cah[0].term: expected the official term, e.g. "computer science", found ""'],
  ['$.course.psrb[0].body', (r) => (r.course.psrb[0].body = ''), '$.course.psrb[0].body: expected the name of the professional, statutory or regulatory body, found ""'],
  ['$.course.psrb[0].recognition', (r) => (r.course.psrb[0].recognition = ''), '$.course.psrb[0].recognition: expected what the body recognises, found ""'],
  ['$.course.workload', (r) => (r.course.workload = 12), '$.course.workload: expected an object {"hours": n}: the notional workload in hours, found 12'],
  ['$.course.workload.hours', (r) => (r.course.workload = { hours: 0 }), '$.course.workload.hours: expected a number of hours greater than 0, found 0'],
  ['$.course.psrb[0].url', (r) => (r.course.psrb[0].url = 'bcs.org'), '$.course.psrb[0].url: expected an http(s) URL, found "bcs.org"'],
  ['$.course.qualityAssurance', (r) => (r.course.qualityAssurance = {}), '$.course.qualityAssurance: expected a list of at least one quality assurance entry, found an object'],
  ['$.course.qualityAssurance[0].type', (r) => (r.course.qualityAssurance[0].type = ''), '$.course.qualityAssurance[0].type: expected the type of quality assurance in words, found ""'],
  ['$.course.qualityAssurance[0].body', (r) => (r.course.qualityAssurance[0].body = ''), '$.course.qualityAssurance[0].body: expected the quality assurance body, found ""'],
  ['$.course.qualityAssurance[0].url', (r) => (r.course.qualityAssurance[0].url = 'qaa'), '$.course.qualityAssurance[0].url: expected an http(s) URL, found "qaa"'],
  ['$.course.prerequisites', (r) => (r.course.prerequisites = ''), '$.course.prerequisites: expected a non-empty text, found ""'],
  ['$.course.stackability.type', (r) => (r.course.stackability.type = 'standalone'), '$.course.stackability.type: expected one of "stand-alone", "integrated", found "standalone"'],
  ['$.course.stackability.parent.title', (r) => (r.course.stackability.parent.title = ''), '$.course.stackability.parent.title: expected the parent course title, found ""'],
  ['$.course.stackability.parent.code', (r) => (r.course.stackability.parent.code = ''), '$.course.stackability.parent.code: expected a non-empty text, found ""'],
  ['$.course.stackability.parent.credits', (r) => (r.course.stackability.parent.credits = {}),
    '$.course.stackability.parent.credits: expected an object with "uk" and/or "ects" credits, found an object'],
  ['$.course.stackability.parent.credits.uk', (r) => (r.course.stackability.parent.credits = { uk: 0 }), '$.course.stackability.parent.credits.uk: expected a number greater than 0, found 0'],
  ['$.course.stackability.parent.credits.ects', (r) => (r.course.stackability.parent.credits = { ects: null }), '$.course.stackability.parent.credits.ects: expected a number greater than 0, found null'],
  ['$.course.stackability.parent.url', (r) => (r.course.stackability.parent.url = '/msc'), '$.course.stackability.parent.url: expected an http(s) URL, found "/msc"'],
  ['$.course.language', (r) => (r.course.language = 'en_GB'), '$.course.language: expected a BCP 47 language tag such as "en" or "en-GB", found "en_GB"'],
  ['$.course.furtherInformation.text', (r) => (r.course.furtherInformation.text = ''), '$.course.furtherInformation.text: expected a non-empty text, found ""'],
  ['$.course.furtherInformation.url', (r) => (r.course.furtherInformation.url = 'later'), '$.course.furtherInformation.url: expected an http(s) URL, found "later"'],
  ...awardingBodyRule('name', '', '$.course.awardingBody.name: expected a non-empty text, found ""'),
  ...awardingBodyRule('url', 'partner.example', '$.course.awardingBody.url: expected an http(s) URL, found "partner.example"'),
  ...awardingBodyRule('country', '', '$.course.awardingBody.country: expected a country name, found ""'),
  ...awardingBodyRule('countryCode', 'GBR', '$.course.awardingBody.countryCode: expected an ISO 3166-1 alpha-2 country code such as "GB", found "GBR"'),
  ...awardingBodyRule('region', '', '$.course.awardingBody.region: expected a non-empty text, found ""'),
  ...awardingBodyRule('ukprn', '2001234', '$.course.awardingBody.ukprn: expected a UKPRN: 8 digits starting with 1, found "2001234"'),
  ['$.result.grade.kind', (r) => (r.result.grade.kind = 'Letter'), '$.result.grade.kind: expected one of "letter", "percentage", "pass-fail", "other", found "Letter"'],
  ['$.result.grade.value', (r) => (r.result.grade = { kind: 'letter', value: 'Excellent++' }), '$.result.grade.value: expected a letter grade such as "A" or "B+", found "Excellent++"'],
  ['$.result.grade.scale', (r) => (r.result.grade.scale = ['B']), '$.result.grade.scale: expected the grade letters from lowest to highest, without repeats, found a list of 1 item'],
  ['$.result.grade.scale[0]', (r) => (r.result.grade.scale[0] = ''), '$.result.grade.scale[0]: expected a letter grade, found ""'],
  ['$.result.grade.value', (r) => (r.result.grade = { kind: 'percentage', value: '64%' }), '$.result.grade.value: expected a percentage from 0 to 100, found "64%"'],
  ['$.result.grade.value', (r) => (r.result.grade = { kind: 'pass-fail', value: 'Pass' }),
    '$.result.grade.value: expected "pass" (credentials are only issued for a passed micro-credential), found "Pass"'],
  ['$.result.grade.value', (r) => (r.result.grade = otherGrade({ value: '' })), '$.result.grade.value: expected the grade as written on the scale, found ""'],
  ['$.result.grade.scale.name', (r) => (r.result.grade = otherGrade({ scale: { name: '' } })), '$.result.grade.scale.name: expected the name of the grading scale, found ""'],
  ['$.result.grade.scale.values', (r) => (r.result.grade = otherGrade({ scale: { name: 'PMD', values: ['Merit', 'Merit'] } })),
    '$.result.grade.scale.values: expected the scale\'s values from lowest to highest, without repeats, found a list of 2 items'],
  ['$.result.grade.scale.values[0]', (r) => (r.result.grade = otherGrade({ scale: { name: 'PMD', values: ['', 'Merit'] } })),
    '$.result.grade.scale.values[0]: expected a non-empty text, found ""'],
  ['$.result.grade.scale.min', (r) => (r.result.grade = otherGrade({ scale: { name: 'PMD', min: '' } })), '$.result.grade.scale.min: expected a non-empty text, found ""'],
  ['$.result.grade.scale.max', (r) => (r.result.grade = otherGrade({ scale: { name: 'PMD', max: '' } })), '$.result.grade.scale.max: expected a non-empty text, found ""'],
  ['$.result.mark', (r) => (r.result.mark = 101), '$.result.mark: expected a mark in percent from 0 to 100, found 101'],
  ['$.result.completionDate', (r) => (r.result.completionDate = '2026-06-19T10:00:00Z'), '$.result.completionDate: expected a date written YYYY-MM-DD, found "2026-06-19T10:00:00Z"'],
  ['$.result.activityStartDate', (r) => (r.result.activityStartDate = '2026-3-2'), '$.result.activityStartDate: expected a date written YYYY-MM-DD, found "2026-3-2"'],
  ['$.result.activityEndDate', (r) => (r.result.activityEndDate = '2026-13-01'), '$.result.activityEndDate: expected a date written YYYY-MM-DD, found "2026-13-01"'],
  ['$.result.assessor.name', (r) => (r.result.assessor.name = ''), '$.result.assessor.name: expected the assessor\'s name, found ""'],
  ['$.result.assessor.url', (r) => (r.result.assessor.url = 'mailto:a@b.example'), '$.result.assessor.url: expected an http(s) URL, found "mailto:a@b.example"'],
];

function awardingBodyRule(field: string, value: unknown, message: string): [string, (r: any) => void, string][] {
  const body = { name: 'Partner University', url: 'https://partner.example.ac.uk/', country: 'United Kingdom', countryCode: 'GB', region: 'Wales', ukprn: '10012345' };
  return [[`$.course.awardingBody.${field}`, (r) => (r.course.awardingBody = { ...body, [field]: value }), message]];
}

function otherGrade(change: { value?: string; scale?: object }): object {
  return { kind: 'other', value: 'Merit', scale: { name: 'Pass/Merit/Distinction', values: ['Pass', 'Merit', 'Distinction'] }, ...change };
}

describe('validateRecord: every field rule, with its sentence', () => {
  it('the full example record has every optional part these rules edit', () => {
    expect(validateRecord(fixture).ok).toBe(true);
    for (const [path, edit] of FIELD_RULES) {
      // An edit of a part that does not exist would throw: the row would test nothing.
      expect(() => edit(structuredClone(fixture)), path).not.toThrow();
    }
  });

  it.each(FIELD_RULES.map(([path, edit, message]) => [message, path, edit] as const))('%s', (message, path, edit) => {
    const problems = problemsOf(variant(edit, fixture));
    expect(problems.map((p) => p.message)).toContain(message);
    // Exactly that rule breaks: no other problem, so the row proves the rule on its own.
    expect(problems.map((p) => p.path)).toEqual([path]);
  });

  it('every rule the record schema declares has a row above', () => {
    const schema = JSON.parse(readFileSync(new URL('../src/schemas/completion-record.schema.json', import.meta.url), 'utf8'));
    const declared: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node) || !node || typeof node !== 'object') return;
      const n = node as Record<string, any>;
      if (typeof n.expected === 'string') declared.push(`${path}: expected ${n.expected}, found `);
      for (const [name, child] of Object.entries(n.properties ?? {})) walk(child, `${path}.${name}`);
      if (n.items) walk(n.items, `${path}[0]`);
      for (const branch of n.allOf ?? []) walk(branch.then, path);
    };
    walk(schema, '$');
    expect(declared.length).toBeGreaterThan(60);
    const messages = FIELD_RULES.map(([, , m]) => m);
    expect(declared.filter((d) => !messages.some((m) => m.startsWith(d)))).toEqual([]);
  });
});

describe('validateRecord: cross-field rules', () => {
  it('derives ECTS from UK credits and UK credits from ECTS (2 UK = 1 ECTS)', () => {
    const a = validateRecord(variant((r) => (r.course.credits = { uk: 15 })));
    const b = validateRecord(variant((r) => (r.course.credits = { ects: 7.5 })));
    expect(a.ok && a.record.course.credits).toEqual({ uk: 15, ects: 7.5 });
    expect(b.ok && b.record.course.credits).toEqual({ uk: 15, ects: 7.5 });
  });

  it('rejects UK and ECTS credits that disagree', () => {
    expectProblem(variant((r) => (r.course.credits = { uk: 20, ects: 12 })), '$.course.credits',
      '$.course.credits: expected UK credits equal to 2 × ECTS credits (for 12 ECTS: 24 UK credits), or only one of the two, found 20 UK credits and 12 ECTS');
  });

  it('derives and checks the parent course credits of an integrated micro-credential', () => {
    const v = validateRecord(fixture);
    expect(v.ok && v.record.course.stackability).toMatchObject({ parent: { credits: { uk: 180, ects: 90 } } });
    expectProblem(variant((r) => (r.course.stackability.parent.credits = { uk: 180, ects: 60 }), fixture),
      '$.course.stackability.parent.credits',
      '$.course.stackability.parent.credits: expected UK credits equal to 2 × ECTS credits (for 60 ECTS: 120 UK credits), or only one of the two, found 180 UK credits and 60 ECTS');
  });

  it('checks the level range of each framework', () => {
    const level = (framework: string, l: unknown) => variant((r) => (r.course.level = { framework, level: l }));
    expectProblem(level('FHEQ', 9), '$.course.level.level', '$.course.level.level: expected a level from 3 to 8 for FHEQ, found 9');
    expectProblem(level('FHEQ', 2), '$.course.level.level', '$.course.level.level: expected a level from 3 to 8 for FHEQ, found 2');
    expectProblem(level('FHEQ', 'entry3'), '$.course.level.level', '$.course.level.level: expected a level from 3 to 8 for FHEQ, found "entry3"');
    expectProblem(level('SCQF', 13), '$.course.level.level', '$.course.level.level: expected a level from 1 to 12 for SCQF, found 13');
    expectProblem(level('SCQF', 0), '$.course.level.level', '$.course.level.level: expected a level from 1 to 12 for SCQF, found 0');
    expectProblem(level('RQF', 9), '$.course.level.level', '$.course.level.level: expected a level "entry1", "entry2", "entry3" or 1 to 8 for RQF, found 9');
    expectProblem(level('CQFW', 0), '$.course.level.level', '$.course.level.level: expected a level "entry1", "entry2", "entry3" or 1 to 8 for CQFW, found 0');
    for (const [fw, l] of [['FHEQ', 3], ['FHEQ', 8], ['SCQF', 1], ['SCQF', 12], ['RQF', 'entry1'], ['RQF', 8], ['CQFW', 'entry3']] as const) {
      expect(validateRecord(level(fw, l)).ok, `${fw} ${l}`).toBe(true);
    }
  });

  it('derives the EQF level from the UK referencing (DIGEST §12)', () => {
    const cases: [string, number | string, number][] = [
      ['FHEQ', 4, 5], ['FHEQ', 5, 5], ['FHEQ', 6, 6], ['FHEQ', 7, 7], ['FHEQ', 8, 8],
      ['RQF', 3, 4], ['RQF', 4, 5], ['CQFW', 6, 6],
      ['SCQF', 7, 5], ['SCQF', 8, 5], ['SCQF', 9, 6], ['SCQF', 10, 6], ['SCQF', 11, 7], ['SCQF', 12, 8],
    ];
    for (const [framework, level, eqf] of cases) {
      const v = validateRecord(variant((r) => (r.course.level = { framework, level })));
      expect(v.ok && v.record.course.level.eqf, `${framework} ${level}`).toBe(eqf);
    }
  });

  it('rejects a stated EQF level that disagrees with the referencing', () => {
    expectProblem(variant((r) => (r.course.level = { framework: 'FHEQ', level: 7, eqf: 6 })), '$.course.level.eqf',
      '$.course.level.eqf: expected EQF level 7, which the UK referencing gives for FHEQ level 7 (or leave it out), found 6');
    expectProblem(variant((r) => (r.course.level = { framework: 'SCQF', level: 10, eqf: 7 })), '$.course.level.eqf',
      '$.course.level.eqf: expected EQF level 6, which the UK referencing gives for SCQF level 10 (or leave it out), found 7');
  });

  it('keeps a stated EQF level where the referencing gives none, and derives none by itself', () => {
    const stated = validateRecord(variant((r) => (r.course.level = { framework: 'RQF', level: 'entry1', eqf: 1 })));
    expect(stated.ok && stated.record.course.level.eqf).toBe(1);
    const none = validateRecord(variant((r) => (r.course.level = { framework: 'SCQF', level: 5 })));
    expect(none.ok && none.record.course.level.eqf).toBeUndefined();
  });

  it('checks the dates are in order: start <= end <= completion', () => {
    expectProblem(variant((r) => Object.assign(r.result, { activityStartDate: '2026-02-10', activityEndDate: '2026-02-01' })),
      '$.result.activityEndDate', '$.result.activityEndDate: expected a date on or after the activity start date 2026-02-10, found "2026-02-01"');
    expectProblem(variant((r) => Object.assign(r.result, { activityEndDate: '2026-03-01', completionDate: '2026-02-27' })),
      '$.result.completionDate', '$.result.completionDate: expected a date on or after the activity end date 2026-03-01, found "2026-02-27"');
    expectProblem(variant((r) => Object.assign(r.result, { activityStartDate: '2026-03-01', completionDate: '2026-02-27' })),
      '$.result.completionDate', '$.result.completionDate: expected a date on or after the activity start date 2026-03-01, found "2026-02-27"');
    expect(validateRecord(variant((r) => Object.assign(r.result, { activityStartDate: '2026-02-27', activityEndDate: '2026-02-27' }))).ok).toBe(true);
  });

  it('checks a grade against its scale and a mark against a percentage grade', () => {
    expectProblem(variant((r) => (r.result.grade = { kind: 'letter', value: 'Z', scale: ['C', 'B', 'A'] })), '$.result.grade.value',
      '$.result.grade.value: expected one of the scale\'s values "C", "B", "A", found "Z"');
    expectProblem(variant((r) => (r.result.grade = { kind: 'other', value: 'Excellent', scale: { name: 'PMD', values: ['Pass', 'Merit', 'Distinction'] } })),
      '$.result.grade.value', '$.result.grade.value: expected one of the scale\'s values "Pass", "Merit", "Distinction", found "Excellent"');
    expectProblem(variant((r) => Object.assign(r.result, { grade: { kind: 'percentage', value: 72 }, mark: 70 })), '$.result.mark',
      '$.result.mark: expected the same percentage as the grade (72), or no mark, found 70');
  });

  it('allows a supervision setting only for supervised assessment', () => {
    expectProblem(variant((r) => (r.course.supervision = { option: 'unsupervised-no-id-verification', setting: 'online' })),
      '$.course.supervision.setting', '$.course.supervision.setting: expected no setting, because the assessment is unsupervised, found "online"');
  });
});

describe('validateRecord: every problem at once', () => {
  it('reports shape and cross-field problems together, each once', () => {
    const bad = variant((r) => {
      r.recordId = '';
      r.learner.did = 'did:example:1';
      r.course.credits = { uk: 20, ects: 12 };
      r.course.level = { framework: 'FHEQ', level: 7, eqf: 5 };
      r.course.participation.mode = 'hybrid';
      r.course.subjects = { hecos: [{ code: '12345', term: 'x' }] };
      r.result.completionDate = '2026-01-01';
      r.result.activityEndDate = '2026-01-31';
    });
    const problems = problemsOf(bad);
    expect(problems.map((p) => p.path).sort()).toEqual([
      '$.course.credits', '$.course.level.eqf', '$.course.participation.mode', '$.course.subjects.hecos[0].code',
      '$.learner.did', '$.recordId', '$.result.completionDate',
    ]);
    for (const p of problems) expect(p.message).toBe(`${p.path}: expected ${p.expected}, found ${p.found}`);
  });

  it('assertRecord throws RECORD_INVALID listing the problems', () => {
    let caught: unknown;
    try {
      assertRecord(variant((r) => { r.course.credits = { uk: 'x' }; delete r.learner.fullName; }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MicrocredError);
    const err = caught as MicrocredError;
    expect(err.code).toBe('RECORD_INVALID');
    expect(err.message).toContain('$.course.credits.uk: expected a number greater than 0, found "x"');
    expect(err.message).toContain('$.learner.fullName: expected a value (this field is required), found nothing');
    expect((err.details as RecordProblem[]).length).toBe(2);
    expect(assertRecord(minimal).course.credits).toEqual({ uk: 10, ects: 5 });
  });
});

describe('validateProfile', () => {
  it('accepts the example profile and drops its comment field', () => {
    const p = assertProfile(exampleProfile);
    expect(p.name).toBe('Example University of Northbridge');
    expect((p as any)._note).toBeUndefined();
  });

  it('checks UKPRN, country code, URL, logo and email, all at once', () => {
    const v = validateProfile({ ...exampleProfile, ukprn: '20012345', countryCode: 'UK1', url: 'northbridge', logo: 'http://x.example/logo.png', email: 'nope' });
    expect(v.ok).toBe(false);
    const messages = v.ok ? [] : v.problems.map((p) => p.message);
    expect(messages).toEqual(expect.arrayContaining([
      '$.ukprn: expected a UKPRN: 8 digits starting with 1, found "20012345"',
      '$.countryCode: expected an ISO 3166-1 alpha-2 country code such as "GB", found "UK1"',
      '$.url: expected an http(s) URL, found "northbridge"',
      '$.logo: expected an https URL or a data: URI of a PNG or SVG image, found "http://x.example/logo.png"',
      '$.email: expected an email address, found "nope"',
    ]));
  });

  const PROFILE_RULES: [field: string, value: unknown, message: string][] = [
    ['name', '', '$.name: expected the awarding body\'s name, found ""'],
    ['url', 'https//northbridge.example', '$.url: expected an http(s) URL, found "https//northbridge.example"'],
    ['country', '', '$.country: expected a country name such as "United Kingdom", found ""'],
    ['countryCode', 'gb', '$.countryCode: expected an ISO 3166-1 alpha-2 country code such as "GB", found "gb"'],
    ['region', 7, '$.region: expected a region such as "England", found 7'],
    ['ukprn', '1001234X', '$.ukprn: expected a UKPRN: 8 digits starting with 1, found "1001234X"'],
    ['logo', 'data:image/gif;base64,R0lGOD', '$.logo: expected an https URL or a data: URI of a PNG or SVG image, found "data:image/gif;base64,R0lGOD"'],
    ['email', 'registry at example', '$.email: expected an email address, found "registry at example"'],
    ['description', '', '$.description: expected a non-empty text, found ""'],
  ];

  it.each(PROFILE_RULES)('checks %s on its own', (field, value, message) => {
    const v = validateProfile({ ...exampleProfile, [field]: value });
    expect(v.ok ? [] : v.problems.map((p) => p.message)).toEqual([message]);
  });

  it('every rule the profile schema declares has a row above', () => {
    const schema = JSON.parse(readFileSync(new URL('../src/schemas/issuer-profile.schema.json', import.meta.url), 'utf8'));
    const fields = Object.entries(schema.properties as Record<string, { expected?: string }>).filter(([, d]) => d.expected);
    expect(fields.length).toBeGreaterThan(5);
    for (const [field, def] of fields) {
      expect(PROFILE_RULES.some(([f, , m]) => f === field && m.startsWith(`$.${field}: expected ${def.expected}, found `)), field).toBe(true);
    }
  });

  it('assertProfile throws PROFILE_INVALID naming a missing field', () => {
    const { name: _omit, ...noName } = exampleProfile;
    expect(() => assertProfile(noName)).toThrowError(/\$\.name: expected a value \(this field is required\), found nothing/);
    try {
      assertProfile(noName);
    } catch (e) {
      expect((e as MicrocredError).code).toBe('PROFILE_INVALID');
    }
  });
});
