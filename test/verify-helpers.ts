/**
 * Test collaborators for the verifier: map-based resolver and fetch, controller documents derived from
 * `https://…#z6Mk…` verification method fragments (DIGEST §13), and a Data Integrity signer built directly on
 * @digitalbazaar/vc so these tests do not depend on the issuing code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-ignore -- no type declarations
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { MicrocredError } from '../src/errors.js';
import { DataIntegrityProof, eddsaRdfc2022, vc } from '../src/proof/vendor.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import type { DidResolver } from '../src/did/resolve.js';
import type { FetchedDocument, GuardedFetch } from '../src/lib/guarded-fetch.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'verify');

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

/** Controller documents for every `https://…#z6Mk…` verification method in the given credentials. */
export function controllerDocsFor(...credentials: Record<string, unknown>[]): Map<string, Record<string, unknown>> {
  const docs = new Map<string, Record<string, unknown>>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    const vm = o.verificationMethod;
    if (typeof vm === 'string' && vm.startsWith('http') && vm.includes('#z6Mk')) {
      const [controller, fragment] = vm.split('#') as [string, string];
      const doc = docs.get(controller) ?? {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
        id: controller,
        verificationMethod: [] as unknown[],
        assertionMethod: [] as string[],
      };
      if (!(doc.assertionMethod as string[]).includes(vm)) {
        (doc.verificationMethod as unknown[]).push({ id: vm, type: 'Multikey', controller, publicKeyMultibase: fragment });
        (doc.assertionMethod as string[]).push(vm);
      }
      docs.set(controller, doc);
    }
    Object.values(o).forEach(visit);
  };
  credentials.forEach(visit);
  return docs;
}

/** A resolver answering from a map (undefined for anything else), like a test double of createDidResolver. */
export function mapResolver(docs: Map<string, unknown> | Record<string, unknown>): DidResolver {
  const map = docs instanceof Map ? docs : new Map(Object.entries(docs));
  return async (url: string) => {
    if (url.startsWith('did:key:')) {
      const { createDidResolver } = await import('../src/did/resolve.js');
      return createDidResolver()(url);
    }
    return map.get(url);
  };
}

/**
 * A GuardedFetch answering from a map: a value is served as JSON, a string as text, an Error is thrown as
 * FETCH_FAILED; unknown URLs answer FETCH_FAILED (HTTP 404). Records every URL asked for.
 */
export function mapFetch(routes: Record<string, unknown>): GuardedFetch & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (url: string): Promise<FetchedDocument> => {
    calls.push(url);
    if (!(url in routes)) throw new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: the server answered HTTP 404.`, { url });
    const value = routes[url];
    if (value instanceof Error) throw new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: ${value.message}.`, { url });
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return { url, status: 200, contentType: 'application/json', body: new TextEncoder().encode(text) };
  }) as GuardedFetch & { calls: string[] };
  fn.calls = calls;
  return fn;
}

export interface TestIssuer {
  controller: string;
  vmId: string;
  publicKeyMultibase: string;
  controllerDocument: Record<string, unknown>;
  /** `verificationMethod` overrides the proof's key reference (e.g. a bare did:key); the key is the same. */
  sign(credential: Record<string, unknown>, options?: { cryptosuiteName?: string; verificationMethod?: string }): Promise<Record<string, unknown>>;
  /**
   * Adds a proof to an already secured credential as Data Integrity 1.0 §4.3 "Add Proof Set/Chain" does: signed over
   * the document whose `proof` is the proofs `previousProof` names (none: a proof set member).
   */
  addProof(secured: Record<string, unknown>, options?: { id?: string; previousProof?: string | string[] }): Promise<Record<string, unknown>>;
}

/**
 * An Ed25519 issuer identified by an https URL or did:web (its controller document is to be served by mapResolver),
 * or by its own did:key when `controller` is 'did:key'. Deterministic: the key comes from `seedByte`.
 */
export async function createTestIssuer(controllerOrDidKey: string, seedByte = 7): Promise<TestIssuer> {
  const seed = new Uint8Array(32).fill(seedByte);
  const probe = await Ed25519Multikey.generate({ seed });
  const publicKeyMultibase: string = probe.publicKeyMultibase;
  const controller = controllerOrDidKey === 'did:key' ? `did:key:${publicKeyMultibase}` : controllerOrDidKey;
  const key = await Ed25519Multikey.generate({ seed, controller });
  const vmId = `${controller}#${publicKeyMultibase}`;
  key.id = vmId;
  const controllerDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: controller,
    verificationMethod: [{ id: vmId, type: 'Multikey', controller, publicKeyMultibase }],
    assertionMethod: [vmId],
  };
  const documentLoader = createDocumentLoader();
  return {
    controller,
    vmId,
    publicKeyMultibase,
    controllerDocument,
    async sign(credential, options = {}) {
      // `cryptosuiteName: 'eddsa-2022'` signs with the legacy name of the same algorithm.
      const cryptosuite = options.cryptosuiteName ? { ...eddsaRdfc2022, name: options.cryptosuiteName } : eddsaRdfc2022;
      const signer = key.signer();
      if (options.verificationMethod) signer.id = options.verificationMethod;
      const suite = new DataIntegrityProof({ signer, cryptosuite, date: '2025-01-01T00:00:00Z' });
      const signed = await vc.issue({ credential: structuredClone(credential), suite, documentLoader });
      signed.proof = Array.isArray(signed.proof) ? signed.proof : [signed.proof];
      return signed;
    },
    async addProof(secured, options = {}) {
      const raw = secured.proof;
      const all = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Record<string, unknown>[];
      const { proof: _drop, ...document } = structuredClone(secured);
      const wanted = options.previousProof === undefined ? [] : [options.previousProof].flat();
      const matching = all.filter((p) => wanted.includes(p.id as string));
      const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022, date: '2025-01-02T00:00:00Z' });
      suite.proof = { ...(options.id ? { id: options.id } : {}), ...(options.previousProof ? { previousProof: options.previousProof } : {}) };
      const purpose = { update: async (proof: Record<string, unknown>) => ({ ...proof, proofPurpose: 'assertionMethod' }) };
      const proof = await (suite as unknown as { createProof(o: Record<string, unknown>): Promise<Record<string, unknown>> }).createProof({
        document: matching.length > 0 ? { ...document, proof: matching } : document,
        purpose,
        proofSet: [],
        documentLoader,
      });
      return { ...document, proof: [...all, proof] };
    },
  };
}
