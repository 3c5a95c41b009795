/**
 * Quads that differ only in where a U+0000 (or another control character) sits must stay distinct in the fast
 * canonicalizer, as they do in jsonld.js + rdf-canonize. A de-duplication key built by joining subject,
 * predicate and object with '\0' merged such quads and dropped one: a signed credential could then gain an
 * unsigned claim and still verify. Reference: stock `@digitalbazaar/eddsa-rdfc-2022-cryptosuite`.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { loadKeySet } from '../src/keyset/keyset.js';
import { issueCredential } from '../src/issue.js';
import { verify } from '../src/verify/verify.js';
import { stock } from '../src/lib/fast-rdfc/internals.js';
import { createFastCanonizer } from '../src/lib/fast-rdfc/canonize.js';
import { contextListKey } from '../src/lib/fast-rdfc/compiler.js';
import { createVerifierCache } from '../src/proof/fast/verifier-cache.js';
import { ed25519PublicKeyMultibase } from '../src/lib/multibase.js';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { OB_303, VC_V2 } from './bench/fast-corpus.js';

type Json = Record<string, unknown>;
const documentLoader = createDocumentLoader();
const OPTIONS = { documentLoader, base: null, safe: true };
const NARRATIVE = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative';

function credential(issuer: string, extra: Json): Json {
  return {
    '@context': [VC_V2, OB_303],
    id: 'urn:a',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer,
    validFrom: '2026-01-01T00:00:00Z',
    credentialSubject: {
      id: 'did:example:s1',
      type: ['AchievementSubject'],
      achievement: { id: 'https://example.edu/a/1', type: ['Achievement'], name: 'A', criteria: { narrative: 'n' }, description: 'd' },
    },
    ...extra,
  };
}

/** Named subjects: (urn:a, <urn:b\0urn:c>, "x") and (<urn:a\0urn:b>, <urn:c>, "x"). */
const namedCollision = (issuer: string): Json =>
  credential(issuer, { 'urn:b\u0000urn:c': 'x', 'urn:link': { id: 'urn:a\u0000urn:b', 'urn:c': 'x' } });

/**
 * A blank node whose properties share node-map entries (term beside its IRI), so it de-duplicates per node:
 * (<urn:x>, "q\0s\0y") and (<urn:x\0s\0q>, "y") gave the same predicate-and-value key.
 */
const blankCollision = (issuer: string): Json =>
  credential(issuer, {
    credentialSubject: {
      id: 'did:example:s1',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://example.edu/a/1',
        type: ['Achievement'],
        name: 'A',
        description: 'd',
        criteria: { narrative: 'n', [NARRATIVE]: 'm', 'urn:x': 'q\u0000s\u0000y', 'urn:x\u0000s\u0000q': 'y' },
      },
    },
  });

const lines = (nquads: string): string[] => nquads.split('\n').filter((l) => l !== '');

describe('fast canonicalizer: identity and de-duplication keys', () => {
  it('keeps both quads when a U+0000 moves the boundary between subject and predicate (named nodes)', async () => {
    const doc = namedCollision('did:example:issuer');
    const s = await stock.canonize(structuredClone(doc), OPTIONS);
    const canonizer = createFastCanonizer();
    const f = await canonizer.canonize(structuredClone(doc), OPTIONS);
    // The two colliding quads, as stock prints them.
    expect(s).toContain('<urn:a> <urn:b\\u0000urn:c> "x" .\n');
    expect(s).toContain('<urn:a\\u0000urn:b> <urn:c> "x" .\n');
    expect(f).toBe(s);
    expect(lines(f).length).toBe(lines(s).length);
    // Answered by the fast path itself, not by a fallback.
    expect(canonizer.metrics().fast).toBe(1);
  });

  it('the reported repro: stock gives 4 quads, and so does the fast path', async () => {
    const doc = { '@context': [VC_V2, OB_303], id: 'urn:a', type: 'VerifiableCredential', 'urn:b\u0000urn:c': 'x', 'urn:link': { id: 'urn:a\u0000urn:b', 'urn:c': 'x' } };
    const s = await stock.canonize(structuredClone(doc), OPTIONS);
    const f = await createFastCanonizer().canonize(structuredClone(doc), OPTIONS);
    expect(lines(s)).toHaveLength(4);
    expect(lines(f)).toEqual(lines(s));
  });

  it('keeps both quads when a U+0000 moves the boundary between predicate and value (blank node)', async () => {
    const doc = blankCollision('did:example:issuer');
    const s = await stock.canonize(structuredClone(doc), OPTIONS);
    const canonizer = createFastCanonizer();
    const f = await canonizer.canonize(structuredClone(doc), OPTIONS);
    expect(s).toContain('<urn:x> "q\\u0000s\\u0000y" .\n');
    expect(s).toContain('<urn:x\\u0000s\\u0000q> "y" .\n');
    expect(f).toBe(s);
    expect(canonizer.metrics().fast + canonizer.metrics().collisions).toBe(1);
  });

  it('end to end: a claim added after signing is a failed proof in the default verifier', async () => {
    const keys = await loadKeySet(EXAMPLE_KEYS_DIR);
    const cases: [string, Json, (signed: Json) => void][] = [
      ['named', namedCollision(keys.controller), (c) => {
        (c['urn:link'] as Json)['urn:c'] = 'x';
      }],
      ['blank', blankCollision(keys.controller), (c) => {
        // Sign without the second claim, add it afterwards.
        const criteria = ((c.credentialSubject as Json).achievement as Json).criteria as Json;
        criteria['urn:x\u0000s\u0000q'] = 'y';
      }],
    ];
    for (const [name, unsigned, tamper] of cases) {
      if (name === 'named') delete (unsigned['urn:link'] as Json)['urn:c'];
      else delete (((unsigned.credentialSubject as Json).achievement as Json).criteria as Json)['urn:x\u0000s\u0000q'];
      const signed = (await issueCredential(unsigned, { format: 'di', keys })) as Json;
      const ok = await verify(signed);
      expect(ok.checks.find((c) => c.id === 'proof')?.status, `${name}: the signed credential verifies`).toBe('pass');
      const tampered = structuredClone(signed);
      tamper(tampered);
      const report = await verify(tampered);
      expect(report.checks.find((c) => c.id === 'proof')?.status, `${name}: the added claim breaks the proof`).toBe('fail');
      expect(report.verified).toBe(false);
    }
  });

  it('compiled top-level context states are keyed by the exact URL list', () => {
    const lists = [['a\nb'], ['a', 'b'], ['a\u0000b'], ['ab'], ['a', '', 'b'], ['1:a'], ['a1:b'], ['a', '1:b'], []];
    const keys = new Set(lists.map(contextListKey));
    expect(keys.size).toBe(lists.length);
  });

  it('the verifier cache never answers for a method whose JSON text hides a different key', async () => {
    const multikey = (publicKey: ReturnType<typeof createPublicKey>) => {
      const fp = ed25519PublicKeyMultibase(Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'));
      return { '@context': 'https://w3id.org/security/multikey/v1', id: `did:key:${fp}#${fp}`, type: 'Multikey', controller: `did:key:${fp}`, publicKeyMultibase: fp };
    };
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const vmA = multikey(a.publicKey);
    const data = new Uint8Array([1, 2, 3]);
    const signatureA = sign(null, data, a.privateKey);
    const cache = createVerifierCache();
    expect(await (await cache.createVerifier({ verificationMethod: vmA })).verify({ data, signature: signatureA })).toBe(true);
    // Same JSON text as vmA (toJSON, a getter, an undefined member), other key material.
    const vmB = multikey(b.publicKey);
    const disguised: object[] = [
      { ...vmB, toJSON: () => vmA },
      Object.defineProperty({ ...vmA }, 'publicKeyMultibase', { enumerable: true, get: (() => { let n = 0; return () => (n++ === 0 ? vmA.publicKeyMultibase : vmB.publicKeyMultibase); })() }),
    ];
    for (const vm of disguised) {
      const before = cache.stats();
      const verifier = await cache.createVerifier({ verificationMethod: vm }).catch(() => undefined);
      expect(cache.stats().hits).toBe(before.hits);
      if (verifier) expect(await verifier.verify({ data, signature: signatureA })).toBe(false);
    }
    // Plain data is still cached.
    await cache.createVerifier({ verificationMethod: structuredClone(vmA) });
    expect(cache.stats().hits).toBe(1);
  });
});
