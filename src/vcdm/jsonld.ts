/**
 * The data model rules only a JSON-LD processor can decide: every context is one microcred has a copy of and is
 * processable (no invalid term definitions, no redefinition of a term the VC context protects, §4.3 and the
 * §5.2 note), and every property and type is defined by the contexts (§5.2). Decided by expanding the document in
 * JSON-LD safe mode with a document loader that serves only bundled contexts (nothing is fetched).
 *
 * Not pure like conformance.ts (it runs jsonld.js), so it lives apart; issuance runs it before signing, because a
 * JWT is signed without any JSON-LD step and would otherwise carry undefined terms unnoticed.
 */
// @ts-ignore -- jsonld ships no type declarations
import jsonldLib from 'jsonld';
import type { DocumentLoader } from '../lib/document-loader.js';
import { MicrocredError } from '../errors.js';
import { conformanceProblem, type ConformanceProblem } from './conformance.js';
import { V2 } from './rules.js';
import { at, isObject } from './values.js';

const jsonld = jsonldLib as { expand(input: unknown, options: Record<string, unknown>): Promise<unknown> };

interface ErrorLink {
  name?: string;
  message?: string;
  cause?: unknown;
  details?: { code?: string; cause?: unknown; event?: { code?: string; details?: { property?: string; type?: string } } };
}

function chain(e: unknown): ErrorLink[] {
  const out: ErrorLink[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    out.push(cur as ErrorLink);
    const c = cur as ErrorLink;
    cur = c.cause ?? c.details?.cause;
  }
  return out;
}

/** The path of the first key `name` (or, for `asType`, the first `type` value `name`) outside `@context`. */
function locate(doc: unknown, name: string, asType: boolean): string | undefined {
  const search = (value: unknown, path: string): string | undefined => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const hit = search(value[i], at(path, i));
        if (hit) return hit;
      }
      return undefined;
    }
    if (!isObject(value)) return undefined;
    for (const [k, v] of Object.entries(value)) {
      if (k === '@context') continue;
      if (!asType && k === name) return at(path, k);
      if (asType && (k === 'type' || k === '@type')) {
        const list = Array.isArray(v) ? v : [v];
        const i = list.indexOf(name);
        if (i >= 0) return Array.isArray(v) ? at(at(path, k), i) : at(path, k);
      }
      const hit = search(v, at(path, k));
      if (hit) return hit;
    }
    return undefined;
  };
  return search(doc, '$');
}

/**
 * Expands the document in JSON-LD safe mode and turns the first failure into a problem (JSON-LD stops at the first
 * error, so at most one is reported). An empty list means the document is processable and every term is defined.
 *
 * @example
 * ```ts
 * const problems = await checkJsonLd(credential, { documentLoader: createDocumentLoader() });
 * // [{ rule: 'vc-2.0/5.2-terms-defined', path: '$.credentialSubject.foo', … }]
 * ```
 */
export async function checkJsonLd(document: unknown, options: { documentLoader: DocumentLoader }): Promise<ConformanceProblem[]> {
  try {
    await jsonld.expand(document, { documentLoader: options.documentLoader, safe: true, base: null });
    return [];
  } catch (e) {
    const links = chain(e);
    const unknown = (links as unknown[]).find((l): l is MicrocredError => l instanceof MicrocredError && l.code === 'UNKNOWN_CONTEXT');
    if (unknown) {
      const url = (unknown.details as { url?: string } | undefined)?.url;
      return [conformanceProblem(V2.contextProcessable, '$["@context"]', 'only contexts microcred has a copy of (contexts are never downloaded)',
        url ? `the unknown context ${JSON.stringify(url)}` : 'an unknown context')];
    }
    const event = links.find((l) => l.details?.event)?.details?.event;
    if (event?.details?.property) {
      const property = event.details.property;
      return [conformanceProblem(V2.termsDefined, locate(document, property, false) ?? '$', 'a property that the contexts define',
        `the property "${property}", which no context defines`)];
    }
    if (event?.details?.type) {
      const type = event.details.type;
      return [conformanceProblem(V2.termsDefined, locate(document, type, true) ?? '$', 'a type that the contexts define (or an absolute URL)',
        `the type "${type}", which no context defines`)];
    }
    const syntax = links.find((l) => l.name === 'jsonld.SyntaxError');
    const code = syntax?.details?.code;
    if (code === 'protected term redefinition') {
      return [conformanceProblem(V2.contextProcessable, '$["@context"]', 'contexts that do not redefine a term the VC context protects',
        'a context that redefines a protected term')];
    }
    const what = code ? `a context JSON-LD refuses (${code})` : `a document JSON-LD cannot process (${(syntax ?? links[0])?.message ?? String(e)})`;
    return [conformanceProblem(V2.contextProcessable, '$["@context"]', 'contexts that are processable as JSON-LD', what)];
  }
}
