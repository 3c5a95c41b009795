/**
 * Resolution of issuer identifiers to controller documents, and dereferencing of verification method URLs.
 * - `did:key`: offline (`didKeyDocument`);
 * - `did:web`: `did:web:example.com` -> https://example.com/.well-known/did.json,
 *   `did:web:example.com:issuers:1` -> https://example.com/issuers/1/did.json, `%3A` encodes a port;
 * - an https URL: the controller document at that URL (OB 3.0 requires verifiers to support HTTP key references).
 * Everything fetched goes through the guarded fetch. A fetched document must name itself with the id that was asked
 * for, so a server cannot pass off another issuer's document.
 */
import { MicrocredError } from '../errors.js';
import { createGuardedFetch, fetchedJson, type FetchedDocument, type GuardedFetch } from '../lib/guarded-fetch.js';
import type { DocumentResolver } from '../lib/document-loader.js';
import { didKeyDocument, MULTIKEY_CONTEXT, type VerificationMethod } from './key.js';
import { didWebUrl } from './web-url.js';

export { didWebUrl } from './web-url.js';

export type { VerificationMethod } from './key.js';

/** `(url) => document | undefined`: the same shape as `DocumentResolver`, so tests can pass a map lookup. */
export type DidResolver = DocumentResolver;

export interface DidResolverOptions {
  /** The guarded fetch to use for did:web and https documents. Default: `createGuardedFetch()`. */
  fetch?: GuardedFetch;
  /** Keep resolved documents this long (ms). Default 5 minutes; 0 disables the cache. */
  cacheTtlMs?: number;
}

const DID_ACCEPT = 'application/did+json, application/did+ld+json, application/ld+json;q=0.9, application/json;q=0.8';

/**
 * Parsed documents by the very bytes they were parsed from: a fetch that hands out the same body again (the
 * service's own documents when unchanged, a caching fetch) is not parsed again. The checks below run every time.
 * Documents are shared read-only, as the resolver's cache already shares them.
 */
const parsedBodies = new WeakMap<Uint8Array, unknown>();

function parsedJson(fetched: FetchedDocument): unknown {
  if (parsedBodies.has(fetched.body)) return parsedBodies.get(fetched.body);
  const doc = fetchedJson(fetched);
  parsedBodies.set(fetched.body, doc);
  return doc;
}

/**
 * A resolver for did:key, did:web and https controller documents. Given a URL without fragment it returns the
 * document; given a URL with a fragment it returns the verification method (with a `@context` suitable for the
 * Digital Bazaar suites). Returns `undefined` for identifiers it does not handle (e.g. `did:example`), and throws
 * `DID_RESOLUTION_FAILED` / `FETCH_FAILED` / `FETCH_BLOCKED` when a document cannot be obtained.
 *
 * @example
 * ```ts
 * const resolve = createDidResolver({ fetch: createGuardedFetch({ timeoutMs: 5000 }) });
 * const doc = await resolve('did:web:issuer.example');
 * const vm = await resolve('did:web:issuer.example#key-1');
 * ```
 */
export function createDidResolver(options: DidResolverOptions = {}): DidResolver {
  const fetchDoc = options.fetch ?? createGuardedFetch();
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const cache = new Map<string, { expires: number; value: Promise<Record<string, unknown> | undefined> }>();

  async function load(id: string): Promise<Record<string, unknown> | undefined> {
    if (id.startsWith('did:key:')) return didKeyDocument(id) as unknown as Record<string, unknown>;
    let url: string;
    if (id.startsWith('did:web:')) url = didWebUrl(id);
    else if (id.startsWith('https://') || id.startsWith('http://')) url = id;
    else return undefined;
    const doc = parsedJson(await fetchDoc(url, { accept: DID_ACCEPT }));
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new MicrocredError('DID_RESOLUTION_FAILED', `The document at ${url} for ${id} is not a JSON object.`, { id, url });
    }
    const found = (doc as { id?: unknown }).id;
    if (found !== id) {
      throw new MicrocredError(
        'DID_RESOLUTION_FAILED',
        `The document at ${url} names itself ${JSON.stringify(found)}, not ${JSON.stringify(id)}, so it cannot describe ${id}.`,
        { id, url, found },
      );
    }
    return doc as Record<string, unknown>;
  }

  function cached(id: string): Promise<Record<string, unknown> | undefined> {
    if (ttl <= 0) return load(id);
    const now = Date.now();
    const hit = cache.get(id);
    if (hit && hit.expires > now) return hit.value;
    const value = load(id);
    cache.set(id, { expires: now + ttl, value });
    // Failures are not cached: the next verification tries again.
    value.catch(() => cache.delete(id));
    return value;
  }

  return async (url: string) => {
    const hash = url.indexOf('#');
    if (hash < 0) return cached(url);
    const doc = await cached(url.slice(0, hash));
    if (!doc) return undefined;
    const vm = findVerificationMethod(doc, url);
    return vm ? withKeyContext(vm) : undefined;
  };
}

/** A verification method with the context the Digital Bazaar key libraries insist on. */
export function withKeyContext(vm: VerificationMethod): VerificationMethod {
  if (vm.type === 'Multikey') return { '@context': MULTIKEY_CONTEXT, ...vm };
  if (vm.type === 'Ed25519VerificationKey2020') return { '@context': 'https://w3id.org/security/suites/ed25519-2020/v1', ...vm };
  return { ...vm };
}

function absolute(ref: string, base: string): string {
  if (ref.startsWith('#')) return base.split('#')[0] + ref;
  return ref;
}

/**
 * The verification method `vmId` inside a controller document (listed under `verificationMethod` or embedded in a
 * verification relationship), with relative ids (`#key-1`) made absolute and `controller` defaulting to the document.
 */
export function findVerificationMethod(doc: Record<string, unknown>, vmId: string): VerificationMethod | undefined {
  const base = String(doc.id ?? vmId.split('#')[0]);
  const candidates: unknown[] = [];
  for (const field of ['verificationMethod', 'assertionMethod', 'authentication', 'publicKey']) {
    const v = doc[field];
    if (Array.isArray(v)) candidates.push(...v);
    else if (v && typeof v === 'object') candidates.push(v);
  }
  for (const c of candidates) {
    if (!c || typeof c !== 'object') continue;
    const vm = c as Record<string, unknown>;
    if (typeof vm.id !== 'string' || absolute(vm.id, base) !== vmId) continue;
    const controller = typeof vm.controller === 'string' ? absolute(vm.controller, base) : base;
    return { ...vm, id: vmId, type: String(vm.type), controller } as VerificationMethod;
  }
  return undefined;
}

/**
 * True when `vmId` is listed (by reference or embedded) under the document's `assertionMethod`.
 */
export function listedAsAssertionMethod(doc: Record<string, unknown>, vmId: string): boolean {
  const base = String(doc.id ?? '');
  const list = Array.isArray(doc.assertionMethod) ? doc.assertionMethod : doc.assertionMethod ? [doc.assertionMethod] : [];
  return list.some((entry) => {
    const id = typeof entry === 'string' ? entry : (entry as { id?: unknown } | null)?.id;
    return typeof id === 'string' && absolute(id, base) === vmId;
  });
}

/**
 * Dereferences a verification method URL with any resolver: first the controller document (URL without fragment),
 * then, if the resolver does not know that, the full URL (a resolver may hand out methods directly). A bare
 * `did:key:z…` (no fragment, as the 1EdTech validator's samples write it) names the one key of that did:key
 * document, `did:key:z…#z…`, which is what is returned.
 *
 * @throws MicrocredError `KEY_NOT_FOUND` when neither yields the method; resolver errors pass through.
 * @example
 * ```ts
 * const { verificationMethod, controllerDocument } = await dereferenceVerificationMethod(proof.verificationMethod, resolve);
 * ```
 */
export async function dereferenceVerificationMethod(
  vmId: string,
  resolve: DidResolver,
): Promise<{ verificationMethod: VerificationMethod; controllerDocument?: Record<string, unknown> }> {
  const base = vmId.split('#')[0] as string;
  if (base === vmId && vmId.startsWith('did:key:')) {
    // A did:key document has exactly one verification method, `did:key:X#X`: the bare DID can only mean that key.
    return dereferenceVerificationMethod(`${vmId}#${vmId.slice('did:key:'.length)}`, resolve);
  }
  if (base !== vmId) {
    const doc = (await resolve(base)) as Record<string, unknown> | undefined;
    if (doc && typeof doc === 'object') {
      const vm = findVerificationMethod(doc, vmId);
      if (vm) return { verificationMethod: vm, controllerDocument: doc };
      throw new MicrocredError('KEY_NOT_FOUND', `The document of ${base} does not list the key ${vmId}.`, { vmId });
    }
  }
  const direct = (await resolve(vmId)) as Record<string, unknown> | undefined;
  if (direct && typeof direct === 'object') {
    if (direct.id === vmId && (direct.publicKeyMultibase || direct.publicKeyJwk || direct.publicKeyBase58)) {
      const controller = typeof direct.controller === 'string' ? direct.controller : base;
      return { verificationMethod: { ...direct, id: vmId, type: String(direct.type), controller } as VerificationMethod };
    }
    const vm = findVerificationMethod(direct, vmId);
    if (vm) return { verificationMethod: vm, controllerDocument: direct };
  }
  throw new MicrocredError('KEY_NOT_FOUND', `No document could be found for the key ${vmId}.`, { vmId });
}
