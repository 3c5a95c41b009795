/**
 * Differential gate for the fast eddsa-rdfc-2022 path: for every credential of a seeded varied OB 3.0 corpus and
 * an edge-case list, the fast cryptosuite must give the same canonical N-Quads, the same proofValue and the same
 * signed JSON as stock @digitalbazaar/vc + jsonld.js + rdf-canonize at a fixed `created`, or the same error.
 * Stock-signed credentials must verify through the fast suite; tampered ones must be rejected.
 */
import { ed25519PublicKeyMultibase } from '../src/lib/multibase.js';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- untyped package
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof as DIP } from '@digitalbazaar/data-integrity';
import { createDocumentLoader, bundledContexts, type DocumentLoader } from '../src/lib/document-loader.js';
import { stock } from '../src/lib/fast-rdfc/internals.js';
import { createFastCanonizer } from '../src/lib/fast-rdfc/canonize.js';
import { defaultSelfTestVectors, runSelfTest, type SelfTestVectors } from '../src/lib/fast-rdfc/self-test.js';
import { createFastCryptosuite, type FastCryptosuite } from '../src/proof/fast/cryptosuite.js';
import { createKeyObjectSigner } from '../src/proof/fast/signer.js';
import { createVerifierCache } from '../src/proof/fast/verifier-cache.js';
import { generateCorpus, generateHostileCorpus, HOSTILE_CHARS, OB_303, rng, VC_V2 } from './bench/fast-corpus.js';

type Json = Record<string, unknown>;
const vc = vcLib as {
  issue(o: { credential: object; suite: unknown; documentLoader: DocumentLoader }): Promise<Json>;
  verifyCredential(o: { credential: object; suite: unknown; documentLoader: DocumentLoader; checkStatus?: () => Promise<unknown> }): Promise<{ verified: boolean; error?: unknown }>;
};
const DataIntegrityProof = DIP as new (o: { signer?: unknown; date?: string; cryptosuite: unknown }) => unknown;

const CORPUS_SIZE = 520;
/** Mutated credentials in the fuzz case (FAST_FUZZ_N / FAST_FUZZ_SEED run a longer search locally). */
const FUZZ_N = Number(process.env.FAST_FUZZ_N ?? 300);
/** Attacker-shaped credentials (FAST_HOSTILE_N / FAST_HOSTILE_SEED run a longer search locally). */
const HOSTILE_N = Number(process.env.FAST_HOSTILE_N ?? 300);
// Status is not what this suite checks: accept any credentialStatus entry.
const checkStatus = async () => ({ verified: true });
const CREATED = '2026-02-01T12:00:00Z';

/** A fixed-seed Ed25519 did:key issuer with an in-memory resolver. */
function testIssuer(seedByte: number): { did: string; vmId: string; privateKey: KeyObject; loader: DocumentLoader } {
  const seed = Buffer.alloc(32, seedByte);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const pub = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x as string, 'base64url');
  const fp = ed25519PublicKeyMultibase(pub);
  const did = `did:key:${fp}`;
  const vmId = `${did}#${fp}`;
  const vm = { id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: fp };
  const didDoc = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [vm],
    assertionMethod: [vmId],
    authentication: [vmId],
  };
  const loader = createDocumentLoader({
    resolve: async (url) => (url === did ? didDoc : url === vmId ? { '@context': 'https://w3id.org/security/multikey/v1', ...vm } : undefined),
  });
  return { did, vmId, privateKey, loader };
}

/** Wraps a cryptosuite so every canonical N-Quads output is recorded. */
function recording(suite: { canonize: (i: unknown, o: Json) => Promise<string> } & Json, out: string[]) {
  return {
    ...suite,
    canonize: async (input: unknown, options: Json) => {
      const r = await suite.canonize(input, options);
      out.push(r);
      return r;
    },
  };
}

type Outcome = { ok: true; signed: Json; nquads: string[] } | { ok: false; error: string };

async function issueWith(cryptosuite: Json, credential: Json, signer: unknown, loader: DocumentLoader): Promise<Outcome> {
  const nquads: string[] = [];
  const suite = new DataIntegrityProof({ signer, date: CREATED, cryptosuite: recording(cryptosuite as never, nquads) });
  try {
    const signed = await vc.issue({ credential: structuredClone(credential), suite, documentLoader: loader });
    return { ok: true, signed, nquads: nquads.sort() };
  } catch (e) {
    return { ok: false, error: String((e as Error)?.message ?? e) };
  }
}

async function canonizeOutcome(canonize: (i: unknown, o: Json) => Promise<string>, input: unknown, loader: DocumentLoader): Promise<string> {
  try {
    return 'OK ' + (await canonize(structuredClone(input), { documentLoader: loader, base: null, safe: true }));
  } catch (e) {
    return 'ERROR ' + String((e as Error)?.message ?? e);
  }
}

/** The lines only one side has (what a mismatch report needs; whole outputs are too long to read). */
function difference(stockOut: string, fastOut: string): string {
  const a = stockOut.split('\n');
  const b = fastOut.split('\n');
  const onlyStock = a.filter((l) => !b.includes(l));
  const onlyFast = b.filter((l) => !a.includes(l));
  if (onlyStock.length === 0 && onlyFast.length === 0) return `same lines, different order or count (${a.length} / ${b.length})`;
  return `only stock: ${JSON.stringify(onlyStock.slice(0, 3))}; only fast: ${JSON.stringify(onlyFast.slice(0, 3))}`;
}

function tamper(signed: Json): Json {
  const t = structuredClone(signed) as { credentialSubject: { achievement: { name: string } } };
  t.credentialSubject.achievement.name += ' (edited)';
  return t as unknown as Json;
}

describe('fast eddsa-rdfc-2022 differential', () => {
  const issuer = testIssuer(7);
  const signer = createKeyObjectSigner({ id: issuer.vmId, privateKey: issuer.privateKey });
  let fast: FastCryptosuite;
  const corpus = generateCorpus(2026, CORPUS_SIZE, { issuerDid: issuer.did });
  const stockSigned: Json[] = [];

  beforeAll(async () => {
    fast = createFastCryptosuite({ onWarning: (m) => { throw new Error(m); } });
    const st = await fast.ready;
    expect(st?.ok).toBe(true);
  });

  // CPU-bound (every credential signed twice): 8 s alone, over 30 s beside the integration files on a loaded 2-core machine.
  it(`issues ${CORPUS_SIZE} varied credentials byte-identically to stock (N-Quads, proofValue, signed JSON) or with the same error`, { timeout: 120_000 }, async () => {
    const before = fast.metrics();
    let identical = 0;
    let sameError = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < corpus.length; i++) {
      const cred = corpus[i] as Json;
      const s = await issueWith(stock as unknown as Json, cred, signer, issuer.loader);
      const f = await issueWith(fast as unknown as Json, cred, signer, issuer.loader);
      if (s.ok && f.ok) {
        if (JSON.stringify(s.signed) === JSON.stringify(f.signed) && isDeepStrictEqual(s.nquads, f.nquads)) {
          identical++;
          stockSigned.push(s.signed);
        } else mismatches.push(`#${i}: output differs`);
      } else if (!s.ok && !f.ok && s.error === f.error) sameError++;
      else mismatches.push(`#${i}: stock ${s.ok ? 'ok' : s.error} / fast ${f.ok ? 'ok' : f.error}`);
    }
    expect(mismatches).toEqual([]);
    // The corpus must exercise both outcomes, and stay mostly issuable.
    expect(identical).toBeGreaterThan(CORPUS_SIZE * 0.85);
    expect(sameError).toBeGreaterThan(0);
    const after = fast.metrics();
    // Every corpus credential is inside the compiled subset: no bail at all.
    expect(after.bails - before.bails).toBe(0);
    expect(after.fast - before.fast).toBeGreaterThan(CORPUS_SIZE);
  });

  it('verifies every stock-signed credential through the fast suite and rejects tampered ones', async () => {
    expect(stockSigned.length).toBeGreaterThan(0);
    const suite = new DataIntegrityProof({ cryptosuite: fast });
    const failures: string[] = [];
    for (const [i, signed] of stockSigned.entries()) {
      const ok = await vc.verifyCredential({ credential: signed, suite, documentLoader: issuer.loader, checkStatus });
      if (!ok.verified) failures.push(`#${i} not verified: ${String((ok.error as Error)?.message ?? JSON.stringify(ok.error))}`);
      const bad = await vc.verifyCredential({ credential: tamper(signed), suite, documentLoader: issuer.loader, checkStatus });
      if (bad.verified) failures.push(`#${i} tampered credential verified`);
    }
    expect(failures).toEqual([]);
    expect(fast.metrics().verifierCache.hits).toBeGreaterThan(0);
  });

  it('gives the same N-Quads or the same error as stock on the edge-case list', async () => {
    const base = (extra: Json): Json => ({
      '@context': [VC_V2, OB_303],
      id: 'urn:uuid:8a4b8b0e-1111-4222-8333-944455556666',
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: issuer.did,
      validFrom: '2026-01-01T00:00:00Z',
      credentialSubject: { id: 'did:example:s1', type: ['AchievementSubject'], achievement: { id: 'https://example.edu/a/1', type: ['Achievement'], name: 'A', criteria: { narrative: 'n' }, description: 'd' } },
      ...extra,
    });
    const subject = (achievementExtra: Json, subjectExtra: Json = {}): Json => ({
      credentialSubject: { id: 'did:example:s1', type: ['AchievementSubject'], achievement: { id: 'https://example.edu/a/1', type: ['Achievement'], name: 'A', criteria: { narrative: 'n' }, description: 'd', ...achievementExtra }, ...subjectExtra },
    });
    const rd = (allowedValue: unknown): Json => subject({ resultDescription: [{ id: 'urn:uuid:rd-1', type: ['ResultDescription'], name: 'g', resultType: 'LetterGrade', allowedValue }] });
    const cases: [string, unknown][] = [
      ['minimal', base({})],
      ['unknown term (issuer-dependent @vocab or error)', base({ fooBar: 'x' })],
      ['unknown type', base({ type: ['VerifiableCredential', 'FooCredential'] })],
      ['relative id', base({ id: 'credentials/1' })],
      ['id with a space', base({ id: 'urn:uuid:1 2' })],
      ['numeric id', base({ id: 42 })],
      ['null id', base({ id: null })],
      ['empty id', base({ id: '' })],
      ['blank node id', base({ id: '_:b0' })],
      ['keyword-like id', base({ id: '@foo' })],
      ['@foo key', base({ '@foo': 'x' })],
      ['value object with language', base({ name: { '@value': 'Hallo', '@language': 'de' } })],
      ['value object with type', base({ name: { '@value': 'x', '@type': 'https://example.org/dt' } })],
      ['@json value', base({ name: { '@value': { a: 1 }, '@type': '@json' } })],
      ['embedded context', base({ issuer: { '@context': { foo: 'https://example.org/foo' }, id: issuer.did, type: 'Profile', foo: 'x' } })],
      ['inline top-level context', { ...base({}), '@context': [VC_V2, OB_303, { foo: 'https://example.org/foo' }], foo: 'bar' }],
      ['unknown context URL', { ...base({}), '@context': [VC_V2, 'https://example.org/unknown-context.json'] }],
      ['no @context', (() => { const c = base({}); delete c['@context']; return c; })()],
      ['nested arrays', base({ name: [['a', 'b']] })],
      ['list of lists', rd([['A'], ['B']])],
      ['empty list', rd([])],
      ['list with a repeated interior value (deep iterations)', rd(['A', 'B', 'B', 'C'])],
      ['list with repeated ends', rd(['A', 'B', 'A'])],
      ['list with nulls', rd(['A', null, 'B'])],
      ['@reverse', base({ '@reverse': { 'https://example.org/p': { id: 'https://example.org/x' } } })],
      ['absolute IRI key', base({ 'https://example.org/custom': 'x' })],
      ['compact-looking IRI key', base({ 'schema:foo': 'x' })],
      ['term and its IRI side by side', base({ name: 'N', 'https://schema.org/name': 'N' })],
      ['duplicate strings', base({ name: ['x', 'x', 'y'] })],
      ['blank node: term and its IRI side by side', subject({ criteria: { narrative: 'n', 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative': ['n', 'm'] } })],
      ['blank node: duplicate types and values', base({ evidence: [{ type: ['Evidence', 'Evidence'], genre: ['g', 'g', 'h'], name: 'e' }] })],
      ['named node described twice', base({ evidence: [{ id: 'https://e.org/ev', type: 'Evidence', name: 'e1' }, { id: 'https://e.org/ev', type: ['Evidence'], name: ['e1', 'e2'] }] })],
      ['plain and typed literal with one lexical form on one predicate', subject({ creditsAvailable: '4', 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsAvailable': ['4', '4.0', 4] })],
      ['number and numeric string under a datatype', subject({ creditsAvailable: [4, '4', 4.0] })],
      ['boolean coercion of a string', subject({}, { identifier: [{ type: 'IdentityObject', identityHash: 'a@b.c', identityType: 'emailAddress', hashed: 'true' }] })],
      ['numbers 1e21, 1e-7, -0, 2^53', subject({ creditsAvailable: [1e21, 1e-7, -0, 9007199254740992, 0.1] })],
      ['same node twice (self-issued)', base({ issuer: { id: 'did:example:s1', type: 'Profile', name: 'Self' } })],
      ['same named node with different properties', subject({ creator: { id: 'https://example.edu/p', type: 'Profile', name: 'P1' }, related: [{ id: 'https://example.edu/p', type: ['Related'], version: '2' }] })],
      ['identical sibling blank nodes', subject({ alignment: [{ type: 'Alignment', targetName: 'x', targetUrl: 'https://e.org/1' }, { type: 'Alignment', targetName: 'x', targetUrl: 'https://e.org/1' }] })],
      ['duplicate types and alias', base({ type: ['VerifiableCredential', 'OpenBadgeCredential', 'AchievementCredential', 'VerifiableCredential'] })],
      ['type and @type together', base({ '@type': 'VerifiableCredential' })],
      ['empty type array', base({ credentialSubject: { id: 'did:example:s1', type: [], achievement: 'https://example.edu/a/1' } })],
      ['type is a number', base({ type: 5 })],
      ['credentialSubject null', base({ credentialSubject: null })],
      ['credentialSubject array', base({ credentialSubject: [{ id: 'did:example:a', type: 'AchievementSubject' }, { id: 'did:example:b', type: 'AchievementSubject' }] })],
      ['empty object value', base({ evidence: [{}] })],
      ['subject reference only', base({ credentialSubject: { id: 'did:example:s1' } })],
      ['only @context and id (dropped top level)', { '@context': [VC_V2, OB_303], id: 'urn:uuid:x' }],
      ['IRI with <> and unicode', base({ id: 'https://例え.jp/α<β>{γ}' })],
      ['lone surrogate', base({ name: 'bad \ud800 surrogate' })],
      ['controls and separators', base({ name: '\u0000\u0001\b\t\n\f\r"\\\u007f\u2028\u2029' })],
      ['proof inside the document (@graph container)', base({ proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', verificationMethod: issuer.vmId, proofValue: 'z1' } })],
      ['top-level @graph', { '@context': [VC_V2], '@graph': [{ id: 'urn:x', type: 'VerifiableCredential' }] }],
      ['top-level array', [base({})]],
      ['data integrity context added', { ...base({}), '@context': [VC_V2, OB_303, 'https://w3id.org/security/data-integrity/v2'] }],
      ['OB 3.0.0 context', { ...base({}), '@context': [VC_V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context.json'] }],
      ['OB 3.0.1 context', { ...base({}), '@context': [VC_V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json'] }],
      ['OB 3.0.2 context', { ...base({}), '@context': [VC_V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json'] }],
      ['extensions context with 1EdTech schema type', { ...base({ credentialSchema: [{ id: 'https://example.org/s.json', type: '1EdTechJsonSchemaValidator2019' }] }), '@context': [VC_V2, OB_303, 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'] }],
      ['1EdTech schema type without extensions context', base({ credentialSchema: [{ id: 'https://example.org/s.json', type: '1EdTechJsonSchemaValidator2019' }] })],
      ['VC 1.1 credential', { '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context.json'], id: 'urn:uuid:v1', type: ['VerifiableCredential', 'OpenBadgeCredential'], issuer: { id: issuer.did, type: 'Profile', name: 'I' }, issuanceDate: '2023-01-01T00:00:00Z', credentialSubject: { type: 'AchievementSubject', achievement: { id: 'https://e.org/a', type: 'Achievement', name: 'A', criteria: { narrative: 'n' }, description: 'd' } } }],
      ['undefined value', base({ name: undefined })],
      ['Date object value', base({ name: new Date(0) })],
      ['proof config', { '@context': [VC_V2, OB_303], type: 'DataIntegrityProof', created: CREATED, verificationMethod: issuer.vmId, cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' }],
      ['proof config with unknown purpose', { '@context': [VC_V2], type: 'DataIntegrityProof', created: CREATED, verificationMethod: issuer.vmId, cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'fooPurpose' }],
    ];
    // Published examples, when the shared reference pack is present (extra coverage only).
    const examples = '/work/shared/standards/examples';
    if (existsSync(examples)) {
      for (const f of readdirSync(examples).filter((n) => n.endsWith('.json') || n.endsWith('.jsonld'))) {
        const doc = JSON.parse(readFileSync(path.join(examples, f), 'utf8')) as unknown;
        const docs = Array.isArray(doc) ? doc : [doc];
        for (const d of docs) {
          if (d && typeof d === 'object' && '@context' in (d as Json)) {
            const { proof: _p, ...unsigned } = d as Json;
            cases.push([`example ${f}`, unsigned]);
          }
        }
      }
    }
    const canonizer = createFastCanonizer();
    const mismatches: string[] = [];
    for (const [name, input] of cases) {
      const s = await canonizeOutcome(stock.canonize, input, issuer.loader);
      const f = await canonizeOutcome(canonizer.canonize, input, issuer.loader);
      if (s !== f) mismatches.push(`${name}:\n stock ${s.slice(0, 300)}\n fast  ${f.slice(0, 300)}`);
    }
    expect(mismatches).toEqual([]);
    const m = canonizer.metrics();
    // The list deliberately leaves the subset: bails must be counted.
    expect(m.bails).toBeGreaterThan(10);
    expect(m.fast).toBeGreaterThan(10);
  });

  it(`gives the same N-Quads or the same error as stock on ${FUZZ_N} randomly mutated credentials (fuzz)`, async () => {
    const r = rng(Number(process.env.FAST_FUZZ_SEED ?? 4242));
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const values: (() => unknown)[] = [
      () => null, () => [], () => ['x', 'x'], () => ({}), () => 42, () => 1.5, () => -0, () => 1e21, () => true, () => 'text',
      () => ['a', null], () => [['a']], () => ({ '@value': 'x' }), () => ({ id: 'relative/path' }), () => ({ type: 'FooType' }),
      () => ({ id: 'https://example.org/n', type: 'Profile', name: 'n' }), () => 'urn:uuid:1', () => '_:b1', () => ({ '@list': ['a'] }),
      () => ({ '@context': { x: 'https://example.org/x' }, x: 1 }), () => [1, '1', 1.0], () => 'ext:Thing',
      // Attacker strings: every hostile character in a literal, an IRI, an @id and a type.
      () => `v${pick(HOSTILE_CHARS)}w`, () => `urn:v${pick(HOSTILE_CHARS)}w`, () => ({ id: `urn:n${pick(HOSTILE_CHARS)}m`, 'urn:p': 'x' }),
      () => ({ id: `https://example.org/${pick(HOSTILE_CHARS)}`, type: `urn:T${pick(HOSTILE_CHARS)}` }),
      () => ({ name: 'n', 'https://schema.org/name': [`a${pick(HOSTILE_CHARS)}b`, 'a'] }),
    ];
    const keys = ['foo', 'https://example.org/p', '@id', 'id', 'type', '@type', 'name', '@context', '@list', 'allowedValue', 'achievement', 'targetUrl', 'creditsAvailable', 'hashed', 'image', 'result',
      ...HOSTILE_CHARS.map((c) => `urn:k${c}v`)];
    const objects = (v: unknown, out: Json[]): Json[] => {
      if (Array.isArray(v)) for (const x of v) objects(x, out);
      else if (v && typeof v === 'object') {
        out.push(v as Json);
        for (const x of Object.values(v)) objects(x, out);
      }
      return out;
    };
    const canonizer = createFastCanonizer();
    const mismatches: string[] = [];
    for (let i = 0; i < FUZZ_N; i++) {
      const doc = structuredClone(corpus[i % corpus.length]) as Json;
      for (let m = 0, n = 1 + Math.floor(r() * 3); m < n; m++) {
        const target = pick(objects(doc, []));
        const ks = Object.keys(target);
        const op = r();
        if (op < 0.45 && ks.length > 0) target[pick(ks)] = pick(values)();
        else if (op < 0.8) target[pick(keys)] = pick(values)();
        else if (ks.length > 0) delete target[pick(ks)];
      }
      const s = await canonizeOutcome(stock.canonize, doc, issuer.loader);
      const f = await canonizeOutcome(canonizer.canonize, doc, issuer.loader);
      if (s !== f) mismatches.push(`#${i} ${JSON.stringify(doc).slice(0, 200)}\n stock ${s.slice(0, 200)}\n fast  ${f.slice(0, 200)}`);
    }
    expect(mismatches).toEqual([]);
    const m = canonizer.metrics();
    expect(m.fast).toBeGreaterThan(30);
    expect(m.bails).toBeGreaterThan(30);
  }, 30_000 + FUZZ_N * 20);

  it(`gives the same N-Quads or the same error as stock on ${HOSTILE_N} credentials with control characters, lone surrogates and boundary-shifted claims`, async () => {
    const hostile = generateHostileCorpus(Number(process.env.FAST_HOSTILE_SEED ?? 77), HOSTILE_N, { issuerDid: issuer.did });
    const canonizer = createFastCanonizer();
    const mismatches: string[] = [];
    let ok = 0;
    for (const [i, doc] of hostile.entries()) {
      const s = await canonizeOutcome(stock.canonize, doc, issuer.loader);
      const f = await canonizeOutcome(canonizer.canonize, doc, issuer.loader);
      if (s.startsWith('OK ')) ok++;
      if (s !== f) mismatches.push(`#${i}: ${difference(s, f)}`);
    }
    expect(mismatches).toEqual([]);
    const m = canonizer.metrics();
    // Mostly canonicalizable, and answered by the fast path itself (not only by falling back).
    expect(ok).toBeGreaterThan(HOSTILE_N * 0.5);
    expect(m.fast + m.collisions).toBeGreaterThan(HOSTILE_N * 0.4);
  }, 30_000 + HOSTILE_N * 20);

  it('falls back to stock when the caller serves a pinned URL with different content', async () => {
    const modified = structuredClone(bundledContexts().get(OB_303)) as { '@context': Json };
    (modified['@context'] as Json).name = 'https://example.org/not-schema-name';
    const base = createDocumentLoader();
    const loader: DocumentLoader = async (url) => (url === OB_303 ? { contextUrl: null, documentUrl: url, document: modified } : base(url));
    const cred = corpus.find((c) => typeof c.name === 'string') as Json;
    const canonizer = createFastCanonizer();
    const s = await canonizeOutcome(stock.canonize, cred, loader);
    const f = await canonizeOutcome(canonizer.canonize, cred, loader);
    expect(f).toBe(s);
    expect(canonizer.metrics().bailReasons['context not served as pinned']).toBe(1);
  });

  it('takes the fast path when the caller serves an equal copy of the pinned contexts', async () => {
    const copies = new Map([...bundledContexts()].map(([u, d]) => [u, structuredClone(d)]));
    const loader: DocumentLoader = async (url) => {
      const document = copies.get(url);
      if (document === undefined) return issuer.loader(url);
      return { contextUrl: null, documentUrl: url, document };
    };
    const canonizer = createFastCanonizer();
    const cred = corpus[1] as Json;
    expect(await canonizeOutcome(canonizer.canonize, cred, loader)).toBe(await canonizeOutcome(stock.canonize, cred, loader));
    expect(canonizer.metrics().bails).toBe(0);
    expect(canonizer.metrics().fast + canonizer.metrics().collisions).toBe(1);
  });

  it('sends non-default options straight to stock', async () => {
    const canonizer = createFastCanonizer();
    const cred = corpus[0] as Json;
    const opts = { documentLoader: issuer.loader, base: 'https://example.org/', safe: true };
    const f = await canonizer.canonize(structuredClone(cred), opts);
    expect(f).toBe(await stock.canonize(structuredClone(cred), opts));
    expect(canonizer.metrics().stockOptions).toBe(1);
  });
});

describe('lists with a repeated interior value (rdf-canonize "Maximum deep iterations exceeded")', () => {
  // Decision: keep rdf-canonize's default work factor (1), like every verifier on its defaults; such credentials
  // fail to issue with the stock error, and the record mapping must not produce such lists. A caller that opts
  // into a higher work factor gets stock-identical output for it (and its verifiers must opt in too).
  const issuer = testIssuer(9);
  const signer = createKeyObjectSigner({ id: issuer.vmId, privateKey: issuer.privateKey });
  const cred: Json = {
    '@context': [VC_V2, OB_303],
    id: 'urn:uuid:0f0f0f0f-1111-4222-8333-944455556666',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuer.did,
    validFrom: '2026-01-01T00:00:00Z',
    credentialSubject: {
      id: 'did:example:s1',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://example.edu/a/1', type: ['Achievement'], name: 'A', description: 'd', criteria: { narrative: 'n' },
        resultDescription: [{ id: 'urn:uuid:rd-1', type: ['ResultDescription'], name: 'grade', resultType: 'LetterGrade', allowedValue: ['A', 'B', 'B', 'C'] }],
      },
    },
  };
  const stock2 = { ...stock, canonize: (i: unknown, o: Json) => stock.canonize(i, { maxWorkFactor: 2, ...o }) };

  it('issue fails exactly like stock with the default work factor', async () => {
    const s = await issueWith(stock as unknown as Json, cred, signer, issuer.loader);
    const f = await issueWith(createFastCryptosuite() as unknown as Json, cred, signer, issuer.loader);
    expect(s.ok).toBe(false);
    expect(f).toEqual(s);
    expect(f.ok ? '' : f.error).toMatch(/Maximum deep iterations exceeded/);
  });

  it('with an explicit work factor of 2, issue is identical to stock and verify needs the same factor', async () => {
    const fast2 = createFastCryptosuite({ maxWorkFactor: 2 });
    const s = await issueWith(stock2 as unknown as Json, cred, signer, issuer.loader);
    const f = await issueWith(fast2 as unknown as Json, cred, signer, issuer.loader);
    expect(s.ok).toBe(true);
    expect(f).toEqual(s);
    const signed = (s as { signed: Json }).signed;
    const ok = await vc.verifyCredential({ credential: signed, suite: new DataIntegrityProof({ cryptosuite: fast2 }), documentLoader: issuer.loader });
    expect(ok.verified).toBe(true);
    for (const suite of [stock, createFastCryptosuite()]) {
      const r = await vc.verifyCredential({ credential: signed, suite: new DataIntegrityProof({ cryptosuite: suite }), documentLoader: issuer.loader });
      expect(r.verified).toBe(false);
      expect(JSON.stringify(r.error, Object.getOwnPropertyNames(r.error ?? {})) + String((r.error as Error)?.message)).toMatch(/Maximum deep iterations exceeded/);
    }
  });
});

describe('self-test and verifier cache', () => {
  it('the self-test fails (so the suite falls back) when canonical output differs', async () => {
    const good = createFastCanonizer();
    expect((await runSelfTest(good)).ok).toBe(true);
    const broken = { ...good, canonize: async (i: unknown, o: Json) => (await good.canonize(i, o)).replace('c14n0', 'c14n9') };
    const r = await runSelfTest(broken);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/differ/);
  });

  it('a healthy suite passes its self-test silently and serves the fast path', async () => {
    const warnings: string[] = [];
    const suite = createFastCryptosuite({ onWarning: (m) => warnings.push(m) });
    expect((await suite.ready)?.ok).toBe(true);
    expect(warnings).toEqual([]);
    expect(suite.metrics().fastPathEnabled).toBe(true);
  });

  it('a suite whose self-test fails warns and serves stock output', async () => {
    const issuer = testIssuer(12);
    const signer = createKeyObjectSigner({ id: issuer.vmId, privateKey: issuer.privateKey });
    const recorded = defaultSelfTestVectors();
    // What a changed jsonld.js or rdf-canonize would look like: the fast output no longer hashes to the recorded
    // stock answer; and a known credential that leaves the compiled subset.
    const failing: [SelfTestVectors, RegExp][] = [
      [{ ...recorded, credentialHash: '0'.repeat(64) }, /differ from the recorded stock output/],
      [{ ...recorded, credential: { ...recorded.credential, name: { '@value': 'x', '@language': 'en' } } }, /did not take the fast path/],
    ];
    for (const [vectors, reason] of failing) {
      const warnings: string[] = [];
      const suite = createFastCryptosuite({ selfTestVectors: vectors, onWarning: (m) => warnings.push(m) });
      const result = await suite.ready;
      expect(result?.ok).toBe(false);
      expect(result?.reason).toMatch(reason);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/fast eddsa-rdfc-2022 disabled, using the stock canonicalizer/);
      expect(warnings[0]).toMatch(reason);
      expect(suite.metrics().fastPathEnabled).toBe(false);
      const before = suite.metrics();
      // Canonical N-Quads, proofs and errors are stock's, and none of them comes from the fast path.
      for (const cred of [...generateCorpus(2026, 2, { issuerDid: issuer.did }), recorded.credential]) {
        expect(await canonizeOutcome(suite.canonize, cred, issuer.loader)).toBe(await canonizeOutcome(stock.canonize, cred, issuer.loader));
        const f = await issueWith(suite as unknown as Json, cred, signer, issuer.loader);
        const s = await issueWith(stock as unknown as Json, cred, signer, issuer.loader);
        expect(f).toEqual(s);
      }
      const after = suite.metrics();
      expect(after.fast).toBe(before.fast);
      expect(after.collisions + after.bails + after.stockOptions).toBe(before.collisions + before.bails + before.stockOptions);
    }
  });

  it('caches did:key verifiers forever and others for the TTL; malformed methods fail like stock', async () => {
    let t = 0;
    const cache = createVerifierCache({ ttlMs: 1000, now: () => t });
    const issuer = testIssuer(11);
    const fp = issuer.did.slice('did:key:'.length);
    const vmKey = { '@context': 'https://w3id.org/security/multikey/v1', id: issuer.vmId, type: 'Multikey', controller: issuer.did, publicKeyMultibase: fp };
    const vmWeb = { ...vmKey, id: 'did:web:example.edu#key-1', controller: 'did:web:example.edu' };
    await cache.createVerifier({ verificationMethod: vmKey });
    await cache.createVerifier({ verificationMethod: vmWeb });
    t = 5000;
    await cache.createVerifier({ verificationMethod: vmKey });
    await cache.createVerifier({ verificationMethod: vmWeb });
    expect(cache.stats()).toEqual({ hits: 1, misses: 3, size: 2 });
    const v = await cache.createVerifier({ verificationMethod: vmKey });
    const data = new Uint8Array([1, 2, 3]);
    const { sign } = await import('node:crypto');
    const sig = sign(null, data, issuer.privateKey);
    expect(await v.verify({ data, signature: sig })).toBe(true);
    expect(await v.verify({ data: new Uint8Array([1, 2, 4]), signature: sig })).toBe(false);
    const bad = { ...vmKey, type: 'Foo' };
    const stockErr = await stock.createVerifier({ verificationMethod: bad }).then(() => 'ok', (e: Error) => e.message);
    const fastErr = await cache.createVerifier({ verificationMethod: bad }).then(() => 'ok', (e: Error) => e.message);
    expect(fastErr).toBe(stockErr);
  });
});
