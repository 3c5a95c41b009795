// A lone surrogate is hashed as U+FFFD, so a credential signed with "x\uFFFD" would still verify after the text is
// changed to "x\uD800": two different documents, one signature. The verifier refuses text that is not valid Unicode.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertProfile, assertRecord, buildCredential, issueCredential, loadKeySet, verify } from '../src/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (f: string) => JSON.parse(readFileSync(path.join(ROOT, f), 'utf8'));

describe('text that is not valid Unicode', () => {
  it('a signed credential whose U+FFFD is swapped for a lone surrogate is refused, naming where', async () => {
    const keys = await loadKeySet(path.join(ROOT, 'keys.example'));
    const record = read('examples/record.json');
    record.course.title = 'Data \uFFFD analysis';
    const credential = buildCredential(assertProfile(read('keys.example/profile.json')), assertRecord(record), { issuerId: keys.controller });
    const signed = (await issueCredential(credential, { format: 'di', keys })) as Record<string, any>;
    expect((await verify(signed)).verified).toBe(true);
    const swapped = structuredClone(signed);
    swapped.credentialSubject.achievement.name = 'Data \uD800 analysis';
    const report = await verify(swapped);
    expect(report.verified).toBe(false);
    const parse = report.checks.find((c) => c.id === 'parse')!;
    expect(parse).toMatchObject({ status: 'fail', code: 'MALFORMED_VALUE_ERROR' });
    expect(parse.message).toContain('$["credentialSubject"]["achievement"]["name"]');
    // A well-formed pair (an emoji) is fine, and so is a lone surrogate in a key only when it is not there.
    const keyed = structuredClone(signed);
    keyed['urn:x\uDC00'] = 'y';
    expect((await verify(keyed)).checks.find((c) => c.id === 'parse')?.message).toContain('lone surrogate');
  });
});
