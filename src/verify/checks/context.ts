/**
 * Check "context": every JSON-LD context the credential names is one microcred has a pinned copy of (contexts are
 * never downloaded: their bytes decide what the signed data means), the first one is the W3C VC context, and an
 * Open Badges 3.0 context is present. For JWT credentials the data is also expanded in JSON-LD safe mode, because no
 * canonicalisation step would otherwise notice terms no context defines.
 */
// @ts-ignore -- jsonld ships no type declarations
import jsonldLib from 'jsonld';
import { bundledContexts } from '../../lib/document-loader.js';
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
    try {
      await jsonld.expand(ctx.credential, { documentLoader: ctx.documentLoader, safe: true, base: null });
    } catch (e) {
      const what = safeModeDetail(e);
      return {
        id: 'context',
        status: 'warning',
        message:
          `The credential contains data that its contexts do not define${what ? ` (${what})` : ''}; ` +
          'wallets and verifiers that read it as linked data may ignore or reject that part.',
      };
    }
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
