/**
 * The worker pool signs exactly what the single-thread stock pipeline signs, and verifies it. The pool runs the
 * built workers (dist/), which `npm test` builds first (tsc) before running the tests.
 */
import { ed25519PublicKeyMultibase } from '../src/lib/multibase.js';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- untyped package
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof as DIP } from '@digitalbazaar/data-integrity';
import { PACKAGE_ROOT } from '../src/lib/paths.js';
import { stock } from '../src/lib/fast-rdfc/internals.js';
import { FastDiPool } from '../src/proof/fast/pool.js';
import { poolDocumentLoader } from '../src/proof/fast/resolver.js';
import { createKeyObjectSigner } from '../src/proof/fast/signer.js';
import { generateCorpus } from './bench/fast-corpus.js';

type Json = Record<string, unknown>;
const vc = vcLib as { issue(o: { credential: object; suite: unknown; documentLoader: unknown }): Promise<Json> };
const DataIntegrityProof = DIP as new (o: { signer?: unknown; date?: string; cryptosuite: unknown }) => unknown;


const built = existsSync(path.join(PACKAGE_ROOT, 'dist', 'proof', 'fast', 'pool-worker.js'));

describe.skipIf(!built)('fast DI worker pool (built package)', () => {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 3)]), format: 'der', type: 'pkcs8' });
  const pub = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x as string, 'base64url');
  const fp = ed25519PublicKeyMultibase(pub);
  const did = `did:key:${fp}`;
  const vmId = `${did}#${fp}`;
  const created = '2026-03-01T09:00:00Z';
  let pool: FastDiPool;

  beforeAll(async () => {
    pool = await FastDiPool.create({ size: 2, chunkSize: 8 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('verifies a did:web issuer from controller documents handed to the pool', async () => {
    const web = 'did:web:issuer.example.edu';
    const vm = `${web}#key-1`;
    const controller = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: web,
      verificationMethod: [{ id: vm, type: 'Multikey', controller: web, publicKeyMultibase: fp }],
      assertionMethod: [vm],
    };
    const webPool = await FastDiPool.create({ size: 1, controllerDocuments: { [web]: controller } });
    try {
      const [cred] = generateCorpus(5, 1, { issuerDid: web });
      const [r] = await webPool.issue([cred as Json], { signerId: vm, privateKey, created });
      expect(r?.ok).toBe(true);
      const signed = (r as { value: Json }).value;
      expect((await webPool.verify([signed]))[0]?.verified).toBe(true);
      // the same credential, but the controller document no longer lists the key for assertions: refused
      const revokedPool = await FastDiPool.create({ size: 1, controllerDocuments: { [web]: { ...controller, assertionMethod: [] } } });
      try {
        const [check] = await revokedPool.verify([signed]);
        expect(check?.verified).toBe(false);
        expect(check?.error).toMatch(/not authorized|assertionMethod/);
      } finally {
        await revokedPool.close();
      }
    } finally {
      await webPool.close();
    }
  });

  it('issues byte-identically to stock, keeps input order, reports per-credential errors, and verifies', async () => {
    const corpus = generateCorpus(77, 40, { issuerDid: did });
    const v1: Json = {
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context.json'],
      id: 'urn:uuid:5b1e0000-0000-4000-a000-000000000001',
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: did,
      issuanceDate: '2023-01-01T00:00:00Z',
      credentialSubject: { type: 'AchievementSubject', achievement: { id: 'https://e.org/a', type: 'Achievement', name: 'A', criteria: { narrative: 'n' }, description: 'd' } },
    };
    const inputs = [...corpus, v1];
    const results = await pool.issue(inputs, { signerId: vmId, privateKey, created });
    expect(results).toHaveLength(inputs.length);
    const signer = createKeyObjectSigner({ id: vmId, privateKey });
    const documentLoader = poolDocumentLoader();
    const signed: Json[] = [];
    let failures = 0;
    for (const [i, input] of inputs.entries()) {
      let expected: string;
      try {
        expected = JSON.stringify(await vc.issue({ credential: structuredClone(input), suite: new DataIntegrityProof({ signer, date: created, cryptosuite: stock }), documentLoader }));
      } catch (e) {
        expected = 'ERROR ' + (e as Error).message;
      }
      const r = results[i];
      const got = r?.ok ? JSON.stringify(r.value) : 'ERROR ' + (r as { error: string }).error;
      expect(got).toBe(expected);
      if (r?.ok) signed.push(r.value);
      else failures++;
    }
    expect(signed.length).toBeGreaterThan(30);
    const checks = await pool.verify(signed);
    expect(checks.every((c) => c.verified)).toBe(true);
    const tampered = signed.map((s) => ({ ...s, validFrom: '2020-01-01T00:00:00Z' }));
    expect((await pool.verify(tampered)).some((c) => c.verified)).toBe(false);
    expect(failures).toBe(inputs.length - signed.length);
    // The same credentials as JSON text: the same signed text (or the same error), in order.
    const texts = await pool.issueJson(inputs.map((c) => JSON.stringify(c)), { signerId: vmId, privateKey, created });
    expect(texts.map((r) => (r.ok ? r.json : 'ERROR ' + r.error))).toEqual(results.map((r) => (r.ok ? JSON.stringify(r.value) : 'ERROR ' + r.error)));
    const [notJson] = await pool.issueJson(['{"@context": ['], { signerId: vmId, privateKey, created });
    expect(notJson).toMatchObject({ ok: false, error: expect.stringMatching(/JSON/) });
  });
});
