/**
 * The record hash: credentials store `sha256(canonicalJson(record))` and a record sent again is recognised by it,
 * so canonicalJson must keep writing exactly the bytes it wrote when those credentials were stored.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/service/issuance.js';

/** The first implementation, kept verbatim as the reference for the bytes already stored. */
function firstCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(firstCanonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${firstCanonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A small deterministic generator (xorshift), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const KEYS = ['a', 'B', 'b', 'é', 'ä', '😀', '\u0000', '"q"', 'a\\b', '10', '9', '', 'recordId', 'Zeta', 'zeta', '__proto_'];

function value(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 3 || r < 0.35) {
    const leaves = [null, true, false, 0, -1.5, 1e21, 'text', 'line\nbreak', 'ünïcode 😀', '', undefined];
    return leaves[Math.floor(next() * leaves.length)];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--) o[KEYS[Math.floor(next() * KEYS.length)] as string] = value(next, depth + 1);
  return o;
}

describe('canonicalJson (the record hash input)', () => {
  it('writes the bytes the first implementation wrote, for the example record and 2,000 generated values', () => {
    const record = JSON.parse(readFileSync(new URL('../examples/record.json', import.meta.url), 'utf8')) as unknown;
    expect(canonicalJson(record)).toBe(firstCanonicalJson(record));
    for (let seed = 1; seed <= 2000; seed++) {
      const v = value(random(seed), 0);
      expect(canonicalJson(v), `seed ${seed}`).toBe(firstCanonicalJson(v));
    }
  });

  it('sorts keys by UTF-16 code units and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null], c: undefined, B: 'x' })).toBe('{"B":"x","a":[true,null],"b":1}');
    expect(canonicalJson({ '😀': 1, '\uffff': 2 })).toBe('{"😀":1,"\uffff":2}');
    expect(canonicalJson([undefined, 1])).toBe('[,1]');
  });
});
