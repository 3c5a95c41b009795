/**
 * Credentials issued by microcred's own issuing code (H2: keys + proofs) verify, offline, through the default
 * collaborators (the example issuer is a did:key), with the reference and the fast cryptosuite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeySet, loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { signDataIntegrity } from '../src/proof/di.js';
import { signJwt } from '../src/proof/jwt.js';
import type { VerificationReport } from '../src/verify/verify.js';
import { issueCredential } from '../src/issue.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { fastCryptosuite } from '../src/proof/fast/cryptosuite.js';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { fixture } from './verify-helpers.js';

let keys: KeySet;
let credential: Record<string, unknown>;
const NOW = new Date('2026-01-01T00:00:00Z');
/** Where a deployment at https://credentials.example.ac.uk serves the profile schema (what the service lists). */
const PROFILE_SCHEMA_ID = 'https://credentials.example.ac.uk/schemas/microcred-profile/v1.json';

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
    expect(report.checks.find((c) => c.id === 'issuer-key')).toMatchObject({
      id: 'issuer-key',
      status: 'pass',
      message: "The signing key is the issuer's own identifier (a did:key), so the issuer holds it; a did:key is not tied to any organisation.",
    });
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
    const record = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'examples', 'record.json'), 'utf8'));
    return buildCredential(profile, record, { issuerId: keys.controller, validFrom: '2025-06-01T00:00:00Z', profileSchemaId: PROFILE_SCHEMA_ID }) as unknown as Record<string, any>;
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

/** The checks that stopped the credential: failed or could not be carried out. */
function stoppedBy(report: VerificationReport): string[] {
  return report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => c.id);
}
function messageOf(report: VerificationReport, id: string): string {
  return report.checks.find((c) => c.id === id)?.message ?? '';
}

/** Every leaf of a JSON value as a path, and a copy with that leaf changed (kept the same JSON type where possible). */
function leafPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...at, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]));
  return [at];
}
function changed<T>(doc: T, leaf: (string | number)[]): T {
  const copy = structuredClone(doc) as any;
  const parent = leaf.slice(0, -1).reduce((o, k) => o[k], copy);
  const key = leaf[leaf.length - 1] as string | number;
  const v = parent[key];
  // Change one character (the last digit, else the last letter) so ids stay IRIs and dates stay dates.
  const bump = (x: string): string => {
    const m = /\d(?=\D*$)/.exec(x) ?? /[A-Za-z](?=[^A-Za-z]*$)/.exec(x);
    if (!m) return `${x}x`;
    const c = m[0];
    const next = /\d/.test(c) ? String((Number(c) + 1) % 10) : c === 'z' ? 'a' : c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1);
    return x.slice(0, m.index) + next + x.slice(m.index + 1);
  };
  parent[key] = typeof v === 'string' ? bump(v) : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : 'changed';
  return copy;
}

/** Without "VerifiableCredential" in its type the input is not a credential at all: parse says so before any proof. */
const expectedCheck = (leaf: (string | number)[]): string => (leaf.join('.') === 'type.0' ? 'parse' : 'proof');

describe('negatives on microcred credentials: each fails with the right check named', () => {
  let microcred: Record<string, any>;
  let otherKeys: KeySet;
  let otherDir: string;

  beforeAll(async () => {
    const { readFileSync } = await import('node:fs');
    const { buildCredential } = await import('../src/credential/annex1.js');
    const { PACKAGE_ROOT } = await import('../src/lib/paths.js');
    const profile = JSON.parse(readFileSync(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8'));
    const record = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'examples', 'record.json'), 'utf8'));
    microcred = buildCredential(profile, record, {
      issuerId: keys.controller,
      validFrom: '2025-06-01T00:00:00Z',
      profileSchemaId: PROFILE_SCHEMA_ID,
    }) as unknown as Record<string, any>;
    otherDir = await mkdtemp(path.join(tmpdir(), 'microcred-other-'));
    otherKeys = await generateKeySet({ dir: path.join(otherDir, 'keys') });
    return () => rm(otherDir, { recursive: true, force: true });
  });

  const di = (c: object = microcred) => issueCredential(c, { format: 'di', keys, created: '2025-06-01T00:00:00Z' }) as Promise<Record<string, any>>;
  const jwt = (c: object = microcred) => issueCredential(c, { format: 'jwt', keys });
  /** A compact JWS with its payload edited and the original signature kept. */
  function withPayload(jws: string, edit: (payload: any) => any): string {
    const [h, p, sig] = jws.split('.') as [string, string, string];
    const payload = edit(JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
  }

  it('both formats pass every check untouched', async () => {
    for (const signed of [await di(), await jwt()]) {
      const report = await verify(signed, { now: NOW });
      expect(stoppedBy(report), formatReport(report)).toEqual([]);
      expect(report.checks.find((c) => c.id === 'profile')?.status).toBe('pass');
    }
  });

  it('DI: changing any one signed field fails the proof check (every leaf, proof options included)', async () => {
    const signed = await di();
    // The fast cryptosuite (differentially tested against the reference one) keeps this sweep of ~200 verifications quick.
    const cryptosuite = fastCryptosuite();
    const leaves = leafPaths(signed).filter((l) => l[0] !== '@context');
    expect(leaves.length).toBeGreaterThan(150);
    const missed: string[] = [];
    for (const leaf of leaves) {
      const report = await verify(changed(signed, leaf), { now: NOW, cryptosuite });
      if (report.verified || !stoppedBy(report).includes(expectedCheck(leaf))) missed.push(`${leaf.join('.')}: ${stoppedBy(report)}`);
    }
    expect(missed).toEqual([]);
  });

  it('DI: the reference cryptosuite rejects a sample of the same edits, naming the proof check', async () => {
    const signed = await di();
    const leaves = leafPaths(signed).filter((l) => l[0] !== '@context');
    for (const leaf of leaves.filter((_, i) => i % 25 === 0)) {
      const report = await verify(changed(signed, leaf), { now: NOW });
      expect(stoppedBy(report), leaf.join('.')).toContain('proof');
      expect(messageOf(report, 'proof'), leaf.join('.')).toMatch(/changed after it was signed|does not|not valid|could not/);
    }
  });

  it('VC-JWT: changing any one payload claim or credential field fails the proof check', async () => {
    const jws = await jwt();
    const [, p] = jws.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const leaves = leafPaths(payload);
    expect(leaves.length).toBeGreaterThan(150);
    const missed: string[] = [];
    for (const leaf of leaves) {
      const report = await verify(withPayload(jws, (pl) => changed(pl, leaf)), { now: NOW });
      if (report.verified || !stoppedBy(report).includes(expectedCheck(leaf))) missed.push(`${leaf.join('.')}: ${stoppedBy(report)}`);
    }
    expect(missed).toEqual([]);
  });

  it('VC-JWT: changing the protected header (kid, alg) fails the proof check', async () => {
    const jws = await jwt();
    const [h, p, sig] = jws.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    for (const edit of [{ kid: otherKeys.activeKey('jwt').id }, { alg: 'ES256' }, { typ: 'vc+jwt' }]) {
      const forged = `${Buffer.from(JSON.stringify({ ...header, ...edit })).toString('base64url')}.${p}.${sig}`;
      const report = await verify(forged, { now: NOW });
      expect(report.verified, JSON.stringify(edit)).toBe(false);
      expect(stoppedBy(report), JSON.stringify(edit)).toContain('proof');
    }
  });

  it('a wrong key under the issuer\'s key id fails the proof check (DI and VC-JWT)', async () => {
    const vmId = keys.activeKey('di').id;
    const otherSigner = otherKeys.signer(otherKeys.activeKey('di').id);
    const forgedDi = await signDataIntegrity(microcred, { signer: { ...otherSigner, id: vmId, sign: otherSigner.sign.bind(otherSigner) }, created: '2025-06-01T00:00:00Z' });
    const di = await verify(forgedDi, { now: NOW });
    expect(stoppedBy(di)).toEqual(['proof']);

    const otherJwtKey = otherKeys.activeKey('jwt', 'EdDSA');
    const forgedJwt = await signJwt(microcred, { alg: 'EdDSA', kid: keys.activeKey('jwt', 'EdDSA').id, key: otherKeys.signingKey(otherJwtKey.id) });
    const jw = await verify(forgedJwt, { now: NOW });
    expect(stoppedBy(jw)).toEqual(['proof']);
  });

  it('another issuer\'s own valid key fails the issuer-key check, naming that key\'s controller (DI and VC-JWT)', async () => {
    const otherSigner = otherKeys.signer(otherKeys.activeKey('di').id);
    const signed = await signDataIntegrity(microcred, { signer: otherSigner, created: '2025-06-01T00:00:00Z' });
    const di = await verify(signed, { now: NOW });
    expect(stoppedBy(di)).toEqual(['issuer-key']);
    expect(messageOf(di, 'issuer-key')).toContain(otherKeys.controller);

    const otherJwtKey = otherKeys.activeKey('jwt', 'EdDSA');
    const jws = await signJwt(microcred, { alg: 'EdDSA', kid: otherJwtKey.id, key: otherKeys.signingKey(otherJwtKey.id) });
    const jw = await verify(jws, { now: NOW });
    expect(stoppedBy(jw)).toEqual(['issuer-key']);
    expect(messageOf(jw, 'issuer-key')).toContain(otherKeys.controller);
  });

  it('an expired credential fails only the validity check (DI validUntil; VC-JWT validUntil and exp)', async () => {
    const expiring = { ...microcred, validUntil: '2025-12-31T23:59:59Z' };
    for (const signed of [await di(expiring), await jwt(expiring)]) {
      const report = await verify(signed, { now: NOW });
      expect(stoppedBy(report)).toEqual(['validity']);
      expect(messageOf(report, 'validity')).toBe('The credential has expired: it was valid until 31 December 2025.');
    }
  });

  it('a not-yet-valid credential fails only the validity check (DI validFrom; VC-JWT validFrom and nbf)', async () => {
    const early = new Date('2025-05-31T00:00:00Z');
    for (const signed of [await di(), await jwt()]) {
      const report = await verify(signed, { now: early });
      expect(stoppedBy(report)).toEqual(['validity']);
      expect(messageOf(report, 'validity')).toBe('The credential is not valid yet: it becomes valid on 1 June 2025.');
    }
  });

  it('an unknown context fails the context check, naming it, for both formats (and nothing is fetched)', async () => {
    const unknown = 'https://contexts.example/microcred-extra.jsonld';
    const withContext = { ...microcred, '@context': [...microcred['@context'], unknown] };
    // Signing refuses it (no network fetch): sign the copy with the known contexts, then add the unknown one.
    const signedDi = { ...(await di()), '@context': withContext['@context'] };
    const signedJwt = withPayload(await jwt(), (pl) => ({ ...pl, '@context': withContext['@context'] }));
    await expect(di(withContext)).rejects.toMatchObject({ code: 'UNKNOWN_CONTEXT' });
    for (const signed of [signedDi, signedJwt]) {
      const report = await verify(signed, { now: NOW });
      expect(stoppedBy(report)[0]).toBe('context');
      expect(messageOf(report, 'context')).toContain(unknown);
      expect(report.verified).toBe(false);
    }
  });

  it('a missing Annex I element fails the profile check, naming it, for both formats', async () => {
    const missing = structuredClone(microcred);
    missing.credentialSubject.achievement.alignment = missing.credentialSubject.achievement.alignment.filter(
      (a: { targetType?: string }) => a.targetType !== 'ext:QualityAssurance',
    );
    for (const signed of [await di(missing), await jwt(missing)]) {
      const report = await verify(signed, { now: NOW });
      expect(stoppedBy(report)).toEqual(['profile']);
      expect(messageOf(report, 'profile')).toMatch(/Annex I element 11/);
    }
  });
});
