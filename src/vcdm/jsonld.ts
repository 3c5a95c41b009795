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

/**
 * The path of the first place outside `@context` where `match(key, value)` holds; for a list value, the path of the
 * matching item when `match` accepts the item.
 */
function locate(doc: unknown, match: (key: string, value: unknown) => boolean): string | undefined {
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
      if (Array.isArray(v)) {
        const i = v.findIndex((item) => match(k, item));
        if (i >= 0) return at(at(path, k), i);
      } else if (match(k, v)) {
        return at(path, k);
      }
      const hit = search(v, at(path, k));
      if (hit) return hit;
    }
    return undefined;
  };
  return search(doc, '$');
}

const ID_KEYS = new Set(['id', '@id']);
const TYPE_KEYS = new Set(['type', '@type']);
/** JSON-LD error codes about contexts and term definitions (the rest are about the document's data). */
const CONTEXT_ERROR = /context|term|IRI mapping|keyword redefinition|vocab mapping/i;

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
    const event = links.find((l) => l.details?.event)?.details?.event as
      | { code?: string; message?: string; details?: Record<string, unknown> }
      | undefined;
    const d = event?.details ?? {};
    if (typeof d.property === 'string') {
      const property = d.property;
      return [conformanceProblem(V2.termsDefined, locate(document, (k) => k === property) ?? '$', 'a property that the contexts define',
        `the property "${property}", which no context defines`)];
    }
    if (typeof d.type === 'string') {
      const type = d.type;
      return [conformanceProblem(V2.termsDefined, locate(document, (k, v) => TYPE_KEYS.has(k) && v === type) ?? '$',
        'a type that the contexts define (or an absolute URL)', `the type "${type}", which no context defines`)];
    }
    if (event?.code === 'relative @id reference' && typeof d.id === 'string') {
      const id = d.id;
      return [conformanceProblem(V2.jsonLd, locate(document, (k, v) => ID_KEYS.has(k) && v === id) ?? '$', 'an id that is an absolute URL', JSON.stringify(id))];
    }
    if (event?.code === 'invalid @language value' && typeof d.language === 'string') {
      const language = d.language;
      const path = locate(document, (k, v) => k === '@language' && typeof v === 'string' && v.toLowerCase() === language);
      return [conformanceProblem(V2.jsonLd, path ?? '$', 'a BCP 47 language tag (JSON-LD refuses this one)', JSON.stringify(language))];
    }
    if (event) {
      return [conformanceProblem(V2.jsonLd, '$', 'JSON-LD that processors accept', `data JSON-LD refuses (${event.code ?? event.message})`)];
    }
    const syntax = links.find((l) => l.name === 'jsonld.SyntaxError');
    const code = syntax?.details?.code;
    if (code === 'protected term redefinition') {
      return [conformanceProblem(V2.contextProcessable, '$["@context"]', 'contexts that do not redefine a term the VC context protects',
        'a context that redefines a protected term')];
    }
    if (code && CONTEXT_ERROR.test(code)) {
      return [conformanceProblem(V2.contextProcessable, '$["@context"]', 'contexts that are processable as JSON-LD', `a context JSON-LD refuses (${code})`)];
    }
    const what = code ? `data JSON-LD refuses (${code}: ${syntax?.message ?? ''})` : `data JSON-LD cannot process (${(syntax ?? links[0])?.message ?? String(e)})`;
    return [conformanceProblem(V2.jsonLd, '$', 'JSON-LD that processors accept', what)];
  }
}
