/**
 * The context check's safe-mode expansion (JWT credentials) is remembered per document shape. These tests check the
 * shape key keeps everything that can change the verdict: a differential run over seeded random edits of a real
 * micro-credential compares every pair of documents that share a key, each verdict computed without the cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildCredential } from '../src/credential/annex1.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { checkContext, shapeKey } from '../src/verify/checks/context.js';
import type { VerifyContext } from '../src/verify/types.js';
import type { Check } from '../src/verify/verify.js';

const ISSUER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
let base: Record<string, any>;

beforeAll(() => {
  const read = (p: string) => JSON.parse(readFileSync(new URL(p, import.meta.url), 'utf8'));
  base = buildCredential(read('../keys.example/profile.json'), read('../examples/record.json'), {
    issuerId: ISSUER,
    id: 'urn:uuid:3f0c8a52-56a4-4c2e-9d0e-2b7c1f3a9e10',
    validFrom: '2025-06-01T00:00:00Z',
    salt: 'pepper',
  }) as unknown as Record<string, any>;
});

/** The context check as verify() runs it for a JWT; a fresh document loader means a fresh (empty) verdict cache. */
function contextCheck(credential: Record<string, unknown>, fresh: boolean): Promise<Check> {
  const documentLoader = createDocumentLoader();
  const ctx = {
    credential,
    format: 'jwt',
    vcVersion: 2,
    issuerId: ISSUER,
    issuerName: 'Example',
    now: new Date(),
    documentLoader,
    options: fresh ? { documentLoader } : {},
  } as unknown as VerifyContext;
  return checkContext(ctx);
}

describe('shapeKey', () => {
  it('ignores values that cannot change the verdict', () => {
    const other = structuredClone(base);
    other.id = 'urn:uuid:00000000-0000-4000-8000-000000000000';
    other.name = 'Another course';
    other.validFrom = '2030-01-01T00:00:00Z';
    other.credentialSubject.achievement.alignment.push(structuredClone(other.credentialSubject.achievement.alignment[0]));
    other.credentialSubject.achievement.alignment[0].targetName = 'Something else';
    expect(shapeKey(other)).toBe(shapeKey(base));
  });

  it.each<[string, (c: any) => void]>([
    ['a new property', (c) => (c.credentialSubject.favouriteColour = 'blue')],
    ['a renamed property', (c) => { c.credentialSubject.achievement.fieldOfStuddy = c.credentialSubject.achievement.fieldOfStudy; delete c.credentialSubject.achievement.fieldOfStudy; }],
    ['a type value', (c) => (c.credentialSubject.achievement.type = ['Achievment'])],
    ['a relative id', (c) => (c.id = 'credential-1')],
    ['a keyword-like value', (c) => (c.name = '@type')],
    ['a value of another JSON type', (c) => (c.name = 5)],
    ['a context', (c) => c['@context'].pop()],
  ])('changes with %s', (_what, edit) => {
    const other = structuredClone(base);
    edit(other);
    expect(shapeKey(other)).not.toBe(shapeKey(base));
  });

  it('gives no key to a document with an inline context (it may alias other keywords)', () => {
    expect(shapeKey({ ...base, '@context': [...base['@context'], { myId: '@id' }] })).toBeUndefined();
  });
});

describe('the remembered verdict', () => {
  it('a cached clean verdict does not hide an undefined property of a later credential', async () => {
    expect((await contextCheck(base, false)).status).toBe('pass');
    const other = structuredClone(base);
    other.credentialSubject.favouriteColour = 'blue';
    const check = await contextCheck(other, false);
    expect(check.status).toBe('warning');
    expect(check.message).toContain('"favouriteColour"');
    // And the base shape is still clean.
    expect((await contextCheck(structuredClone(base), false)).status).toBe('pass');
  });

  it('equals the uncached verdict for every pair of seeded random edits that share a key', async () => {
    const random = mulberry32(20261123);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const VALUES = ['Other words', 'x', '', 'relative/ref', 'urn:uuid:6f1d0d8c-1d3b-4b8e-9d55-2f6b2c3a4e5f', 'https://example.org/a',
      'http://bad iri', 'ext:Thing', '@id', '@foo', 7, true, null, {}, []] as const;
    // Each random edit is made twice with independently drawn values: same-class draws share a key, others must not.
    const docs: Record<string, unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const leaves = leafPaths(base).filter((p) => p[0] !== '@context');
      const path = pick(leaves);
      const last = path[path.length - 1] as string | number;
      const kind = random();
      const extraKey = pick(['extra', 'type', 'id', '@id', 'achievementType']);
      for (const value of [pick(VALUES), pick(VALUES)]) {
        const doc = structuredClone(base);
        const parent = path.slice(0, -1).reduce((o: any, k) => o[k], doc);
        if (kind < 0.6) parent[last] = structuredClone(value);
        else if (kind < 0.75 && typeof last === 'string') {
          parent[`${last}${typeof value === 'string' && value ? 'X' : 'Typo'}`] = parent[last];
          delete parent[last];
        } else parent[extraKey] = structuredClone(value);
        docs.push(doc);
      }
    }
    const groups = new Map<string, { verdict: string; index: number }[]>();
    let warnings = 0;
    for (const [index, doc] of docs.entries()) {
      const check = await contextCheck(doc, true);
      if (check.status === 'warning') warnings++;
      const key = shapeKey(doc) ?? `inline-${index}`;
      groups.set(key, [...(groups.get(key) ?? []), { verdict: `${check.status}: ${check.message}`, index }]);
    }
    // The run must exercise both verdicts and real key sharing, or it proves nothing.
    expect(warnings).toBeGreaterThan(5);
    expect(docs.length - warnings).toBeGreaterThan(5);
    expect([...groups.values()].filter((g) => g.length > 1).length).toBeGreaterThan(5);
    for (const group of groups.values()) {
      for (const member of group) expect(member.verdict, `edit #${member.index}`).toBe(group[0]!.verdict);
    }
    // Through the cache, each document gets the uncached verdict too.
    for (const [index, doc] of docs.entries()) {
      const cached = await contextCheck(doc, false);
      const key = shapeKey(doc) ?? `inline-${index}`;
      expect(`${cached.status}: ${cached.message}`, `edit #${index}`).toBe(groups.get(key)![0]!.verdict);
    }
  });
});

function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}

/** Small seeded PRNG so the run is the same every time. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
