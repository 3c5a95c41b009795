/**
 * Check "context": every JSON-LD context the credential names is one microcred has a pinned copy of (contexts are
 * never downloaded: their bytes decide what the signed data means), the first one is the W3C VC context, and an
 * Open Badges 3.0 context is present. For JWT credentials the data is also expanded in JSON-LD safe mode, because no
 * canonicalisation step would otherwise notice terms no context defines.
 *
 * That expansion costs more than the whole JWT signature check, and its verdict depends only on the credential's
 * shape, not on most values (see `shapeKey`): it is computed once per shape and document loader and remembered.
 */
import { createHash } from 'node:crypto';
// @ts-ignore -- jsonld ships no type declarations
import jsonldLib from 'jsonld';
import { bundledContexts, type DocumentLoader } from '../../lib/document-loader.js';
import type { Check, VerifyContext } from '../types.js';
import { contextsOf, VC1_CONTEXT, VC2_CONTEXT } from './parse.js';

const jsonld = jsonldLib as { expand(input: unknown, options: Record<string, unknown>): Promise<unknown> };
const OB_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.0\.[0-3])?\.json$/;

function allContextUrls(value: unknown, out: Set<string>, inline: { found: boolean }): void {
  if (Array.isArray(value)) {
    for (const v of value) allContextUrls(v, out, inline);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === '@context') {
      for (const c of Array.isArray(v) ? v : [v]) {
        if (typeof c === 'string') out.add(c);
        else if (c && typeof c === 'object') inline.found = true;
      }
    } else {
      allContextUrls(v, out, inline);
    }
  }
}

/** Name of the first property jsonld.js's safe mode complained about, if it says. */
function safeModeDetail(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const c = cur as { details?: { event?: { details?: { property?: string; type?: string; expandedIri?: string } } }; cause?: unknown };
    const d = c.details?.event?.details;
    if (d?.property) return `the property "${d.property}"`;
    if (d?.type) return `the type "${d.type}"`;
    cur = c.cause;
  }
  return undefined;
}

/* jsonld.js `_isAbsoluteIri`: what safe mode accepts as an absolute @id. */
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$/;
const KEYWORD_LIKE = /^@[a-zA-Z]+$/;

/**
 * A key that is equal for two documents whenever JSON-LD safe-mode expansion (same contexts) gives the same verdict.
 * What expansion can object to, and what the key therefore keeps:
 * - property names (undefined terms, reserved terms, language-map keys, empty objects, objects with only an id):
 *   every key, in order;
 * - `type`/`@type` values (relative type references; they also select type-scoped contexts) and every other `@`
 *   keyword value except `@id`/`@value` (language tags, directions): verbatim;
 * - `@context` values: verbatim;
 * - `id`/`@id` values (relative or reserved references): only whether the value is null, keyword-like, an absolute
 *   IRI (jsonld.js's own test) or relative;
 * - any other string: only whether it looks like a keyword (a reserved @id when its term is @id-typed);
 *   numbers, booleans and null: their JSON type.
 * Array items are independent in expansion, so an array keeps each distinct item shape once, in first-seen order:
 * credentials with three or five learning outcomes share a key. `id` and `type` are the only keyword aliases the
 * bundled contexts define; a document with an inline context may define others, so it gets no key (`undefined`).
 */
export function shapeKey(document: unknown): string | undefined {
  let inline = false;
  const keyOf = (value: unknown, property: string): string => {
    if (value === null) return 'N';
    if (Array.isArray(value)) {
      const items = new Set(value.map((v) => keyOf(v, property)));
      return `[${[...items].join(',')}]`;
    }
    switch (typeof value) {
      case 'string':
        if (property === 'id' || property === '@id') {
          return KEYWORD_LIKE.test(value) ? 'K' : ABSOLUTE_IRI.test(value) ? 'I' : 'R';
        }
        if (property === 'type' || (property.startsWith('@') && property !== '@value')) return JSON.stringify(value);
        return KEYWORD_LIKE.test(value) ? 'K' : 's';
      case 'number':
        return 'n';
      case 'boolean':
        return 'b';
      case 'object': {
        let out = '{';
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (k === '@context') {
            for (const c of Array.isArray(v) ? v : [v]) if (c !== null && typeof c === 'object') inline = true;
            out += `${JSON.stringify(k)}:${JSON.stringify(v)},`;
          } else {
            out += `${JSON.stringify(k)}:${keyOf(v, k)},`;
          }
        }
        return `${out}}`;
      }
      default:
        return typeof value;
    }
  };
  const key = keyOf(document, '');
  return inline ? undefined : createHash('sha256').update(key).digest('base64url');
}

/** Safe-mode verdicts by shape key (undefined: expands cleanly; else the warning), per document loader. */
type Verdicts = Map<string, string | undefined>;
const MAX_SHAPES = 1000;
const defaultVerdicts: Verdicts = new Map();
const verdictsByLoader = new WeakMap<DocumentLoader, Verdicts>();

function verdictCache(ctx: VerifyContext): Verdicts {
  // Without an explicit loader, verify() makes one per call that serves only the bundled (immutable) contexts.
  const loader = ctx.options.documentLoader;
  if (!loader) return defaultVerdicts;
  let cache = verdictsByLoader.get(loader);
  if (!cache) verdictsByLoader.set(loader, (cache = new Map()));
  return cache;
}

async function safeModeWarning(ctx: VerifyContext): Promise<string | undefined> {
  const key = shapeKey(ctx.credential);
  const cache = key === undefined ? undefined : verdictCache(ctx);
  if (cache && cache.has(key as string)) return cache.get(key as string);
  let warning: string | undefined;
  try {
    await jsonld.expand(ctx.credential, { documentLoader: ctx.documentLoader, safe: true, base: null });
  } catch (e) {
    const what = safeModeDetail(e);
    warning =
      `The credential contains data that its contexts do not define${what ? ` (${what})` : ''}; ` +
      'wallets and verifiers that read it as linked data may ignore or reject that part.';
  }
  if (cache) {
    if (cache.size >= MAX_SHAPES) cache.delete(cache.keys().next().value as string);
    cache.set(key as string, warning);
  }
  return warning;
}

export async function checkContext(ctx: VerifyContext): Promise<Check> {
  const contexts = contextsOf(ctx.credential);
  const first = contexts[0];
  if (first !== VC2_CONTEXT && first !== VC1_CONTEXT) {
    return {
      id: 'context',
      status: 'fail',
      message:
        `The credential's first JSON-LD context must be the W3C Verifiable Credentials context (${VC2_CONTEXT}); ` +
        `found ${JSON.stringify(first ?? null)}.`,
    };
  }
  const urls = new Set<string>();
  const inline = { found: false };
  allContextUrls(ctx.credential, urls, inline);
  const known = bundledContexts();
  const unknown = [...urls].filter((u) => !known.has(u));
  if (unknown.length > 0) {
    return {
      id: 'context',
      status: 'fail',
      message:
        `The credential uses ${unknown.length === 1 ? 'a JSON-LD context' : 'JSON-LD contexts'} that microcred does not know: ` +
        `${unknown.join(', ')}. Contexts define what the data means and are never downloaded, so the credential cannot be checked.`,
    };
  }
  const ob = contexts.find((c): c is string => typeof c === 'string' && OB_CONTEXT.test(c));
  if (ctx.format === 'jwt') {
    const warning = await safeModeWarning(ctx);
    if (warning) return { id: 'context', status: 'warning', message: warning };
  }
  if (!ob) {
    return {
      id: 'context',
      status: 'warning',
      message: 'All contexts are known, but none is an Open Badges 3.0 context, so this is not an Open Badges credential.',
    };
  }
  const version = /context-(3\.0\.\d)\.json$/.exec(ob)?.[1] ?? '3.0.0';
  return {
    id: 'context',
    status: 'pass',
    message:
      `All ${urls.size} JSON-LD contexts are known standard contexts (Open Badges context version ${version})` +
      `${inline.found ? ', plus some terms defined inside the credential' : ''}.`,
  };
}
