// What Annex I does not require, the record no longer forces a provider to invent: a course description, a QA
// body and URL, a PSRB URL, the parent course's URL; and a course without credit (a CPD masterclass) is valid with
// its workload in hours. Each is mapped to a credential that passes the OB 3.0 schema, signs and verifies, and is
// shown without "0 credits".
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildValidatedCredential } from '../src/credential/annex1.js';
import { credentialRows } from '../src/display/rows.js';
import { credentialView } from '../src/display/view.js';
import { issueCredential } from '../src/issue.js';
import { loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { assertProfile } from '../src/record/profile.js';
import type { CompletionRecord, IssuerProfile } from '../src/record/types.js';
import { validateRecord } from '../src/record/validate.js';
import { verify } from '../src/verify/verify.js';

const minimal = async (): Promise<Record<string, any>> => JSON.parse(await readFile(new URL('../examples/record-minimal.json', import.meta.url), 'utf8')) as Record<string, any>;

/** A CPD masterclass: no credit, 12 hours; no description, QA by type only, PSRB without URL, parent without URL. */
async function masterclass(): Promise<Record<string, any>> {
  const r = await minimal();
  delete r.course.description;
  delete r.course.credits;
  r.recordId = 'CPD-2026-001';
  r.course.code = 'CPD-MC-01';
  r.course.title = 'Masterclass: Clinical Audit';
  r.course.workload = { hours: 12 };
  r.course.qualityAssurance = [{ type: 'Approved by the Faculty CPD committee' }];
  r.course.psrb = [{ body: 'Royal College of Example Practitioners', recognition: '12 CPD points' }];
  r.course.stackability = { type: 'integrated', parent: { title: 'PgCert Clinical Leadership' } };
  return r;
}

const alignments = (c: any): { targetType: string; targetName: string; targetFramework?: string; targetCode?: string; targetUrl: string }[] => c.credentialSubject.achievement.alignment;

describe('records without what Annex I does not require', () => {
  let profile: IssuerProfile;
  let keys: KeySet;
  beforeAll(async () => {
    profile = assertProfile(JSON.parse(await readFile(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')));
    keys = await loadKeySet(EXAMPLE_KEYS_DIR);
  });

  it('a credit-less course with its workload in hours, no description, QA by type, PSRB and parent without URLs is valid', async () => {
    const v = validateRecord(await masterclass());
    expect(v.ok, JSON.stringify(!v.ok && v.problems)).toBe(true);
  });

  it('a course with neither credits nor workload is refused at $.course.credits, saying what to give', async () => {
    const r = await masterclass();
    delete r.course.workload;
    const v = validateRecord(r);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.problems.map((p) => [p.path, p.message])).toEqual([
      ['$.course.credits', expect.stringContaining('or for a course without credit its workload in hours')],
    ]);
    for (const hours of [0, -3, 'twelve', 5000]) {
      const bad = await masterclass();
      bad.course.workload = { hours };
      const out = validateRecord(bad);
      expect(out.ok, String(hours)).toBe(false);
      expect(!out.ok && out.problems[0]?.path).toBe('$.course.workload.hours');
    }
  });

  it('maps to a credential with the workload in hours and no credits; the title describes it; QA, PSRB and parent link the course or provider page', async () => {
    const v = validateRecord(await masterclass());
    if (!v.ok) throw new Error('invalid');
    const record = v.record as CompletionRecord;
    const credential = buildValidatedCredential(profile, record, { issuerId: keys.controller }) as any;
    const a = alignments(credential);
    expect(a.filter((x) => x.targetType === 'ext:ECTS' || x.targetType === 'ext:UKCredits')).toEqual([]);
    expect(a.find((x) => x.targetType === 'ext:NotionalWorkload')).toMatchObject({ targetCode: 'PT12H', targetName: '12 notional hours (no credit)' });
    expect(credential.credentialSubject.achievement.creditsAvailable).toBeUndefined();
    expect(credential.credentialSubject.creditsEarned).toBeUndefined();
    expect(credential.credentialSubject.achievement.description).toBe('Masterclass: Clinical Audit');
    expect(credential.description).toBeUndefined();
    const pageUrl = record.course.url ?? profile.url;
    expect(a.find((x) => x.targetType === 'ext:QualityAssurance')).toMatchObject({ targetFramework: profile.name, targetName: 'Approved by the Faculty CPD committee', targetUrl: pageUrl });
    expect(a.find((x) => x.targetType === 'ext:PSRBRecognition')).toMatchObject({ targetFramework: 'Royal College of Example Practitioners', targetName: '12 CPD points', targetUrl: pageUrl });
    expect(a.find((x) => x.targetType === 'ceterms:Credential')).toMatchObject({ targetFramework: profile.name, targetName: 'PgCert Clinical Leadership', targetUrl: pageUrl });

    const signed = await issueCredential(credential, { format: 'di', keys });
    expect((await verify(signed)).verified).toBe(true);
    for (const lang of ['en', 'cy'] as const) {
      const rows = credentialRows(credentialView(signed), lang);
      const credits = rows.find((r) => r.key === 'credits');
      expect(credits?.items.map((i) => i.text), lang).toEqual([lang === 'en' ? '12 notional hours (no credit)' : '12 awr o ddysgu tybiannol (dim credyd)']);
      expect(JSON.stringify(rows)).not.toMatch(/\b0 (UK |ECTS )?credit/);
    }
  });

  it('credits and a workload together: both stated; the full-record form keeps its credit alignments', async () => {
    const r = await minimal();
    r.course.workload = { hours: 100 };
    const v = validateRecord(r);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const a = alignments(buildValidatedCredential(profile, v.record as CompletionRecord, { issuerId: keys.controller }));
    expect(a.filter((x) => ['ext:ECTS', 'ext:UKCredits', 'ext:NotionalWorkload'].includes(x.targetType)).map((x) => x.targetCode)).toEqual(['5', '10', 'PT100H']);
  });
});
