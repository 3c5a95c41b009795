/**
 * Typed access to the parts of jsonld.js and rdf-canonize the fast canonicalizer drives (internal).
 *
 * jsonld.js internals (`lib/context.js`, `lib/ContextResolver.js`) are used at compile time only: if a future
 * version moves them, loading or compiling fails, every call falls back to the stock pipeline and only speed is
 * lost. Both packages are pinned exactly in package.json (jsonld 9.0.0, rdf-canonize 5.0.0).
 */
import { createRequire } from 'node:module';
// @ts-ignore -- package has no type declarations; typed below
import { cryptosuite as stockCryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const require = createRequire(import.meta.url);

/** A jsonld.js active context (opaque apart from what we read). */
export interface ActiveContext {
  mappings: Map<string, Record<string, unknown> | null>;
  previousContext?: ActiveContext;
  revertToPreviousContext(): ActiveContext;
  [key: string]: unknown;
}

export interface JsonldOptions {
  documentLoader: (url: string) => Promise<unknown>;
  contextResolver: unknown;
  base: null;
  safe: boolean;
  eventHandler: unknown;
  [key: string]: unknown;
}

export interface ContextApi {
  process(args: {
    activeCtx: ActiveContext;
    localCtx: unknown;
    options: JsonldOptions;
    propagate?: boolean;
    overrideProtected?: boolean;
  }): Promise<ActiveContext>;
  expandIri(activeCtx: ActiveContext, value: string, relativeTo: { vocab?: boolean; base?: boolean }, options?: object): string | null;
  getContextValue(ctx: ActiveContext, key: string | null, type: string): unknown;
  getInitialContext(options: object): ActiveContext;
  isKeyword(v: unknown): boolean;
}

export interface RdfTerm {
  termType: 'NamedNode' | 'BlankNode' | 'Literal' | 'DefaultGraph';
  value: string;
  datatype?: { termType: 'NamedNode'; value: string };
  language?: string;
}
export interface RdfQuad {
  subject: RdfTerm;
  predicate: RdfTerm;
  object: RdfTerm;
  graph: RdfTerm;
}

interface RdfCanonizeApi {
  canonize(dataset: RdfQuad[], options: Record<string, unknown>): Promise<string>;
  NQuads: { serializeQuadComponents(s: RdfTerm, p: RdfTerm, o: RdfTerm, g: RdfTerm): string };
}

export type CanonizeFn = (input: unknown, options: Record<string, unknown>) => Promise<string>;

/** The reference eddsa-rdfc-2022 cryptosuite object (jsonld.js `toRDF` + rdf-canonize). */
export const stock = stockCryptosuite as {
  name: string;
  requiredAlgorithm: string;
  canonize: CanonizeFn;
  createVerifier(options: { verificationMethod: unknown }): Promise<{ id?: string; algorithm: string; verify(o: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> }>;
};

export const rdfCanonize = require('rdf-canonize') as RdfCanonizeApi;

let contextApi: ContextApi | undefined;
let resolverCtor: (new (o: { sharedCache: unknown }) => unknown) | undefined;

/** jsonld.js's own context processor; throws when the internals cannot be loaded (caller falls back). */
export function jsonldContextApi(): ContextApi {
  contextApi ??= require('jsonld/lib/context.js') as ContextApi;
  return contextApi;
}

export function newContextResolver(): unknown {
  resolverCtor ??= require('jsonld/lib/ContextResolver.js') as new (o: { sharedCache: unknown }) => unknown;
  return new resolverCtor({ sharedCache: new Map() });
}

/** The version strings the self-test and the benchmark report. */
export function pinnedVersions(): { jsonld: string; rdfCanonize: string } {
  const j = require('jsonld/package.json') as { version: string };
  const r = require('rdf-canonize/package.json') as { version: string };
  return { jsonld: j.version, rdfCanonize: r.version };
}
