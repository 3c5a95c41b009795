/**
 * issueCredential on the real mapping: the example record and profile, signed with the example keys (did:key)
 * and a did:web key set, in both formats; the signed credential still passes the official OB 3.0 schema.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
// @ts-ignore -- untyped package, independent verifier
import * as vc from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { buildCredential } from '../src/credential/annex1.js';
import { assertProfile } from '../src/record/profile.js';
import { assertRecord } from '../src/record/validate.js';
import { validateOpenBadgeSchema } from '../src/schema/validate-ob.js';
import { generateKeySet, loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { didWebDocument } from '../src/did/web-document.js';
import { issueCredential } from '../src/issue.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';

let profile: ReturnType<typeof assertProfile>;
let record: ReturnType<typeof assertRecord>;
let exampleKeys: KeySet;
let webKeys: KeySet;

beforeAll(async () => {
  profile = assertProfile(JSON.parse(await readFile(path.join(EXAMPLE_KEYS_DIR, 'profile.json'), 'utf8')));
  record = assertRecord(JSON.parse(await readFile(new URL('../examples/record.json', import.meta.url), 'utf8')));
  exampleKeys = await loadKeySet(EXAMPLE_KEYS_DIR);
  webKeys = await generateKeySet({ dir: await mkdtemp(path.join(tmpdir(), 'microcred-issue-')), didWeb: 'northbridge.example.ac.uk' });
});

function didKeyDoc(did: string) {
  const fp = did.slice('did:key:'.length);
  const vm = { id: `${did}#${fp}`, type: 'Multikey', controller: did, publicKeyMultibase: fp };
  return { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: did, verificationMethod: [vm], assertionMethod: [vm.id] };
}

async function vcVerify(credential: unknown) {
  const documentLoader = createDocumentLoader({
    resolve: async (url) => {
      const [base] = url.split('#') as [string];
      const doc = base === webKeys.controller ? didWebDocument(webKeys) : base.startsWith('did:key:') ? didKeyDoc(base) : undefined;
      if (!doc || !url.includes('#')) return doc;
      const vm = (doc.verificationMethod as { id: string }[]).find((m) => m.id === url);
      return vm && { '@context': doc['@context'], ...vm };
    },
  });
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  return vc.verifyCredential({ credential, suite, documentLoader, checkStatus: async () => ({ verified: true }) });
}

describe('issueCredential with the Annex I mapping', () => {
  it.each(['example (did:key)', 'did:web'])('DI with %s keys: OB schema valid, verifies with @digitalbazaar/vc', async (which) => {
    const keys = which === 'did:web' ? webKeys : exampleKeys;
    const unsigned = buildCredential(profile, record, { issuerId: keys.controller });
    const signed = await issueCredential(unsigned, { format: 'di', keys });
    expect(signed.proof).toHaveLength(1);
    const schema = validateOpenBadgeSchema(signed);
    expect(schema.errors).toEqual([]);
    const result = await vcVerify(signed);
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
  });

  it('JWT (ES256, did:web) verifies with jose and carries the credential as payload', async () => {
    const unsigned = buildCredential(profile, record, { issuerId: webKeys.controller });
    const jws = await issueCredential(unsigned, { format: 'jwt', keys: webKeys });
    const key = await jose.importJWK({ ...webKeys.activeKey('jwt').publicKeyJwk }, 'ES256');
    const { payload, protectedHeader } = await jose.jwtVerify(jws, key, { issuer: webKeys.controller });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: webKeys.activeKey('jwt').id, typ: 'JWT' });
    expect(payload.jti).toBe(unsigned.id);
    const { iss, jti, sub, nbf, exp, ...credential } = payload;
    expect(credential).toEqual(JSON.parse(JSON.stringify(unsigned)));
    expect(validateOpenBadgeSchema(credential).valid).toBe(true);
  });
});
