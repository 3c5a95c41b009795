/**
 * The credential view model and its labelled rows: every Annex I / UK element of the full example credential is read
 * back from the signed credential (DI and JWT alike); the learner's e-mail and student id never appear; other
 * issuers' credentials are shown without failing; the English phrases equal what the mapping signs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ANNEX_I_MAPPING, buildCredential } from '../src/credential/annex1.js';
import { selectPath } from '../src/credential/mapping-path.js';
import { credentialView, type CredentialView } from '../src/display/view.js';
import { credentialRows, ROW_KEYS } from '../src/display/rows.js';
import { LANGS } from '../src/display/i18n/index.js';
import { issuedFull, otherIssuersExamples, profile, read, record, type Issued } from './display-helpers.js';

let issued: Issued;
let view: CredentialView;

beforeAll(async () => {
  issued = await issuedFull();
  view = credentialView(issued.di);
});

const ISSUER = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

describe('credentialView of the full example credential', () => {
  it('reads every element from the signed credential', () => {
    expect(view.learner).toEqual({ name: 'Amara Okafor-Reid' });
    expect(view.title).toBe('Data Analytics for Public Health');
    expect(view.achievementType).toBe('MicroCredential');
    expect(view.issuer).toMatchObject({
      id: issued.keys.controller, name: 'Example University of Northbridge', url: 'https://www.northbridge.example.ac.uk/',
      country: 'United Kingdom', countryCode: 'GB', region: 'England', ukprn: '10099999',
      logo: { url: 'https://www.northbridge.example.ac.uk/assets/logo.png', dataUri: false },
    });
    expect(view.signer).toBeNull();
    expect(view.dates).toEqual({ issued: '2026-06-22T09:00:00Z', validFrom: '2026-06-22T09:00:00Z', awarded: '2026-06-19T00:00:00Z' });
    expect(view.credits).toEqual({ uk: 20, ects: 10, notionalHours: 200, available: 20, earned: 20 });
    expect(view.level).toEqual({ frameworks: [{ framework: 'FHEQ', level: '7', text: 'FHEQ level 7' }], eqf: 7, eqfText: 'EQF level 7' });
    expect(view.subjects).toEqual([
      { scheme: 'HECoS', code: '100366', term: 'computer science' },
      { scheme: 'CAH', code: 'CAH11-01-01', term: 'computer science' },
    ]);
    expect(view.learningOutcomes.map((o) => o.text)).toEqual(record.course.learningOutcomes.map((o: { text: string }) => o.text));
    expect(view.learningOutcomes[2]?.url).toBe(record.course.learningOutcomes[2].escoSkill);
    expect(view.learningOutcomes[0]?.url).toBeUndefined(); // the course-page fallback is no skill link
    expect(view.participation).toEqual({ mode: 'blended', synchronous: true, text: 'Blended (synchronous)', description: record.course.participation.description });
    expect(view.assessment).toEqual([{ text: record.course.assessment.type, description: record.course.assessment.description }]);
    expect(view.supervision).toEqual({ option: 'supervised-with-id-verification', setting: 'online', text: 'Supervised with identity verification (online)' });
    expect(view.qualityAssurance).toEqual([{ text: record.course.qualityAssurance[0].type, body: record.course.qualityAssurance[0].body, url: record.course.qualityAssurance[0].url }]);
    expect(view.psrb).toEqual([{ recognition: record.course.psrb[0].recognition, body: record.course.psrb[0].body, url: record.course.psrb[0].url }]);
    expect(view.prerequisites).toEqual([record.course.prerequisites]);
    expect(view.stackability).toMatchObject({
      type: 'integrated',
      parent: { title: 'MSc Public Health Data Science', code: 'PHDS-MSC', url: record.course.stackability.parent.url },
    });
    expect(view.grades).toEqual([
      { name: 'Grade', value: 'B', resultType: 'LetterGrade', scale: ['F', 'E', 'D', 'C', 'B', 'A'] },
      { name: 'Mark (%)', value: '64', resultType: 'Percent', min: '0', max: '100' },
    ]);
    expect(view.furtherInformation).toEqual([{ text: record.course.furtherInformation.text, url: record.course.furtherInformation.url }]);
    expect(view.course).toMatchObject({
      code: 'PHM7021', language: 'en-GB', url: record.course.url,
      studyStart: '2026-03-02T00:00:00Z', studyEnd: '2026-05-15T00:00:00Z',
      assessor: { name: record.result.assessor.name, url: record.result.assessor.url },
    });
    expect(view.otherAlignments).toEqual([]);
    expect(view.id).toBe(issued.unsigned.id);
  });

  it('is the same for the VC-JWT of the same credential, and for its decoded payload', async () => {
    expect(credentialView(issued.jwt)).toEqual(view);
    const { decodeJwt } = await import('jose');
    expect(credentialView(decodeJwt(issued.jwt))).toEqual(view);
    expect(credentialView(JSON.stringify(issued.di))).toEqual(view);
  });

  it('reads every value the mapping table writes (a new mapping path without a reader fails here)', () => {
    const shown = JSON.stringify([view, credentialRows(view, 'en')]);
    const hashed = ['identifier[identityType=emailAddress]', 'identifier[identityType=sisSourcedId]'];
    for (const row of ANNEX_I_MAPPING) {
      for (const p of row.paths) {
        const found = selectPath(issued.di, p);
        if (hashed.some((h) => p.endsWith(h)) || p === 'credentialSubject.id') continue; // never shown
        for (const value of found.flat()) {
          const o = value as Record<string, unknown>;
          const expected = typeof value === 'object' && value !== null
            ? [o.targetName, o.name, o.identifier, o.identityHash, o.value].find((x) => typeof x === 'string')
            : value;
          expect(expected, `element ${row.element} path ${p}`).toBeDefined();
          expect(shown, `element ${row.element} path ${p}`).toContain(JSON.stringify(expected).slice(1, -1).slice(0, 60));
        }
      }
    }
  });

  it('never includes the e-mail address, the student id, hashes or salts', () => {
    const everything = [JSON.stringify(view), ...LANGS.map((l) => JSON.stringify(credentialRows(view, l)))].join('\n');
    expect(everything).not.toContain(record.learner.email);
    expect(everything).not.toContain(record.learner.studentId);
    expect(everything).not.toMatch(/sha256\$/);
    expect(everything).not.toContain('c0ffee00c0ffee00');
    expect(everything).not.toContain(record.learner.did); // the learner's DID is for wallets, not for reading
  });

  it('does not show a learner "name" that is an e-mail address', () => {
    const c = structuredClone(issued.unsigned);
    c.credentialSubject.identifier = [{ type: 'IdentityObject', hashed: false, identityHash: 'someone@example.org', identityType: 'name' }];
    expect(credentialView(c).learner).toEqual({});
  });
});

describe('credentialRows', () => {
  it('orders the rows as an employer reads them', () => {
    expect(credentialRows(view, 'en').map((r) => r.key)).toEqual([
      'learner', 'title', 'achievementType', 'description', 'awardingBody', 'issued', 'awarded',
      'credits', 'level', 'subject', 'learningOutcomes', 'participation', 'assessment', 'supervision', 'qualityAssurance',
      'psrb', 'prerequisites', 'stackability', 'grade', 'furtherInformation',
      'courseCode', 'language', 'studyPeriod', 'assessor', 'credentialId',
    ]);
    for (const key of credentialRows(view, 'en').map((r) => r.key)) expect(ROW_KEYS).toContain(key);
  });

  it('phrases credits with notional hours, levels and dates in English and Welsh', () => {
    const text = (lang: 'en' | 'cy', key: string) => credentialRows(view, lang).find((r) => r.key === key)?.items.map((i) => i.text);
    expect(text('en', 'credits')).toEqual(['20 UK credits (200 notional hours)', '10 ECTS credits']);
    expect(text('cy', 'credits')).toEqual(['20 credyd y DU (200 awr o ddysgu tybiannol)', '10 credyd ECTS']);
    expect(text('en', 'level')).toEqual(['FHEQ level 7', 'EQF level 7']);
    expect(text('cy', 'level')).toEqual(['Lefel 7 FHEQ', 'Lefel 7 EQF']);
    expect(text('cy', 'issued')).toEqual(['22 Mehefin 2026']);
    expect(text('cy', 'participation')?.[0]).toBe('Cyfunol (cydamserol)');
    expect(text('cy', 'supervision')).toEqual(['Dan oruchwyliaeth, gyda gwirio hunaniaeth (ar-lein)']);
    expect(text('cy', 'stackability')?.[0]).toBe('Integredig: gellir ei bentyrru tuag at MSc Public Health Data Science');
    expect(credentialRows(view, 'cy').find((r) => r.key === 'learningOutcomes')?.label).toBe('Canlyniadau dysgu');
    // The credential's own text stays as issued.
    expect(text('cy', 'title')).toEqual(['Data Analytics for Public Health']);
  });

  it('shows the awarding body and, separately, the issuer when a different body awards', () => {
    const partner = { name: 'Partner University of Eastmoor (example)', url: 'https://www.eastmoor.example.ac.uk/', country: 'United Kingdom', countryCode: 'GB', region: 'Wales', ukprn: '10088888' };
    const c = buildCredential(profile, { ...record, course: { ...record.course, awardingBody: partner } }, { issuerId: ISSUER });
    const rows = credentialRows(credentialView(c), 'en');
    expect(rows.find((r) => r.key === 'awardingBody')?.items).toEqual([
      { text: partner.name, url: partner.url },
      { label: 'Country/region', text: 'Wales, United Kingdom' },
      { label: 'UK Provider Reference Number (UKPRN)', text: '10088888' },
      { label: 'Website', text: partner.url, url: partner.url },
    ]);
    expect(rows.find((r) => r.key === 'issuer')?.items[0]).toEqual({ text: profile.name, url: profile.url });
  });

  it('shows the signer slot only once the verifier has filled it', () => {
    expect(credentialRows(view, 'en').some((r) => r.key === 'signer')).toBe(false);
    const signed = { ...view, signer: { method: 'did:web' as const, id: 'did:web:credentials.example.ac.uk', host: 'credentials.example.ac.uk' } };
    expect(credentialRows(signed, 'en').find((r) => r.key === 'signer')?.items).toEqual([{ text: 'Signed with a key published at credentials.example.ac.uk' }]);
    const didKey = { ...view, signer: { method: 'did:key' as const, id: ISSUER } };
    expect(credentialRows(didKey, 'cy').find((r) => r.key === 'signer')?.items[0]?.text).toContain('did:key');
  });
});

describe('the English phrases are what the mapping signs', () => {
  const variants: [string, (r: any) => void][] = [
    ['online asynchronous, unsupervised, stand-alone', (r) => {
      r.course.participation = { mode: 'online', synchronous: false };
      r.course.supervision = { option: 'unsupervised-no-id-verification' };
      r.course.stackability = { type: 'stand-alone' };
    }],
    ['on-site synchronous, supervised on site', (r) => {
      r.course.participation = { mode: 'on-site', synchronous: true };
      r.course.supervision = { option: 'supervised-no-id-verification', setting: 'on-site' };
    }],
    ['RQF entry level', (r) => { r.course.level = { framework: 'RQF', level: 'entry3' }; }],
    ['SCQF 11', (r) => { r.course.level = { framework: 'SCQF', level: 11 }; }],
    ['odd credits', (r) => { r.course.credits = { uk: 15, ects: 7.5 }; }],
  ];
  it.each(variants)('%s', (_name, change) => {
    const r = structuredClone(record);
    change(r);
    const c = buildCredential(profile, r, { issuerId: ISSUER });
    const rows = credentialRows(credentialView(c), 'en');
    const shown = rows.flatMap((row) => row.items.map((i) => i.text));
    for (const al of c.credentialSubject.achievement.alignment ?? []) {
      if (['ext:ParticipationMode', 'ext:SupervisionVerification', 'ext:Stackability', 'ext:FHEQ', 'ext:SCQF', 'ext:RQF', 'ext:CQFW', 'ext:EQF', 'ext:ECTS', 'ext:UKCredits'].includes(al.targetType!)) {
        expect(shown, al.targetType).toContain(al.targetName);
      }
    }
    for (const lang of LANGS) expect(() => credentialRows(credentialView(c), lang)).not.toThrow();
  });
});

describe('other issuers\' credentials', () => {
  const examples = otherIssuersExamples();

  it('has the examples to test with', () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  it.each(examples)('%s: shows what is there in both languages, without failing', (_name, input) => {
    const v = credentialView(input);
    for (const lang of LANGS) {
      const rows = credentialRows(v, lang);
      if (v.title !== undefined) expect(rows[0]?.key === 'title' || rows[0]?.key === 'learner').toBe(true);
      for (const row of rows) for (const item of row.items) expect(typeof item.text).toBe('string');
    }
  });

  it('shows the complete spec example\'s fields, and none of its unhashed e-mail identifiers', () => {
    const complete = read('./fixtures/verify/ob30-spec-example-complete.json');
    const v = credentialView(complete);
    expect(v.title).toBe('1EdTech University Degree');
    expect(v.credits).toEqual({ available: 36, earned: 42 });
    expect(v.grades.length).toBeGreaterThan(0);
    expect(v.otherAlignments.map((a) => a.type)).toEqual(['CFItem', 'CTDL']);
    expect(v.awardingBody).toBeUndefined(); // its creator is the issuer itself
    expect(JSON.stringify(v)).not.toContain('student@1edtech.edu');
    expect(v.learner).toEqual({});
  });

  it('reads the third-party micro-credential\'s EQF and quality assurance alignments', () => {
    const v = credentialView(read('./fixtures/display/surf-educredentials-ob30-microcredential-full-ho.json'));
    expect(v.level.eqf).toBe(4);
    expect(v.qualityAssurance[0]?.text).toBe('M Psychological Assessment');
    expect(v.dates.validUntil).toBe('2029-08-30T00:00:00Z');
  });

  it('reads a VC 1.1-era JWT (credential in the vc claim)', () => {
    const vectors = read('./fixtures/verify/ob30-rendered-spec-vc1-2023-vectors.json').vectors;
    const v = credentialView(vectors[1].vcJwt.compactJws);
    expect(v.model).toBe('vc1');
    expect(v.title).toBeDefined();
    expect(v.dates.issued).toBe('2010-01-01T00:00:00Z');
  });

  it.each([
    ['an empty object', {}],
    ['odd shapes', { credentialSubject: [{ achievement: [{ name: ['Array name'], alignment: 'nope', resultDescription: 5 }], result: 'x' }], issuer: 42, validFrom: 7 }],
    ['nulls', { credentialSubject: null, issuer: null, name: null }],
  ])('does not fail on %s', (_name, input) => {
    const v = credentialView(input as Record<string, unknown>);
    for (const lang of LANGS) expect(() => credentialRows(v, lang)).not.toThrow();
  });

  it('drops links that are not http(s) (or data: for images)', () => {
    const c = structuredClone(issued.unsigned) as any;
    c.issuer.url = 'javascript:alert(1)';
    c.issuer.image = { id: 'file:///etc/passwd', type: 'Image' };
    const v = credentialView(c);
    expect(v.issuer.url).toBeUndefined();
    expect(v.issuer.logo).toBeUndefined();
  });

  it('rejects input that is not a credential with CREDENTIAL_INVALID', () => {
    expect(() => credentialView('not a credential')).toThrow(expect.objectContaining({ code: 'CREDENTIAL_INVALID' }));
    expect(() => credentialView('[1,2]')).toThrow(expect.objectContaining({ code: 'CREDENTIAL_INVALID' }));
    expect(() => credentialView('a.b.c')).toThrow(expect.objectContaining({ code: 'CREDENTIAL_INVALID' }));
  });
});
