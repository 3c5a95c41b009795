/**
 * The stacking engine on realistic sets issued with real keys (test/stacking-fixtures.ts): every rule kind met and
 * not met with its sentence, duplicates and reissues, a revoked module (status from a signed status list), a foreign
 * credential with a bare creditsAvailable, a mixed SCQF/FHEQ set, an expired currency window, presentations signed
 * by the wrong holder, and the rules document's validation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStacking, type CheckStackingOptions, type StackingInput } from '../src/stacking/check.js';
import { validateStackingRules, assertStackingRules } from '../src/stacking/rules.js';
import type { StackingReport } from '../src/stacking/types.js';
import { MicrocredError } from '../src/errors.js';
import { issueCredential } from '../src/issue.js';
import { evaluate, ALLOCATION_SEARCH_LIMIT, type EngineEntry } from '../src/stacking/engine.js';
import { msg } from '../src/stacking/sentences.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LEARNER, NOW, stackingFixtures, topUpRules, type StackingFixtures } from './stacking-fixtures.js';

let fx: StackingFixtures;
beforeAll(async () => {
  fx = await stackingFixtures();
});

const run = (input: StackingInput, rules: Record<string, unknown>, options: CheckStackingOptions = {}): Promise<StackingReport> =>
  checkStacking(input, rules, { fetch: fx.fetch, now: NOW, ...options });
const rule = (r: StackingReport, kind: string, id?: string) => {
  const found = r.requirements.find((x) => x.kind === kind && (id === undefined || x.id === id));
  if (!found) throw new Error(`no ${kind} rule in the report`);
  return found;
};
const use = (r: StackingReport, credential: Record<string, unknown>) => {
  const found = r.credentials.find((c) => c.id === credential.id && (c.credential?.validFrom === credential.validFrom));
  if (!found) throw new Error(`credential ${String(credential.id)} not in the report`);
  return found;
};

describe('a learner with 4 × 30-credit FHEQ 6 modules from two providers, against a 120-credit top-up with an RPL cap', () => {
  it('presented in a wallet presentation signed by the learner: met, 60 + 60 credits, within the RPL cap', async () => {
    const vp = await fx.learner.sign([fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2]);
    const r = await run({ presentation: vp }, topUpRules(fx), { challenge: 'c0ae1c8e-1d3c-4b2a-9a8e-stacking-test' });
    expect(r.met).toBe(true);
    expect(r.presentation).toMatchObject({ verified: true, presenters: [fx.learner.did] });
    expect(r.learner).toMatchObject({ did: fx.learner.did, name: LEARNER.name, source: 'presentation' });
    expect(r.totals).toEqual({ counted: 120, home: 60, external: 60, system: 'UK', converted: false });
    expect(r.credentials.map((c) => [c.status, c.learner, c.external])).toEqual([
      ['counted', 'presenter', false], ['counted', 'presenter', false], ['counted', 'presenter', true], ['counted', 'presenter', true],
    ]);
    expect(r.sentences[0]).toBe('The credentials meet the rules of BSc (Hons) Computing (top-up).');
    expect(rule(r, 'totalCredits').text).toBe('Met: at least 120 UK credits; 120 UK credits counted.');
    expect(rule(r, 'minimum', 'level6').text).toBe('Met: at least 90 UK credits at FHEQ 6 or above; 120 UK credits counted.');
    expect(rule(r, 'rpl').text).toBe('Met: 60 UK credits from other providers counted, within the limit of 60 UK credits.');
    expect(use(r, fx.c.b1).text).toBe('Information Security: counted, 30 UK credits.');
    // The challenge was the one issued: no replay note.
    expect(r.notes.map((n) => n.message.code)).not.toContain('note.challengeNotChecked');
  });

  it('RPL cap not met: at most a quarter from other providers sets the later partner module aside, and the total falls short', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2] }, topUpRules(fx, { rpl: { maxShare: 0.25 } }));
    expect(r.met).toBe(false);
    expect(rule(r, 'rpl').met).toBe(false);
    expect(rule(r, 'rpl').text).toBe('Not met: credit from other providers is limited to 30 UK credits; 1 credential was set aside beyond that limit.');
    expect(use(r, fx.c.b2).status).toBe('over-rpl-cap');
    expect(use(r, fx.c.b2).text).toBe('Human-Computer Interaction: not counted, because its 30 UK credits would take the credit from other providers over the limit of 30 UK credits.');
    expect(rule(r, 'totalCredits').text).toBe('Not met: at least 120 UK credits; 90 UK credits counted, so it needs 30 more credits.');
    expect(r.sentences[0]).toBe('The credentials do not meet the rules of BSc (Hons) Computing (top-up): 1 requirement is not met.');
  });
});

describe('total credits', () => {
  it('not met with three modules: needs 30 more', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.b1] }, topUpRules(fx));
    expect(rule(r, 'totalCredits')).toMatchObject({ met: false, required: 120, counted: 90, missing: 30 });
    expect(rule(r, 'totalCredits').text).toBe('Not met: at least 120 UK credits; 90 UK credits counted, so it needs 30 more credits.');
  });
});

describe('minimum credits at or above a level, with subjects', () => {
  const rules = (minCredits: number) => ({
    title: 'Business Computing certificate', totalCredits: 20,
    minimums: [{ id: 'business', minCredits, level: { framework: 'FHEQ', atLeast: 6 }, subjects: { cah: ['CAH17'] } }],
  });

  it('met: 20 credits at FHEQ 6 in CAH17 (CAH17-01-01 is under the CAH17 prefix)', async () => {
    const r = await run({ credentials: [fx.c.b3Business, fx.c.a2] }, rules(20));
    expect(rule(r, 'minimum', 'business')).toMatchObject({ met: true, counted: 20 });
    expect(rule(r, 'minimum', 'business').text).toBe('Met: at least 20 UK credits at FHEQ 6 or above in CAH17; 20 UK credits counted.');
  });

  it('not met: "needs 20 more credits at FHEQ 6 in CAH17"', async () => {
    const r = await run({ credentials: [fx.c.b3Business, fx.c.a2] }, rules(40));
    expect(rule(r, 'minimum', 'business').text).toBe(
      'Not met: at least 40 UK credits at FHEQ 6 or above in CAH17; 20 UK credits counted, so it needs 20 more credits at FHEQ 6 in CAH17.',
    );
  });

  it('an FHEQ 5 module counts for the total but not at FHEQ 6', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.a5Level5, fx.c.b1] }, topUpRules(fx));
    expect(r.totals.counted).toBe(120);
    expect(rule(r, 'minimum', 'level6')).toMatchObject({ met: true, counted: 90 });
    const strict = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.a5Level5, fx.c.b1] }, topUpRules(fx, { minimums: [{ id: 'level6', minCredits: 120, level: { framework: 'FHEQ', atLeast: 6 } }] }));
    expect(rule(strict, 'minimum', 'level6').text).toBe('Not met: at least 120 UK credits at FHEQ 6 or above; 90 UK credits counted, so it needs 30 more credits at FHEQ 6.');
  });
});

describe('a mixed SCQF/FHEQ set', () => {
  it('SCQF 10 counts as FHEQ 6 through EQF 6, and the report says the comparison went through EQF', async () => {
    const rules = { title: 'Graduate Certificate in Computing', totalCredits: 60, minimums: [{ id: 'l6', minCredits: 60, level: { framework: 'FHEQ', atLeast: 6 } }] };
    const r = await run({ credentials: [fx.c.a2, fx.c.s1] }, rules);
    expect(r.met).toBe(true);
    expect(use(r, fx.c.s1).facts?.level).toEqual({ framework: 'SCQF', level: 10, eqf: 6 });
    expect(r.notes.map((n) => n.text)).toContain(
      'Levels in different frameworks (FHEQ and SCQF) were compared through the European Qualifications Framework (EQF), using the UK referencing: a credential counts towards a level rule when its EQF level is at least the EQF level of the rule\'s level. This is a comparison, not a formal equivalence.',
    );
    // An SCQF rule reads FHEQ 6 (EQF 6) as at least SCQF 9 (EQF 6), not SCQF 11 (EQF 7).
    const scqf11 = await run({ credentials: [fx.c.a2, fx.c.s1] }, { title: 'PG', totalCredits: 30, minimums: [{ id: 'l11', minCredits: 30, level: { framework: 'SCQF', atLeast: 11 } }] });
    expect(rule(scqf11, 'minimum', 'l11')).toMatchObject({ met: false, counted: 0 });
  });

  it('rules in ECTS: UK credit converted at 2:1, and the report says so', async () => {
    const r = await run({ credentials: [fx.c.a2, fx.c.s1] }, { title: 'ECTS programme', creditSystem: 'ECTS', totalCredits: 30 });
    expect(r.met).toBe(true);
    expect(r.totals).toMatchObject({ counted: 30, system: 'ECTS', converted: false });
    // microcred states both systems, so nothing needed converting; a credit stated in the other system would be.
    expect(use(r, fx.c.a2).text).toBe('Machine Learning: counted, 15 ECTS credits.');
  });
});

describe('rule groups (credits towards one group only)', () => {
  const rules = (coreMin: number) => ({
    title: 'BSc top-up (pathways)', totalCredits: 90,
    groups: [
      { id: 'core', title: 'Core computing', minCredits: coreMin, subjects: { cah: ['CAH11-01-01'] } },
      { id: 'hci', title: 'Interaction', minCredits: 30, subjects: { cah: ['CAH11-01'] } },
    ],
  });

  it('met: the search puts the CAH11-01-01 modules in core and the CAH11-01-05 module in interaction', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.b2] }, rules(60));
    expect(r.met).toBe(true);
    expect(r.allocation.method).toBe('search');
    expect(r.allocation.text).toBe(
      '2 credentials fitted more than one rule group; every one of the 4 ways of allocating them was tried, and the one meeting the most groups (then covering the most required credit, then the first in rule order) was kept. Credits count towards one group only.',
    );
    expect(rule(r, 'group', 'core').text).toBe('Met: Core computing needs at least 60 UK credits in CAH11-01-01; 60 UK credits counted.');
    expect(rule(r, 'group', 'hci').text).toBe('Met: Interaction needs at least 30 UK credits in CAH11-01; 30 UK credits counted.');
    expect(use(r, fx.c.b2).group).toBe('hci');
    expect(use(r, fx.c.a1).text).toBe('Software Architecture: counted, 30 UK credits, towards Core computing.');
  });

  it('not met: a module counts once, so both groups cannot be filled from two CAH11-01-01 modules', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2] }, rules(60));
    expect(r.met).toBe(false);
    expect(rule(r, 'group', 'core').met).toBe(true);
    expect(rule(r, 'group', 'hci').text).toBe('Not met: Interaction needs at least 30 UK credits in CAH11-01; 0 UK credits counted, so it needs 30 more credits in CAH11-01.');
  });
});

describe('required courses', () => {
  it('met when the course is in the set, not met when missing', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2] }, { title: 'Award', requiredCourses: [{ code: 'CS601', issuer: fx.providers.a.keys.controller, title: 'Software Architecture' }, { code: 'CS699', title: 'Dissertation' }] });
    expect(r.requirements.map((x) => x.text)).toEqual([
      'Met: the required course Software Architecture (CS601) is there (Software Architecture).',
      'Not met: the required course Dissertation (CS699) is missing.',
    ]);
    expect(r.met).toBe(false);
  });

  it('an equivalent course at another provider satisfies the requirement, and the two count once', async () => {
    const rules = {
      title: 'Award', totalCredits: 60,
      requiredCourses: [{ code: 'CS602', issuer: fx.providers.a.keys.controller }],
      equivalences: [{ title: 'Machine learning', courses: [{ code: 'CS602', issuer: fx.providers.a.keys.controller }, { code: 'BR610', issuer: fx.providers.b.keys.controller }] }],
    };
    const only = await run({ credentials: [fx.c.b1] }, rules);
    expect(rule(only, 'requiredCourse').met).toBe(true);
    const both = await run({ credentials: [fx.c.a2, fx.c.b1] }, rules);
    expect(both.totals.counted).toBe(30);
    // Neither is a home provider's: the more recent award is kept.
    expect(use(both, fx.c.a2).status).toBe('duplicate');
    expect(use(both, fx.c.a2).text).toBe('Machine Learning: not counted again, because the rules treat it as the same course as Information Security.');
    // With the first provider as home provider, its course is kept instead.
    const home = await run({ credentials: [fx.c.a2, fx.c.b1] }, { ...rules, homeProviders: [{ did: fx.providers.a.keys.controller }] });
    expect(use(home, fx.c.b1).status).toBe('duplicate');
  });
});

describe('duplicates and reissues', () => {
  it('the same module twice (reissued: same achievement and award date) counts once, the later issue kept', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.a1Reissued, fx.c.b1, fx.c.b2] }, topUpRules(fx));
    expect(r.met).toBe(true);
    expect(r.totals.counted).toBe(120);
    const first = r.credentials[0];
    expect(first?.status).toBe('duplicate');
    expect(first?.duplicateOf).toBe(2);
    expect(first?.text).toBe(
      'Software Architecture: not counted again, because it and Software Architecture are the same award (the same achievement from the same issuer, awarded on the same date): one was reissued as the other, and only the later one counts.',
    );
    expect(r.credentials[2]?.status).toBe('counted');
  });

  it('the same credential given twice counts once', async () => {
    const r = await run({ credentials: [fx.c.a2, fx.c.a2] }, { title: 'Award', totalCredits: 30 });
    expect(r.credentials.map((c) => c.status)).toEqual(['counted', 'duplicate']);
  });
});

describe('a revoked module', () => {
  it('is listed as not valid, with the status list\'s answer, and counts for nothing', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.a3Revoked, fx.c.b1] }, topUpRules(fx));
    const revoked = use(r, fx.c.a3Revoked);
    expect(revoked.status).toBe('not-valid');
    expect(revoked.verified).toBe(false);
    expect(revoked.text).toMatch(/^Cloud Computing: not counted, because the credential is not valid: .*revoked/);
    expect(r.totals.counted).toBe(90);
    expect(fx.fetch.calls).toContain(fx.statusListUrl);
  });
});

describe('a module from another issuer with a bare creditsAvailable', () => {
  const rules = (extra: Record<string, unknown> = {}) => ({ title: 'Security certificate', totalCredits: 60, ...extra });

  it('unit unknown without a mapping: listed, not counted', async () => {
    const r = await run({ credentials: [fx.c.a2, fx.c.other] }, rules());
    const o = use(r, fx.c.other);
    expect(o.status).toBe('credits-unknown');
    expect(o.facts?.stated).toEqual({ value: 3, system: 'unknown', source: 'creditsAvailable' });
    expect(o.text).toBe(
      'Applied Cryptography: not counted, because it states 3 credits without saying in which unit (Open Badges defines creditsAvailable as credit hours), and the rules give no mapping for Other Learning Co; the unit is unknown.',
    );
  });

  it('counted through the rules\' per-issuer mapping (3 credit hours × 10 = 30 UK credits)', async () => {
    const r = await run({ credentials: [fx.c.a2, fx.c.other] }, rules({ creditMappings: [{ issuer: fx.providers.other.keys.controller, system: 'UK', factor: 10 }] }));
    expect(r.met).toBe(true);
    expect(use(r, fx.c.other).text).toBe(
      'Applied Cryptography: counted, 30 UK credits (the credential states 3 credits without a unit; read as the rules say for Other Learning Co).',
    );
  });

  it('a mapping into ECTS is converted for UK rules, and the report says so', async () => {
    const r = await run({ credentials: [fx.c.other] }, rules({ totalCredits: 30, creditMappings: [{ issuer: fx.providers.other.keys.controller, system: 'ECTS', factor: 5 }] }));
    expect(r.totals).toMatchObject({ counted: 30, converted: true });
    expect(r.notes.map((n) => n.text)).toContain("1 credential's credit was converted into UK credits at 2 UK credits = 1 ECTS credit.");
  });
});

describe('recognised providers', () => {
  it('met when every credential is from the consortium; not met: others listed for RPL review', async () => {
    const met = await run({ credentials: [fx.c.a1, fx.c.b1] }, topUpRules(fx));
    expect(rule(met, 'recognisedProviders').text).toBe(
      `Met: every credential comes from a recognised provider (the domain uni-a.example.ac.uk and ${fx.providers.b.keys.controller}).`,
    );
    const r = await run({ credentials: [fx.c.a1, fx.c.s1] }, topUpRules(fx));
    expect(rule(r, 'recognisedProviders').text).toBe(
      `Not met: 1 credential comes from providers outside the domain uni-a.example.ac.uk and ${fx.providers.b.keys.controller} and is listed for recognition of prior learning review.`,
    );
    expect(use(r, fx.c.s1).status).toBe('rpl-review');
    expect(use(r, fx.c.s1).text).toBe('Data Visualisation: not counted, because University of Strathglen is not one of the recognised providers; it is listed for recognition of prior learning (RPL) review.');
  });

  it('a trust list is an injected function', async () => {
    const asked: string[] = [];
    const isTrusted = (issuer: string, list: string) => {
      asked.push(`${list}:${issuer}`);
      return list === 'scottish-consortium' && issuer === fx.providers.s.keys.controller;
    };
    const r = await run({ credentials: [fx.c.s1] }, { title: 'Award', totalCredits: 30, recognisedProviders: [{ trustList: 'scottish-consortium' }] }, { isTrusted });
    expect(r.met).toBe(true);
    expect(asked).toEqual([`scottish-consortium:${fx.providers.s.keys.controller}`]);
    const without = await run({ credentials: [fx.c.s1] }, { title: 'Award', totalCredits: 30, recognisedProviders: [{ trustList: 'scottish-consortium' }] });
    expect(use(without, fx.c.s1).status).toBe('rpl-review');
  });
});

describe('currency', () => {
  const rules = (of: string) => ({ title: 'Award', totalCredits: 60, currency: { withinYears: 5, of } });

  it('met when every credential is within 5 years', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2] }, rules('2026-09-01'));
    expect(rule(r, 'currency').text).toBe('Met: every credential was completed within 5 years of 2026-09-01 (on or after 2021-09-01).');
  });

  it('an expired currency window: the 2018 module does not count', async () => {
    const r = await run({ credentials: [fx.c.aOld, fx.c.a2] }, rules('2026-09-01'));
    expect(r.met).toBe(false);
    expect(rule(r, 'currency').text).toBe('Not met: 1 credential was completed before 2021-09-01 (more than 5 years before 2026-09-01) and does not count.');
    expect(use(r, fx.c.aOld).text).toBe('Databases: not counted, because it was completed on 2018-05-01, before 2021-09-01, the earliest date the rules accept.');
  });
});

describe('optional bundles', () => {
  const rules = (minModuleCredits: number) => ({
    title: 'Top-up', totalCredits: 60,
    bundles: [{ id: 'lle', title: 'Lifelong Learning Entitlement modules', minModuleCredits, minCredits: 60, level: { framework: 'FHEQ', atLeast: 6 } }],
  });

  it('met: two 30-credit FHEQ 6 modules; optional, so it never decides the verdict', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2, fx.c.b3Business] }, rules(30));
    expect(rule(r, 'bundle', 'lle')).toMatchObject({ role: 'optional', met: true });
    expect(rule(r, 'bundle', 'lle').text).toBe(
      'Optional bundle met: Lifelong Learning Entitlement modules (modules of at least 30 UK credits adding up to at least 60 UK credits): 2 modules with 60 UK credits qualify.',
    );
  });

  it('not met with 40-credit modules required; the rules are still met', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.a2] }, rules(40));
    expect(r.met).toBe(true);
    expect(rule(r, 'bundle', 'lle').text).toBe(
      'Optional bundle not met: Lifelong Learning Entitlement modules (modules of at least 40 UK credits adding up to at least 60 UK credits): 0 modules with 0 UK credits qualify.',
    );
  });
});

describe('same learner', () => {
  it('presentations signed by the wrong holder: nothing counts', async () => {
    // The presentation names the learner as holder but the stranger's key signed it.
    const forged = await fx.stranger.sign([fx.c.a1, fx.c.a2], { holder: fx.learner.did });
    const r1 = await run({ presentation: forged }, topUpRules(fx));
    expect(r1.presentation?.verified).toBe(false);
    expect(r1.totals.counted).toBe(0);
    expect(r1.credentials.map((c) => c.status)).toEqual(['other-learner', 'other-learner']);
    expect(r1.credentials[0]?.text).toBe(
      `Software Architecture: not counted, because it was awarded to ${fx.learner.did}, and the presentation's signature does not prove that the presenter is that learner. Credentials of different people are never combined.`,
    );
    // Properly signed, but by the stranger presenting the learner's credentials.
    const other = await fx.stranger.sign([fx.c.a1, fx.c.a2]);
    const r2 = await run({ presentation: other }, topUpRules(fx));
    expect(r2.presentation).toMatchObject({ verified: true, presenters: [fx.stranger.did] });
    expect(r2.credentials.map((c) => c.status)).toEqual(['other-learner', 'other-learner']);
    expect(r2.credentials[0]?.text).toBe(
      `Software Architecture: not counted, because it was awarded to ${fx.learner.did}, not to the learner ${fx.stranger.did}. Credentials of different people are never combined.`,
    );
  });

  it('a presentation for the wrong challenge is not accepted as proof of the presenter', async () => {
    const vp = await fx.learner.sign([fx.c.a1], { challenge: 'an-old-challenge' });
    const r = await run({ presentation: vp }, topUpRules(fx), { challenge: 'the-expected-challenge' });
    expect(r.presentation?.verified).toBe(false);
    expect(r.presentation?.message).toBe("The holder's signature on the presentation could not be verified for the expected challenge.");
    expect(r.credentials[0]?.status).toBe('other-learner');
  });

  it('another learner\'s credential in a list is reported, never merged', async () => {
    const r = await run({ credentials: [fx.c.a1, fx.c.aBen] }, { title: 'Award', totalCredits: 30 });
    expect(r.learner).toMatchObject({ source: 'first-credential', name: LEARNER.name });
    expect(use(r, fx.c.aBen).status).toBe('other-learner');
    expect(use(r, fx.c.aBen).text).toBe(
      `Computer Vision: not counted, because it was awarded to ${fx.stranger.did}, not to the learner ${fx.learner.did}. Credentials of different people are never combined.`,
    );
    expect(r.notes.map((n) => n.text)).toContain(`No learner was named and the set was not presented by a learner, so the learner is the one named by the first credential: ${LEARNER.name}.`);
  });

  it('matches a known e-mail address against the hashed identifier (IdentityHash, case-insensitive address), and a name', async () => {
    // The credentials hash the lower-cased address with their own salt; the caller's mixed-case address still matches.
    const byEmail = await run({ credentials: [fx.c.aBen, fx.c.a1] }, { title: 'Award', totalCredits: 30 }, { learner: { email: LEARNER.email } });
    expect(byEmail.credentials.map((c) => [c.learner, c.status])).toEqual([['mismatch', 'other-learner'], ['identifier', 'counted']]);
    expect(byEmail.credentials[0]?.text).toBe(
      'Computer Vision: not counted, because it carries no identifier (DID, name, e-mail address or student id) that matches the learner. Credentials of different people are never combined.',
    );
    const byStudentId = await run({ credentials: [fx.c.a1] }, { title: 'Award', totalCredits: 30 }, { learner: { studentId: LEARNER.studentId } });
    expect(byStudentId.credentials[0]?.learner).toBe('identifier');
    const byName = await run({ credentials: [fx.c.aBen, fx.c.a1] }, { title: 'Award', totalCredits: 30 }, { learner: { name: '  aisha   RAHMAN ' } });
    expect(byName.credentials.map((c) => [c.learner, c.status])).toEqual([['mismatch', 'other-learner'], ['name', 'counted']]);
    expect(byName.credentials[0]?.text).toBe('Computer Vision: not counted, because it names the learner "Ben Carter", not "  aisha   RAHMAN ". Credentials of different people are never combined.');
  });
});

describe('compact JWT credentials', () => {
  it('a module as a VC-JWT counts like its Data Integrity twin; both given, it counts once', async () => {
    const { proof: _proof, ...unsigned } = fx.c.a2;
    const jwt = await issueCredential(unsigned, { format: 'jwt', keys: fx.providers.a.keys });
    const r = await run({ credentials: [jwt] }, { title: 'Award', totalCredits: 30 });
    expect(r.credentials[0]).toMatchObject({ format: 'jwt', status: 'counted', verified: true });
    const both = await run({ credentials: [fx.c.a2, jwt] }, { title: 'Award', totalCredits: 30 });
    expect(both.credentials.map((c) => c.status).sort()).toEqual(['counted', 'duplicate']);
    expect(both.totals.counted).toBe(30);
  });
});

describe('group allocation beyond the search bound', () => {
  it(`is greedy past ${ALLOCATION_SEARCH_LIMIT} combinations, deterministic, and says so`, async () => {
    const entries: EngineEntry[] = Array.from({ length: 15 }, (_, index) => ({
      use: { index, verified: true, problems: [], learner: 'name', status: 'counted', external: false, message: msg('allocation.none', {}), text: '' },
      facts: { credits: 10, converted: false, mapped: false, hecos: [], cah: ['CAH11-01-01'], name: `Module ${index + 1}`, completed: `2025-01-${String(index + 10)}` },
    }));
    const rules = { title: 'Award', groups: [{ id: 'g1', minCredits: 70, subjects: { cah: ['CAH11'] } }, { id: 'g2', minCredits: 80, subjects: { cah: ['CAH11-01'] } }] };
    const out = await evaluate(entries, rules);
    expect(out.allocation.method).toBe('greedy');
    expect(out.allocation.text).toBe(
      '15 credentials fitted more than one rule group, giving 32768 ways of allocating them, more than the 20000 that are tried one by one; each credential, oldest first, went to the group it fits that still needs the most credit. Credits count towards one group only.',
    );
    expect(out.requirements.map((r) => [r.id, r.met, r.counted])).toEqual([['g1', true, 70], ['g2', true, 80]]);
  });
});

describe('unreadable items and the baked-image seam', () => {
  it('an image without an unbaker is listed as unreadable; with one, its credential is checked', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const r = await run({ credentials: [png, 'not a credential'] }, { title: 'Award', totalCredits: 30 });
    expect(r.credentials.map((c) => c.status)).toEqual(['unreadable', 'unreadable']);
    expect(r.credentials[0]?.text).toBe('An item of the set could not be read as a credential, so it counts for nothing: It is an image (a baked badge); extract the credential from it first.');
    const withUnbaker = await run({ credentials: [png] }, { title: 'Award', totalCredits: 30 }, { unbake: async () => fx.c.a2 });
    expect(withUnbaker.met).toBe(true);
  });
});

describe('the rules document', () => {
  it('reports every problem at once with its JSON path', () => {
    const v = validateStackingRules({
      title: '',
      totalCredits: -5,
      minimums: [{ minCredits: 30, level: { framework: 'FHEQ', atLeast: 9 } }],
      groups: [{ id: 'a', minCredits: 10 }, { id: 'a', minCredits: 10, subjects: { cah: ['CAH1'] } }],
      requiredCourses: [{ title: 'No code' }],
      rpl: { maxShare: 0.5 },
      recognisedProviders: [{ domain: 'UPPER.example', did: 'did:web:x' }],
      extra: true,
    });
    expect(v.ok).toBe(false);
    const messages = (v as { problems: { message: string }[] }).problems.map((p) => p.message);
    expect(messages).toEqual(expect.arrayContaining([
      '$.title: expected a non-empty text, found ""',
      '$.totalCredits: expected a number greater than 0, found -5',
      '$.groups[1].subjects.cah[0]: expected a CAH code such as "CAH11", "CAH11-01" or "CAH11-01-01", found "CAH1"',
      '$.recognisedProviders[0]: expected an object with exactly one of its fields, found an object',
      '$.recognisedProviders[0].domain: expected a lower-case domain name such as "uni.example.ac.uk", found "UPPER.example"',
      expect.stringMatching(/^\$\.extra: expected no such field \(allowed here: \$schema, id, title/),
      '$.minimums[0].level.atLeast: expected a FHEQ level (3, 4, 5, 6, 7, 8), found 9',
      '$.groups[1].id: expected an id not used by another entry of the list, found "a"',
      '$.requiredCourses[0]: expected a course named by "code" (with an optional "issuer") or by "achievementId", found neither',
      '$.homeProviders: expected the home providers (whose credit is not prior learning), because "rpl" limits credit from everyone else, found nothing',
    ]));
    expect(() => assertStackingRules({ title: 'x' })).toThrow(MicrocredError);
    try {
      assertStackingRules({ title: 'x' });
    } catch (e) {
      expect((e as MicrocredError).code).toBe('RULES_INVALID');
      expect((e as MicrocredError).message).toBe('The stacking rules has 1 problem:\n- $: expected at least one requirement: totalCredits, minimums, groups or requiredCourses, found none');
    }
  });

  it('the README example rules are valid rules', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Stacking'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    expect(validateStackingRules(JSON.parse(example as string))).toMatchObject({ ok: true });
  });

  it('bad rules throw before any credential is fetched', async () => {
    const calls = fx.fetch.calls.length;
    await expect(run({ credentials: [fx.c.a1] }, { title: 'x', totalCredits: 'many' })).rejects.toMatchObject({ code: 'RULES_INVALID' });
    expect(fx.fetch.calls.length).toBe(calls);
  });
});
