/**
 * The fast cryptosuite plugged into microcred's own issue and verify paths, against the independent
 * implementation: the stock `@digitalbazaar/eddsa-rdfc-2022-cryptosuite` (jsonld.js + rdf-canonize). Our
 * credentials must be signed byte-identically to stock, by the default path and by an explicit fast suite, without
 * a bail; what either signs must verify through the other, and tampering must be caught by both.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-ignore -- package has no type declarations
import { cryptosuite as stockCryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { PACKAGE_ROOT, EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { assertRecord } from '../src/record/validate.js';
import { assertProfile } from '../src/record/profile.js';
import { buildCredential } from '../src/credential/annex1.js';
import { loadKeySet } from '../src/keyset/keyset.js';
import { issueCredential } from '../src/issue.js';
import { verify } from '../src/verify/verify.js';
import type { Cryptosuite } from '../src/proof/di.js';
import { createFastCryptosuite } from '../src/proof/fast/cryptosuite.js';

const stock = stockCryptosuite as Cryptosuite;

describe('fast cryptosuite wired into issueCredential and verify', () => {
  it('signs our own credentials byte-identically to the stock suite, without a single bail, and each verifies the other', async () => {
    const keys = await loadKeySet(EXAMPLE_KEYS_DIR);
    const profile = assertProfile(JSON.parse(readFileSync(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')));
    const cryptosuite = createFastCryptosuite();
    expect((await cryptosuite.ready)?.ok).toBe(true);
    const created = '2026-04-01T08:00:00Z';
    for (const file of ['record.json', 'record-minimal.json']) {
      const record = assertRecord(JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'examples', file), 'utf8')));
      const credential = buildCredential(profile, record, { issuerId: keys.controller, id: 'urn:uuid:0d7c3c8e-8f0a-4b7e-9a55-2b1f6c1e0a01', salt: 'fixed-salt' });
      const reference = await issueCredential(credential, { format: 'di', keys, created, cryptosuite: stock });
      const byDefault = await issueCredential(credential, { format: 'di', keys, created });
      const before = cryptosuite.metrics();
      const fast = await issueCredential(credential, { format: 'di', keys, created, cryptosuite });
      const after = cryptosuite.metrics();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
      expect(JSON.stringify(byDefault)).toBe(JSON.stringify(reference));
      expect(after.bails - before.bails).toBe(0);
      expect(after.fast - before.fast).toBe(2); // the credential and the proof configuration
      // Stock-signed through the fast suite and the default verifier; fast-signed through the stock suite.
      for (const [signed, suite] of [[reference, cryptosuite], [reference, undefined], [fast, stock]] as const) {
        const report = await verify(signed, suite ? { cryptosuite: suite } : {});
        expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
        // An undefined term (JSON-LD safe mode refuses it) and an edited value (canonicalizes, hashes differently).
        const added = structuredClone(signed) as { credentialSubject: Record<string, unknown> };
        added.credentialSubject.tampered = 'x';
        const edited = structuredClone(signed) as { credentialSubject: { achievement: { name: string } } };
        edited.credentialSubject.achievement.name += ' (edited)';
        for (const tampered of [added, edited]) {
          const bad = await verify(tampered, suite ? { cryptosuite: suite } : {});
          expect(bad.checks.find((c) => c.id === 'proof')?.status).toBe('fail');
          expect(bad.verified).toBe(false);
        }
      }
    }
  });
});
