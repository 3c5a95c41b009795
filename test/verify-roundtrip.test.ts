/**
 * Credentials issued by microcred's own issuing code (H2: keys + proofs) verify, offline, through the default
 * collaborators (the example issuer is a did:key), with the reference and the fast cryptosuite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKeySet, type KeySet } from '../src/keys/keyset.js';
import { issueCredential } from '../src/issue.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { fastCryptosuite } from '../src/proof/fast/cryptosuite.js';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { fixture } from './verify-helpers.js';

let keys: KeySet;
let credential: Record<string, unknown>;
const NOW = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  keys = await loadKeySet(EXAMPLE_KEYS_DIR);
  credential = {
    ...fixture('ob30-spec-example-basic.json'),
    id: 'urn:uuid:7a1c2f3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b',
    issuer: { id: keys.controller, type: ['Profile'], name: 'Example University' },
    validFrom: '2025-01-01T00:00:00Z',
  };
});

describe('round trip with the example keys', () => {
  it('a Data Integrity credential verifies offline', async () => {
    const signed = await issueCredential(credential, { format: 'di', keys, created: '2025-01-01T00:00:00Z' });
    const report = await verify(signed, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.checks.find((c) => c.id === 'issuer-key')?.status).toBe('pass');
  });

  it('verifies with the fast cryptosuite, which also rejects a tampered copy', async () => {
    const signed = (await issueCredential(credential, { format: 'di', keys, created: '2025-01-01T00:00:00Z' })) as Record<string, any>;
    const cryptosuite = fastCryptosuite();
    expect((await verify(signed, { now: NOW, cryptosuite })).verified).toBe(true);
    const tampered = structuredClone(signed);
    tampered.credentialSubject.achievement.name = 'Something else';
    const report = await verify(tampered, { now: NOW, cryptosuite });
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('fail');
  });

  it('a VC-JWT (EdDSA, kid = did:key verification method) verifies offline', async () => {
    const jws = await issueCredential(credential, { format: 'jwt', keys });
    const report = await verify(jws, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.format).toBe('jwt');
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
  });
});

describe('a micro-credential built from the example record', () => {
  async function built() {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { buildCredential } = await import('../src/credential/annex1.js');
    const { PACKAGE_ROOT } = await import('../src/lib/paths.js');
    const profile = JSON.parse(readFileSync(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8'));
    const record = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'record.json'), 'utf8'));
    return buildCredential(profile, record, { issuerId: keys.controller, validFrom: '2025-06-01T00:00:00Z' }) as unknown as Record<string, any>;
  }

  it('claims the microcred profile, passes it and verifies', async () => {
    const signed = await issueCredential(await built(), { format: 'di', keys, created: '2025-06-01T00:00:00Z' });
    const report = await verify(signed, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.checks.find((c) => c.id === 'profile')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'schema')?.status).toBe('pass');
  });

  it('missing an Annex I element (ECTS workload) fails the profile check, naming the element', async () => {
    const credential = await built();
    const achievement = credential.credentialSubject.achievement;
    achievement.alignment = achievement.alignment.filter((a: { targetType?: string }) => a.targetType !== 'ext:ECTS');
    const signed = await issueCredential(credential, { format: 'di', keys, created: '2025-06-01T00:00:00Z' });
    const report = await verify(signed, { now: NOW });
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.id === 'proof')?.status).toBe('pass');
    const profile = report.checks.find((c) => c.id === 'profile');
    expect(profile?.status).toBe('fail');
    expect(profile?.message).toContain('Annex I element 7');
  });
});
