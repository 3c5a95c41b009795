/**
 * The fast cryptosuite plugged into microcred's own issue and verify paths: same signed credential as the
 * reference cryptosuite, verified by the full verifier, and no bail for credentials our mapping produces.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { assertRecord } from '../src/record/validate.js';
import { assertProfile } from '../src/record/profile.js';
import { buildCredential } from '../src/credential/annex1.js';
import { loadKeySet } from '../src/keyset/keyset.js';
import { issueCredential } from '../src/issue.js';
import { verify } from '../src/verify/verify.js';
import { createFastCryptosuite } from '../src/proof/fast/cryptosuite.js';

describe('fast cryptosuite wired into issueCredential and verify', () => {
  it('signs our own credentials byte-identically, without a single bail, and the verifier accepts them', async () => {
    const keys = await loadKeySet(EXAMPLE_KEYS_DIR);
    const profile = assertProfile(JSON.parse(readFileSync(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')));
    const cryptosuite = createFastCryptosuite();
    const created = '2026-04-01T08:00:00Z';
    for (const file of ['record.json', 'record-minimal.json']) {
      const record = assertRecord(JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'examples', file), 'utf8')));
      const credential = buildCredential(profile, record, { issuerId: keys.controller, id: 'urn:uuid:0d7c3c8e-8f0a-4b7e-9a55-2b1f6c1e0a01', salt: 'fixed-salt' });
      const reference = await issueCredential(credential, { format: 'di', keys, created });
      const before = cryptosuite.metrics();
      const fast = await issueCredential(credential, { format: 'di', keys, created, cryptosuite });
      const after = cryptosuite.metrics();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
      expect(after.bails - before.bails).toBe(0);
      expect(after.fast - before.fast).toBe(2); // the credential and the proof configuration
      const report = await verify(fast, { cryptosuite });
      expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
      const tampered = structuredClone(fast) as { credentialSubject: Record<string, unknown> };
      tampered.credentialSubject.tampered = 'x';
      const bad = await verify(tampered, { cryptosuite });
      expect(bad.verified).toBe(false);
    }
  });
});
