/**
 * Proof sets and proof chains (Data Integrity 1.0 §4.3, §4.5): every proof is verified, a chained proof over the
 * document carrying the proofs it names; the issuer-key check applies to each proof that claims to be the issuer's.
 * The W3C vc-di-eddsa proof-chain vector is the independent reference; the other credentials are signed here with
 * @digitalbazaar/data-integrity directly (test/verify-helpers.ts `addProof`), never with microcred's own code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/verify/verify.js';
import type { VerificationReport } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { createTestIssuer, fixture, mapFetch, mapResolver, type TestIssuer } from './verify-helpers.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const ISSUER = 'https://issuer.example/issuers/1';
const REGISTRAR = 'https://registrar.example/keys';

let issuer: TestIssuer;
let registrar: TestIssuer;

function check(report: VerificationReport, id: string) {
  return report.checks.find((c) => c.id === id);
}
function unsigned(): Record<string, unknown> {
  return { ...fixture('ob30-spec-example-basic.json'), issuer: { id: ISSUER, type: ['Profile'], name: 'Example University' }, validFrom: '2025-01-01T00:00:00Z' };
}
function options() {
  return {
    resolver: mapResolver({ [ISSUER]: issuer.controllerDocument, [REGISTRAR]: registrar.controllerDocument }),
    fetch: mapFetch({}),
    now: NOW,
  };
}
function proofsOf(c: Record<string, unknown>): Record<string, unknown>[] {
  return c.proof as Record<string, unknown>[];
}

beforeAll(async () => {
  issuer = await createTestIssuer(ISSUER, 1);
  registrar = await createTestIssuer(REGISTRAR, 4);
});

describe('the W3C vc-di-eddsa proof chain vector (two proofs, a chain of two on top, did:key keys)', () => {
  const vector = fixture('w3c-vc-di-eddsa-proof-chain-signedProofChain2.json');

  it('every proof verifies, each reported', async () => {
    const report = await verify(vector, { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
    const proof = check(report, 'proof');
    expect(proof?.status, formatReport(report)).toBe('pass');
    expect(proof?.details?.map((d) => [d.path, d.status])).toEqual([
      ['proof[0]', 'pass'],
      ['proof[1]', 'pass'],
      ['proof[2]', 'pass'],
      ['proof[3]', 'pass'],
    ]);
    expect(proof?.details?.[2]?.message).toContain('building on signature 1 and 2');
    expect(proof?.details?.[3]?.message).toContain('building on signature 3');
    expect(proof?.message).toContain('4 signatures');
    // The vector's issuer (https://vc.example/issuers/5678) is none of the did:keys: ownership fails, as for the
    // other W3C vectors.
    expect(check(report, 'issuer-key')?.status).toBe('fail');
  });

  it('a changed earlier proof breaks it and the proof chained on it', async () => {
    const copy = structuredClone(vector) as Record<string, unknown>;
    proofsOf(copy)[2]!.created = '2023-02-27T00:00:00Z';
    const report = await verify(copy, { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
    const proof = check(report, 'proof');
    expect(proof?.status).toBe('fail');
    expect(proof?.code).toBe('PROOF_VERIFICATION_ERROR');
    expect(proof?.details?.map((d) => d.status)).toEqual(['pass', 'pass', 'fail', 'fail']);
    expect(proof?.message).toContain('2 of the credential\'s 4 signatures are not valid');
  });

  it('a proof naming a previous proof the credential does not contain fails', async () => {
    const copy = structuredClone(vector) as Record<string, unknown>;
    copy.proof = [0, 1, 3].map((i) => proofsOf(vector)[i]);
    const report = await verify(copy, { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
    const proof = check(report, 'proof');
    expect(proof?.status).toBe('fail');
    expect(proof?.details?.[2]).toMatchObject({ path: 'proof[2]', status: 'fail', code: 'PROOF_VERIFICATION_ERROR' });
    expect(proof?.details?.[2]?.message).toContain('urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23');
  });
});

describe('proof sets', () => {
  it("a credential whose second proof is the issuer's verifies; the other signature is named as someone else's", async () => {
    const byRegistrar = await registrar.sign(unsigned());
    const both = await issuer.addProof(byRegistrar);
    expect(proofsOf(both).map((p) => String(p.verificationMethod).split('#')[0])).toEqual([REGISTRAR, ISSUER]);
    const report = await verify(both, options());
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'proof')?.details?.map((d) => d.status)).toEqual(['pass', 'pass']);
    const key = check(report, 'issuer-key');
    expect(key?.status).toBe('pass');
    expect(key?.message).toContain(registrar.vmId);
    expect(key?.message).toContain('not the issuer');
  });

  it('a set whose second proof is not valid fails, naming that proof', async () => {
    const both = await registrar.addProof(await issuer.sign(unsigned()));
    proofsOf(both)[1]!.proofValue = proofsOf(both)[0]!.proofValue;
    const report = await verify(both, options());
    const proof = check(report, 'proof');
    expect(proof?.status).toBe('fail');
    expect(proof?.details?.map((d) => d.status)).toEqual(['pass', 'fail']);
    expect(proof?.message).toContain('signature 2');
    expect(report.verified).toBe(false);
  });

  it('every proof that claims to be the issuer\'s must be listed by the issuer', async () => {
    const both = await issuer.addProof(await issuer.sign(unsigned()));
    // The issuer's document lists only its first key: a second valid signature under the issuer's id with a key
    // it does not list is not the issuer's.
    const impostor = await createTestIssuer(ISSUER, 9);
    const mixed = await impostor.addProof(await issuer.sign(unsigned()));
    expect((await verify(both, options())).verified).toBe(true);
    const impostorVm = (impostor.controllerDocument.verificationMethod as Record<string, unknown>[])[0];
    const report = await verify(mixed, {
      ...options(),
      // The issuer's document holds the second key (so its signature can be checked) but does not list it for
      // issuing credentials (assertionMethod).
      resolver: mapResolver({
        [ISSUER]: { ...issuer.controllerDocument, verificationMethod: [...(issuer.controllerDocument.verificationMethod as unknown[]), impostorVm] },
      }),
    });
    expect(check(report, 'proof')?.status, formatReport(report)).toBe('pass');
    expect(check(report, 'issuer-key')?.status).toBe('fail');
    expect(check(report, 'issuer-key')?.message).toContain(impostor.vmId);
  });

  it('unknown proof types are still ignored when another proof verifies', async () => {
    const signed = await issuer.sign(unsigned());
    const report = await verify({ ...signed, proof: [{ type: 'SomeProofType', proofValue: 'x' }, ...proofsOf(signed)] }, options());
    expect(report.verified).toBe(true);
    expect(check(report, 'proof')?.details?.map((d) => d.status)).toEqual(['not-applicable', 'pass']);
  });
});

describe('proof chains', () => {
  it('a registrar\'s proof chained on the issuer\'s verifies over the document with the issuer\'s proof', async () => {
    const base = await issuer.addProof({ ...unsigned(), proof: [] }, { id: 'urn:uuid:0f0e3a52-1d2c-4e5b-9a8f-000000000001' });
    const chained = await registrar.addProof(base, { previousProof: 'urn:uuid:0f0e3a52-1d2c-4e5b-9a8f-000000000001' });
    const report = await verify(chained, options());
    expect(report.verified, formatReport(report)).toBe(true);
    expect(check(report, 'proof')?.details?.[1]?.message).toContain('building on signature 1');
    expect(check(report, 'proof')?.message).toContain('proof chain');

  });

  it('a chained proof that is verified over the document alone (ignoring previousProof) does not pass', async () => {
    // Signed over the bare document, but claiming to build on the issuer's proof: Data Integrity's verifier
    // re-attaches the previous proof, so the signature does not match.
    const base = await issuer.addProof({ ...unsigned(), proof: [] }, { id: 'urn:uuid:0f0e3a52-1d2c-4e5b-9a8f-000000000002' });
    const unchained = await registrar.addProof(base);
    proofsOf(unchained)[1]!.previousProof = 'urn:uuid:0f0e3a52-1d2c-4e5b-9a8f-000000000002';
    const report = await verify(unchained, options());
    expect(check(report, 'proof')?.details?.map((d) => d.status)).toEqual(['pass', 'fail']);
  });
});
