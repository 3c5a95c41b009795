/**
 * Verifier cache for eddsa-rdfc-2022 (`createVerifier` of the cryptosuite).
 *
 * Entries are keyed by the verification method's full content (its JSON text, used only when the method is plain
 * JSON data, where that text is an injective encoding; anything else is never cached), so a hit can only return a
 * verifier for the very key material the proof names; did:key methods never expire (the key is the identifier), others expire after a
 * TTL (their controller documents can rotate; the entry is only memory hygiene, correctness does not depend on it).
 * A miss goes through the stock `createVerifier` first, so malformed methods fail with the stock error; for a
 * well-formed Ed25519 `Multikey` the cached verifier holds a public KeyObject instead of re-importing DER on
 * every verification.
 */
import { ed25519PublicKeyFromMultibase } from '../../lib/multibase.js';
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { stock } from '../../lib/fast-rdfc/internals.js';

export interface Verifier {
  id?: string;
  algorithm: string;
  verify(input: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
}

export interface VerifierCacheOptions {
  /** Lifetime of non-did:key entries, ms (default 5 minutes). */
  ttlMs?: number;
  /** Entry limit; the oldest entry goes first (default 1000). */
  maxEntries?: number;
  /** Clock (tests). */
  now?: () => number;
}

export interface VerifierCache {
  createVerifier(options: { verificationMethod: unknown }): Promise<Verifier>;
  stats(): { hits: number; misses: number; size: number };
}


const MAX_DEPTH = 32;

/**
 * Is `v` plain JSON data: null, booleans, strings, finite numbers other than -0, dense arrays and plain objects of
 * own enumerable data properties, nested at most `MAX_DEPTH` deep? On such values `JSON.stringify` loses nothing,
 * so two different methods never share a cache key (it would drop `undefined`, functions and symbols, turn NaN
 * into null and -0 into 0, and call getters and `toJSON`).
 */
function isJsonData(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object' || depth >= MAX_DEPTH) return false;
  if (Object.getOwnPropertySymbols(v).length > 0) return false;
  const names = Object.getOwnPropertyNames(v);
  if (Array.isArray(v)) {
    // Own names of a dense array without extra members: its indices and 'length'.
    if (names.length !== v.length + 1) return false;
    for (let i = 0; i < v.length; i++) if (!Object.hasOwn(v, i) || !isJsonData(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const name of names) {
    const d = Object.getOwnPropertyDescriptor(v, name);
    if (d === undefined || !d.enumerable || !('value' in d) || !isJsonData(d.value, depth + 1)) return false;
  }
  return true;
}

/** The cache key of a verification method, or undefined when it must not be cached. */
function cacheKey(verificationMethod: unknown): string | undefined {
  return isJsonData(verificationMethod) ? JSON.stringify(verificationMethod) : undefined;
}

function ed25519KeyObject(vm: Record<string, unknown>): KeyObject | undefined {
  const mb = vm.publicKeyMultibase;
  if (vm.type !== 'Multikey' || typeof mb !== 'string' || !mb.startsWith('z')) return undefined;
  let raw: Uint8Array;
  try {
    raw = ed25519PublicKeyFromMultibase(mb);
  } catch {
    return undefined;
  }
  const x = Buffer.from(raw).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/**
 * Creates a verifier cache.
 *
 * @example
 * ```ts
 * const cache = createVerifierCache({ ttlMs: 60_000 });
 * const suite = { ...cryptosuite, createVerifier: cache.createVerifier };
 * ```
 */
export function createVerifierCache(options: VerifierCacheOptions = {}): VerifierCache {
  const ttl = options.ttlMs ?? 5 * 60_000;
  const max = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { verifier: Verifier; expires: number }>();
  let hits = 0;
  let misses = 0;
  return {
    stats: () => ({ hits, misses, size: entries.size }),
    async createVerifier({ verificationMethod }) {
      const key = cacheKey(verificationMethod);
      if (key !== undefined) {
        const e = entries.get(key);
        if (e && e.expires > now()) {
          hits++;
          return e.verifier;
        }
        if (e) entries.delete(key);
      }
      misses++;
      // Stock first: same validation, same errors.
      const stockVerifier = (await stock.createVerifier({ verificationMethod })) as Verifier;
      let verifier: Verifier = stockVerifier;
      if (stockVerifier.algorithm === 'Ed25519' && verificationMethod && typeof verificationMethod === 'object') {
        let keyObject: KeyObject | undefined;
        try {
          keyObject = ed25519KeyObject(verificationMethod as Record<string, unknown>);
        } catch {
          keyObject = undefined;
        }
        if (keyObject) {
          const ko = keyObject;
          verifier = {
            id: stockVerifier.id,
            algorithm: 'Ed25519',
            verify: async ({ data, signature }) => cryptoVerify(null, data, ko, signature),
          };
        }
      }
      if (key !== undefined) {
        const id = (verificationMethod as { id?: unknown } | null)?.id;
        const forever = typeof id === 'string' && id.startsWith('did:key:');
        entries.set(key, { verifier, expires: forever ? Number.POSITIVE_INFINITY : now() + ttl });
        while (entries.size > max) {
          const oldest = entries.keys().next().value as string;
          entries.delete(oldest);
        }
      }
      return verifier;
    },
  };
}
