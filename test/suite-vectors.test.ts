/**
 * The W3C test vectors of the cryptosuites added next to eddsa-rdfc-2022 (copies and provenance in
 * test/fixtures/suites/): vc-di-eddsa `eddsa-jcs-2022` and vc-di-ecdsa `ecdsa-rdfc-2019` (P-256 and P-384) verify
 * with microcred's verifier and with the Digital Bazaar suites, tampered copies fail, and signing the vc-di-eddsa
 * credential with its key pair reproduces the published eddsa-jcs-2022 proof.
 */
import { describe, expect, it } from 'vitest';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-ignore -- untyped package, used here as an independent verifier
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { createVerifyCryptosuite as dbEddsaJcs2022 } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
// @ts-ignore -- untyped package
import { cryptosuite as dbEcdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
// @ts-ignore -- untyped package
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
// @ts-ignore -- untyped package
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { signDataIntegrity } from '../src/proof/di.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { didKeyDocument } from '../src/did/key.js';
import { publicKeyFromVerificationMethod, samePublicKey } from '../src/did/verification-key.js';
import { jwkToPublicKeyMultibase } from '../src/lib/multibase.js';
import { controllerDocsFor, fixture, mapFetch, mapResolver } from './verify-helpers.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'suites');
const text = (name: string) => readFileSync(path.join(DIR, name), 'utf8');
const json = (name: string) => JSON.parse(text(name)) as Record<string, any>;
const NOW = new Date('2024-06-01T00:00:00Z');
const status = (report: Awaited<ReturnType<typeof verify>>, id: string) => report.checks.find((c) => c.id === id)?.status;

/** The vector's signature checked by the Digital Bazaar suite alone (no purpose or issuer rules). */
async function dbSignatureVerifies(credential: Record<string, any>, cryptosuite: unknown, vm: Record<string, unknown>): Promise<boolean> {
  const { proof, ...document } = credential;
  const documentLoader = createDocumentLoader({ resolve: async (url) => (url === vm.id ? { '@context': 'https://w3id.org/security/multikey/v1', ...vm } : undefined) });
  const result = await new DataIntegrityProof({ cryptosuite }).verifyProof({ proof: Array.isArray(proof) ? proof[0] : proof, document, proofSet: [], documentLoader });
  return result.verified;
}

describe('the vector files', () => {
  it('are byte-identical to the upstream copies (SHA-256 listed in PROVENANCE.md)', () => {
    const provenance = text('PROVENANCE.md');
    const files = readdirSync(DIR).filter((f) => f !== 'PROVENANCE.md');
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const sha = createHash('sha256').update(readFileSync(path.join(DIR, f))).digest('hex');
      expect(provenance, f).toContain(`| \`${f}\` | \`${sha}\` |`);
    }
  });
});

describe('vc-di-eddsa eddsa-jcs-2022', () => {
  const signed = json('w3c-vc-di-eddsa-jcs-2022-signed.json');
  const vm = { id: signed.proof.verificationMethod, type: 'Multikey', controller: signed.issuer, publicKeyMultibase: signed.proof.verificationMethod.split('#')[1] };

  it('verifies with microcred (the key is the issuer\'s) and with the Digital Bazaar suite', async () => {
    const report = await verify(signed, { resolver: mapResolver(controllerDocsFor(signed)), fetch: mapFetch({}), now: NOW });
    expect(status(report, 'proof'), formatReport(report)).toBe('pass');
    expect(status(report, 'issuer-key')).toBe('pass');
    expect(report.verified, formatReport(report)).toBe(true);
    expect(await dbSignatureVerifies(signed, dbEddsaJcs2022(), vm)).toBe(true);
  });

  it.each([
    ['a claim', (c: any) => { c.credentialSubject.alumniOf = 'Another School'; }],
    ['the proof date', (c: any) => { c.proof.created = '2023-02-24T23:36:39Z'; }],
    ['the proof context', (c: any) => { delete c.proof['@context']; }],
    ['the document context', (c: any) => { c['@context'] = [c['@context'][0]]; }],
  ])('a copy with %s changed fails', async (_what, tamper) => {
    const copy = structuredClone(signed);
    tamper(copy);
    const report = await verify(copy, { resolver: mapResolver(controllerDocsFor(copy)), fetch: mapFetch({}), now: NOW });
    expect(status(report, 'proof')).not.toBe('pass');
    expect(report.verified).toBe(false);
    expect(await dbSignatureVerifies(copy, dbEddsaJcs2022(), vm)).toBe(false);
  });

  it('signing the vc-di-eddsa credential with its key pair reproduces the published proof', async () => {
    const pair = fixture<{ publicKeyMultibase: string; privateKeyMultibase: string }>('w3c-vc-di-eddsa-keypair.json');
    const key = await Ed25519Multikey.from({ ...vm, publicKeyMultibase: pair.publicKeyMultibase, secretKeyMultibase: pair.privateKeyMultibase });
    const ours = await signDataIntegrity(fixture('w3c-vc-di-eddsa-unsigned.json'), {
      signer: key.signer(),
      cryptosuite: 'eddsa-jcs-2022',
      created: signed.proof.created,
    });
    expect(ours.proof).toEqual([signed.proof]);
  });
});

describe.each([
  ['P-256', 'p256', 'zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP', 'sha256'],
  ['P-384', 'p384', 'z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ', 'sha384'],
] as const)('vc-di-ecdsa ecdsa-rdfc-2019 %s', (_curve, tag, publicKeyMultibase, hash) => {
  const vmId = `did:key:${publicKeyMultibase}#${publicKeyMultibase}`;
  const vm = { id: vmId, type: 'Multikey', controller: vmId.split('#')[0], publicKeyMultibase };
  const proofConfig = {
    type: 'DataIntegrityProof',
    cryptosuite: 'ecdsa-rdfc-2019',
    created: '2023-02-24T23:36:38Z',
    verificationMethod: vmId,
    proofPurpose: 'assertionMethod',
  };
  const unsigned = fixture('w3c-vc-di-eddsa-unsigned.json');
  const signed = { ...unsigned, proof: { ...proofConfig, proofValue: text(`w3c-vc-di-ecdsa-rdfc-2019-${tag}-sigBTC58.txt`) } };

  it('the assembled credential is what the published combined hash covers', async () => {
    const documentLoader = createDocumentLoader();
    const options = { documentLoader, safe: true, base: null };
    const digest = (s: string) => createHash(hash).update(s).digest('hex');
    const proofHash = digest(await dbEcdsaRdfc2019.canonize({ '@context': unsigned['@context'], ...proofConfig }, options));
    const docHash = digest(await dbEcdsaRdfc2019.canonize(unsigned, options));
    expect(proofHash + docHash).toBe(text(`w3c-vc-di-ecdsa-rdfc-2019-${tag}-combinedHash.txt`));
  });

  // microcred resolves Ed25519 and P-256 did:keys itself; the P-384 one's document is served here, as a did:web or
  // https issuer would publish a P-384 Multikey.
  const resolver =
    tag === 'p256'
      ? mapResolver({})
      : async (url: string) =>
          url === vm.controller
            ? { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: vm.controller, verificationMethod: [vm], assertionMethod: [vmId] }
            : undefined;

  it('verifies with microcred and with the Digital Bazaar suite; the did:key is not the named issuer', async () => {
    expect(await dbSignatureVerifies(signed, dbEcdsaRdfc2019, vm)).toBe(true);
    const report = await verify(signed, { resolver, fetch: mapFetch({}), now: NOW });
    expect(status(report, 'proof'), formatReport(report)).toBe('pass');
    // The vector names https://vc.example/issuers/5678 as issuer but is signed by a did:key: ownership fails.
    expect(status(report, 'issuer-key')).toBe('fail');
    expect(report.checks.find((c) => c.id === 'issuer-key')?.message).toContain(`did:key:${publicKeyMultibase}`);
  });

  it.each([
    ['a claim', (c: any) => { c.credentialSubject.alumniOf = 'Another School'; }],
    ['the proof date', (c: any) => { c.proof.created = '2023-02-24T23:36:39Z'; }],
    ['the signature', (c: any) => { c.proof.proofValue = text(`w3c-vc-di-ecdsa-rdfc-2019-${tag === 'p256' ? 'p384' : 'p256'}-sigBTC58.txt`); }],
  ])('a copy with %s changed fails', async (_what, tamper) => {
    const copy = structuredClone(signed) as Record<string, any>;
    tamper(copy);
    expect(await dbSignatureVerifies(copy, dbEcdsaRdfc2019, vm)).toBe(false);
    const report = await verify(copy, { resolver, fetch: mapFetch({}), now: NOW });
    expect(status(report, 'proof')).toBe('fail');
  });
});

describe('P-256 did:key (the vc-di-ecdsa key pair)', () => {
  const pair = json('w3c-vc-di-ecdsa-p256-keypair.json');

  it('resolves offline to the key whose secret the vector publishes, and encodes back to the same multibase', async () => {
    const keyPair = await EcdsaMultikey.from({ publicKeyMultibase: pair.publicKeyMultibase, secretKeyMultibase: pair.secretKeyMultibase });
    const secret = createPrivateKey({ key: await EcdsaMultikey.toJwk({ keyPair, secretKey: true }), format: 'jwk' });
    const publicJwk = createPublicKey(secret).export({ format: 'jwk' });
    expect(jwkToPublicKeyMultibase(publicJwk)).toBe(pair.publicKeyMultibase);
    const doc = didKeyDocument(`did:key:${pair.publicKeyMultibase}`);
    expect(doc.assertionMethod).toEqual([`did:key:${pair.publicKeyMultibase}#${pair.publicKeyMultibase}`]);
    expect(samePublicKey(publicKeyFromVerificationMethod(doc.verificationMethod[0]!), createPublicKey(secret))).toBe(true);
  });

  it('a did:key whose P-256 value is not a point on the curve does not resolve', () => {
    // Compressed points 0x02 ‖ x: about half of all x values have no point on the curve; x = 1 is one of them.
    const bytes = new Uint8Array(35);
    bytes.set([0x80, 0x24, 0x02]);
    bytes[34] = 1;
    const fingerprint = 'z' + base58(bytes);
    expect(() => didKeyDocument(`did:key:${fingerprint}`)).toThrow(/not a point on the curve/);
  });
});

function base58(bytes: Uint8Array): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'));
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}
