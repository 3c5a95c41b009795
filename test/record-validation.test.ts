import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { assertRecord, validateRecord, type RecordProblem } from '../src/record/validate.js';
import { assertProfile, validateProfile } from '../src/record/profile.js';
import { MicrocredError } from '../src/errors.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/record.json', import.meta.url), 'utf8'));
const minimal = JSON.parse(readFileSync(new URL('./fixtures/record-minimal.json', import.meta.url), 'utf8'));
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
    expectProblem(variant((r) => delete r.course.qualityAssurance[0].body), '$.course.qualityAssurance[0].body',
      '$.course.qualityAssurance[0].body: expected a value (this field is required), found nothing');
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
