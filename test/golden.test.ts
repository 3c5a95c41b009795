/**
 * Golden test: our Data Integrity signer reproduces the 1EdTech OB 3.0 implementation-guide vector
 * (eddsa-rdfc-2022) byte for byte from its published private key. Ed25519 is deterministic, so any difference in
 * canonicalisation, hashing order, proof options or encoding changes the proofValue.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, createPrivateKey } from 'node:crypto';
import { signDataIntegrity } from '../src/proof/di.js';
import { eddsaRdfc2022 } from '../src/proof/vendor.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { loadKeySet } from '../src/keyset/keyset.js';
import { issueCredential } from '../src/issue.js';

const vectorBytes = readFileSync(new URL('./fixtures/golden/1edtech-impl-guide-ob30-eddsa-rdfc-2022-vector.json', import.meta.url));
const vector = JSON.parse(vectorBytes.toString('utf8'));
const seed = Buffer.from(vector.keyPair.privateKeyHex_seed32_then_public32.slice(0, 64), 'hex');
const publicKey = Buffer.from(vector.keyPair.publicKeyHex, 'hex');
const privateJwk = { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url'), d: seed.toString('base64url') };

describe('1EdTech OB 3.0 eddsa-rdfc-2022 test vector', () => {
  it('is the published vector, byte for byte (SHA-256 in fixtures/golden/PROVENANCE.md)', () => {
    expect(createHash('sha256').update(vectorBytes).digest('hex')).toBe('1b7109b05583d358b24fa979b9542a2dd00ff93714b587ff0d5ba7392d415cf8');
  });

  it('the reference cryptosuite canonicalises the document exactly as the vector', async () => {
    const nquads = await eddsaRdfc2022.canonize(vector.unsignedCredential, { documentLoader: createDocumentLoader() });
    expect(nquads).toBe(vector.canonicalDocumentNQuads);
  });

  it('signDataIntegrity reproduces the published proofValue from the private key', async () => {
    const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
    const { sign } = await import('node:crypto');
    const signer = {
      id: vector.proofOptions.verificationMethod,
      algorithm: 'Ed25519',
      sign: async ({ data }: { data: Uint8Array }) => new Uint8Array(sign(null, data, key)),
    };
    const signed = await signDataIntegrity(vector.unsignedCredential, { signer, created: vector.proofOptions.created });
    expect(signed.proof).toHaveLength(1);
    expect(signed.proof[0]).toEqual({ ...vector.signedCredential.proof });
    expect(signed.proof[0]?.proofValue).toBe(vector.proofValue);
    const { proof: _ours, ...body } = signed;
    const { proof: _theirs, ...expectedBody } = vector.signedCredential;
    expect(body).toEqual(expectedBody);
  });

  it('issueCredential with a key set loaded from disk gives the same proof', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'microcred-golden-'));
    await writeFile(
      path.join(dir, 'keyset.json'),
      JSON.stringify({
        controller: vector.keyPair.controller,
        keys: [
          {
            id: vector.keyPair.id,
            type: 'Multikey',
            alg: 'Ed25519',
            publicKeyMultibase: vector.keyPair.publicKeyMultibase,
            publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x },
            created: '2010-01-01T00:00:00Z',
            active: true,
            privateKeyFile: 'key-1.private.jwk.json',
          },
        ],
      }),
    );
    await writeFile(path.join(dir, 'key-1.private.jwk.json'), JSON.stringify(privateJwk), { mode: 0o600 });
    const keys = await loadKeySet(dir);
    const signed = await issueCredential(vector.unsignedCredential, { format: 'di', keys, created: vector.proofOptions.created });
    expect(signed.proof).toEqual([vector.signedCredential.proof]);
    expect(vector.unsignedCredential.proof).toBeUndefined(); // input untouched
  });
});
