import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, validateOpenBadgeSchema } from '../src/schema/validate-ob.js';
import { claimsMicrocredProfile, validateMicrocredProfile } from '../src/schema/validate-profile.js';

// Byte-identical copies of the standards examples (see fixtures/verify/PROVENANCE.md), so the test runs on any clone.
const EXAMPLES = new URL('./fixtures/verify/', import.meta.url);
const SPEC_EXAMPLES = [
  'ob30-spec-example-basic.json',
  'ob30-spec-example-complete.json',
  'ob30-spec-example-achievement-alignment-case.json',
  'ob30-spec-example-achievement-alignment-ctdl.json',
  'ob30-spec-example-skill-assertion-case.json',
  'ob30-spec-example-skill-assertion-ctdl.json',
  'ob30-rendered-spec-2-basic.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-3-complete.eddsa-rdfc-2022.json',
];
const bundled = new URL('../src/schemas/ob-v3p0-achievementcredential.schema.json', import.meta.url);

describe('official OB 3.0 AchievementCredential schema', () => {
  it('is the pinned file (sha256 from the standards MANIFEST)', () => {
    const sha = createHash('sha256').update(readFileSync(bundled)).digest('hex');
    expect(sha).toBe('5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a');
    expect(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL).toBe('https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json');
  });

  it.each(SPEC_EXAMPLES)('accepts the published OB 3.0 example %s, which does not claim our profile', (f) => {
    const c = JSON.parse(readFileSync(new URL(f, EXAMPLES), 'utf8'));
    expect(validateOpenBadgeSchema(c), f).toEqual({ valid: true, errors: [] });
    expect(claimsMicrocredProfile(c)).toBe(false);
    // A plain badge lacks the Annex I elements: our profile would reject it.
    expect(validateMicrocredProfile(c).valid).toBe(false);
  });

  it('rejects a published example once a required element is removed', () => {
    const c = JSON.parse(readFileSync(new URL('ob30-spec-example-basic.json', EXAMPLES), 'utf8'));
    delete c.credentialSubject.achievement.criteria;
    const check = validateOpenBadgeSchema(c);
    expect(check.valid).toBe(false);
    expect(check.errors.map((e) => e.path)).toContain('$.credentialSubject.achievement.criteria');
  });

  it('reports each violation with a JSON path', () => {
    const check = validateOpenBadgeSchema({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: 'OpenBadgeCredential' });
    expect(check.valid).toBe(false);
    const paths = check.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['$.id', '$.issuer', '$.validFrom', '$.credentialSubject', '$.type']));
    for (const e of check.errors) expect(e.message.startsWith(`${e.path}: expected `)).toBe(true);
  });
});
