/**
 * RDFC-1.0 first-degree labelling path (internal).
 *
 * When every blank node has a distinct first-degree hash, RDFC-1.0 never runs the n-degree step: it issues
 * `c14n0…` in hash order (spec §4.4.3 step 5) and sorts the relabelled N-Quads. This module does exactly that,
 * with rdf-canonize 5's N-Quads escaping (`lib/NQuads.js`: IRI `\uXXXX` for U+0000–U+0020 and `<>"{}|^`\`;
 * literal ECHARs and `\uXXXX` for other C0 controls and DEL), its `_:a` / `_:z` first-degree rule, its per-blank-node
 * quad *set* and JavaScript's default (UTF-16 code unit) sort. Any first-degree hash collision returns `null` and
 * the caller hands the dataset to rdf-canonize itself, with the stock options (so the same output or the same
 * "Maximum deep iterations exceeded" error).
 */
import * as nodeCrypto from 'node:crypto';

// One-shot `crypto.hash` (Node ≥ 20.12) creates no Hash object: no native handle for the GC to finalize per blank
// node. Same bytes as `createHash('sha256').update(text).digest('hex')` (UTF-8), which older Node 20 uses.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
const sha256hex: (text: string) => string =
  typeof oneShot === 'function' ? (text) => oneShot('sha256', text, 'hex') : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');
import { BLANK, LITERAL, NAMED, XSD_STRING, type FlatQuad } from './converter.js';
import type { RdfQuad, RdfTerm } from './internals.js';

const RDF_LANGSTRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString';

const IRI_ESCAPE = /[\u0000-\u0020<>"{}|^`\\]/;
const IRI_ESCAPE_G = /[\u0000-\u0020<>"{}|^`\\]/g;
const LIT_ESCAPE = /[\u0000-\u001F\u007F"\\]/;
const LIT_ESCAPE_G = /[\u0000-\u001F\u007F"\\]/g;

function uchar(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
const ECHAR: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };

export function escapeIri(s: string): string {
  return IRI_ESCAPE.test(s) ? s.replace(IRI_ESCAPE_G, uchar) : s;
}

export function escapeLiteral(s: string): string {
  return LIT_ESCAPE.test(s) ? s.replace(LIT_ESCAPE_G, (c) => ECHAR[c] ?? uchar(c)) : s;
}

// Predicates and datatypes come from a small set (the contexts' terms): keep their serialized form.
const predicateText = new Map<string, string>();
const datatypeText = new Map<string, string>();
const CACHE_LIMIT = 20_000;

function cached(map: Map<string, string>, key: string, make: (k: string) => string): string {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= CACHE_LIMIT) map.clear();
    v = make(key);
    map.set(key, v);
  }
  return v;
}

const makePredicate = (p: string): string => ' <' + escapeIri(p) + '> ';
// rdf-canonize: a langString datatype prints only the (absent here) language tag; xsd:string prints nothing.
const makeDatatype = (dt: string): string => (dt === RDF_LANGSTRING || dt === XSD_STRING ? '"' : '"^^<' + escapeIri(dt) + '>');

/** Serialized object term for a non-blank object. */
function objectText(q: FlatQuad): string {
  if (q.oKind === NAMED) return '<' + escapeIri(q.o) + '>';
  return '"' + escapeLiteral(q.o) + cached(datatypeText, q.dt, makeDatatype);
}

/**
 * Canonical N-Quads by the first-degree path, or `null` when two blank nodes share a first-degree hash.
 */
export function canonizeFirstDegree(quads: FlatQuad[]): string | null {
  const n = quads.length;
  const sText: string[] = new Array(n);
  const pText: string[] = new Array(n);
  const oText: string[] = new Array(n);
  const byBlank = new Map<string, number[]>();
  // Named nodes recur (one subject, many properties): serialize each IRI once per call.
  const iriText = new Map<string, string>();
  const named = (iri: string): string => {
    let t = iriText.get(iri);
    if (t === undefined) {
      t = '<' + escapeIri(iri) + '>';
      iriText.set(iri, t);
    }
    return t;
  };
  for (let i = 0; i < n; i++) {
    const q = quads[i] as FlatQuad;
    pText[i] = cached(predicateText, q.p, makePredicate);
    if (q.sBlank) {
      sText[i] = '';
      const l = byBlank.get(q.s);
      if (l) l.push(i);
      else byBlank.set(q.s, [i]);
    } else {
      sText[i] = named(q.s);
    }
    if (q.oKind === BLANK) {
      oText[i] = '';
      // rdf-canonize keeps a Set of quads per blank node: a quad counts once even if the node is on both sides.
      if (!(q.sBlank && q.s === q.o)) {
        const l = byBlank.get(q.o);
        if (l) l.push(i);
        else byBlank.set(q.o, [i]);
      }
    } else {
      oText[i] = q.oKind === NAMED ? named(q.o) : objectText(q);
    }
  }

  // Lines are never built one by one: indices are sorted by their parts and the sorted lines are concatenated
  // once. Part-wise order equals line order: no subject, predicate or object text is a proper prefix of another
  // one except blank labels (c14n1 / c14n10) and plain vs typed literals, and there the shorter one is followed
  // by a space, which sorts before any character that can follow in the longer one (as the prefix-first
  // rule of string comparison does).
  const canonical = new Map<string, string>();
  let tail: (string | undefined)[] | undefined;
  if (byBlank.size > 0) {
    const hashToId = new Map<string, string>();
    const ls = scratchS;
    const lp = scratchP;
    const lo = scratchO;
    const order = scratchOrder;
    tail = new Array(n);
    for (const [id, idx] of byBlank) {
      const k = idx.length;
      for (let j = 0; j < k; j++) {
        const i = idx[j] as number;
        const q = quads[i] as FlatQuad;
        ls[j] = q.sBlank ? (q.s === id ? '_:a' : '_:z') : (sText[i] as string);
        lp[j] = pText[i] as string;
        lo[j] = q.oKind === BLANK ? (q.o === id ? '_:a' : '_:z') : (oText[i] as string);
        order[j] = j;
      }
      sortIndices(order, k, ls, lp, lo);
      let text = '';
      for (let x = 0; x < k; x++) {
        const j = order[x] as number;
        const i = idx[j] as number;
        // Predicate + object + terminator is the same in both phases unless the object is blank: build it once.
        let t: string;
        if ((quads[i] as FlatQuad).oKind === BLANK) t = (lp[j] as string) + (lo[j] as string) + ' .\n';
        else t = tail[i] ??= (pText[i] as string) + (oText[i] as string) + ' .\n';
        text += (ls[j] as string) + t;
      }
      const h = sha256hex(text);
      if (hashToId.has(h)) return null;
      hashToId.set(h, id);
    }
    const hashes = [...hashToId.keys()].sort();
    for (let i = 0; i < hashes.length; i++) canonical.set(hashToId.get(hashes[i] as string) as string, '_:c14n' + i);
  }

  const order: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const q = quads[i] as FlatQuad;
    if (q.sBlank) sText[i] = canonical.get(q.s) as string;
    if (q.oKind === BLANK) oText[i] = canonical.get(q.o) as string;
    order[i] = i;
  }
  sortIndices(order, n, sText, pText, oText);
  let out = '';
  for (let x = 0; x < n; x++) {
    const i = order[x] as number;
    const t = (quads[i] as FlatQuad).oKind === BLANK ? undefined : tail?.[i];
    out += (sText[i] as string) + (t ?? (pText[i] as string) + (oText[i] as string) + ' .\n');
  }
  return out;
}

// Scratch space for the per-blank-node lines (the function is synchronous and never re-entered).
const scratchS: string[] = [];
const scratchP: string[] = [];
const scratchO: string[] = [];
const scratchOrder: number[] = [];

/**
 * Sorts `order[0..k)` by the lines the indices stand for. Binary insertion sort for the usual sizes: it
 * allocates nothing (Array.prototype.sort allocates work arrays on every call).
 */
function sortIndices(order: number[], k: number, s: string[], p: string[], o: string[]): void {
  if (k > 256) {
    const part = order.slice(0, k).sort((a, b) => compareParts(s, p, o, a, b));
    for (let i = 0; i < k; i++) order[i] = part[i] as number;
    return;
  }
  for (let i = 1; i < k; i++) {
    const v = order[i] as number;
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareParts(s, p, o, order[mid] as number, v) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let j = i; j > lo; j--) order[j] = order[j - 1] as number;
    order[lo] = v;
  }
}

function compareParts(s: string[], p: string[], o: string[], a: number, b: number): number {
  const sa = s[a] as string;
  const sb = s[b] as string;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const pa = p[a] as string;
  const pb = p[b] as string;
  if (pa !== pb) return pa < pb ? -1 : 1;
  const oa = o[a] as string;
  const ob = o[b] as string;
  return oa === ob ? 0 : oa < ob ? -1 : 1;
}

/** The same quads as jsonld.js `toRDF` would hand to rdf-canonize (term objects, default graph). */
export function toRdfJsDataset(quads: FlatQuad[]): RdfQuad[] {
  const graph: RdfTerm = { termType: 'DefaultGraph', value: '' };
  return quads.map((q) => {
    let object: RdfTerm;
    if (q.oKind === LITERAL) object = { termType: 'Literal', value: q.o, datatype: { termType: 'NamedNode', value: q.dt } };
    else object = { termType: q.oKind === BLANK ? 'BlankNode' : 'NamedNode', value: q.o };
    return {
      subject: { termType: q.sBlank ? 'BlankNode' : 'NamedNode', value: q.s },
      predicate: { termType: 'NamedNode', value: q.p },
      object,
      graph,
    };
  });
}
