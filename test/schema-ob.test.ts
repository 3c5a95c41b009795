import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, validateOpenBadgeSchema } from '../src/schema/validate-ob.js';
import { claimsMicrocredProfile, validateMicrocredProfile } from '../src/schema/validate-profile.js';

const EXAMPLES = '/work/shared/standards/examples/';
const bundled = new URL('../src/schemas/ob-v3p0-achievementcredential.schema.json', import.meta.url);

describe('official OB 3.0 AchievementCredential schema', () => {
  it('is the pinned file (sha256 from the standards MANIFEST)', () => {
    const sha = createHash('sha256').update(readFileSync(bundled)).digest('hex');
    expect(sha).toBe('5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a');
    expect(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL).toBe('https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json');
  });

  it.skipIf(!safeExists(EXAMPLES))('accepts the published OB 3.0 spec examples, which do not claim our profile', () => {
    for (const f of ['ob30-spec-example-basic.json', 'ob30-spec-example-complete.json', 'ob30-rendered-spec-3-complete.eddsa-rdfc-2022.json']) {
      const c = JSON.parse(readFileSync(EXAMPLES + f, 'utf8'));
      expect(validateOpenBadgeSchema(c), f).toEqual({ valid: true, errors: [] });
      expect(claimsMicrocredProfile(c)).toBe(false);
      // A plain badge lacks the Annex I elements: our profile would reject it.
      expect(validateMicrocredProfile(c).valid).toBe(false);
    }
  });

  it('reports each violation with a JSON path', () => {
    const check = validateOpenBadgeSchema({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: 'OpenBadgeCredential' });
    expect(check.valid).toBe(false);
    const paths = check.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['$.id', '$.issuer', '$.validFrom', '$.credentialSubject', '$.type']));
    for (const e of check.errors) expect(e.message.startsWith(`${e.path}: expected `)).toBe(true);
  });
});

function safeExists(dir: string): boolean {
  try {
    readFileSync(dir + 'ob30-spec-example-basic.json');
    return true;
  } catch {
    return false;
  }
}
