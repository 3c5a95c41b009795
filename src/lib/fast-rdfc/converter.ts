/**
 * Compiled JSON-LD → RDF converter for an explicitly listed subset of JSON-LD 1.1 (internal).
 *
 * It follows jsonld.js 9's expansion (`lib/expand.js`), node-map (`lib/nodeMap.js`) and `toRDF` (`lib/toRdf.js`)
 * step by step for this subset, emitting quads directly (no input clone, no expanded document, no node map):
 *
 * - one top-level node object whose `@context` is a pinned context URL or an array of them;
 * - node objects (nested, in arrays, in lists) with `@id` / `@type` (or their aliases), string or array `@type`;
 * - properties whose term defines no container or `@set` / `@list`, with `@id`, `@vocab` or datatype coercion or
 *   none; type-scoped and property-scoped contexts (through the compiled states, see compiler.ts);
 * - scalar values: strings, finite numbers (jsonld.js's number rules, including its quirk that 1e-7 becomes
 *   `"0"^^xsd:integer`), booleans; `null` values are dropped as jsonld.js drops them;
 * - jsonld.js's node-map de-duplication: per (subject, property), references by `@id` and value objects by
 *   (@value, @type) are kept once; blank nodes and lists never merge; named nodes merge across the document.
 *   Every identity is a structured key (maps of IRIs, then values), never parts joined into a string: IRIs,
 *   keys and values may hold any character, U+0000 included, as they may in jsonld.js.
 *
 * Everything else throws `Bail` (value objects, `@language`/`@direction` defaults, language/index/id/type maps,
 * `@graph`, `@json`, `@reverse`, `@nest`, `@included`, embedded contexts, blank-node or relative ids and types,
 * nested arrays, non-JSON values, any jsonld.js event that safe mode would turn into an error, ...).
 */
import { Bail } from './bail.js';
import { ABSOLUTE_IRI, type Compiler, type State } from './compiler.js';

export const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
export const RDF_FIRST = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#first';
export const RDF_REST = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#rest';
export const RDF_NIL = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#nil';
export const XSD_BOOLEAN = 'http://www.w3.org/2001/XMLSchema#boolean';
export const XSD_DOUBLE = 'http://www.w3.org/2001/XMLSchema#double';
export const XSD_INTEGER = 'http://www.w3.org/2001/XMLSchema#integer';
export const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';

/** Object kinds. */
export const NAMED = 0;
export const BLANK = 1;
export const LITERAL = 2;

/**
 * A quad in the default graph, flat: subject (named or blank label), predicate IRI, object (named IRI, blank
 * label, or literal lexical form + datatype).
 */
export interface FlatQuad {
  sBlank: boolean;
  s: string;
  p: string;
  oKind: 0 | 1 | 2;
  o: string;
  dt: string;
}

interface Obj {
  kind: 0 | 1 | 2;
  value: string;
  dt: string;
  /**
   * How jsonld.js `compareValues` sees the value in the node map: 'i' = node reference (by IRI), 'l' = value
   * object (`raw` as @value, `vtype` as @type), 'u' = never equal to anything else (blank node, list).
   */
  key: 'i' | 'l' | 'u';
  raw?: string | number | boolean;
  vtype?: string | undefined;
}

/** The `ValueSet` slot of node references (a symbol: no datatype IRI, nor the absent one, can equal it). */
const NODE_REFERENCE: unique symbol = Symbol('node reference');

/**
 * The values jsonld.js's node map already holds for one (subject, property), structured as `compareValues`
 * compares them: node references by IRI; value objects by @type (absent: `undefined`), then by @value with
 * SameValueZero, which is `===` here (no NaN reaches this point; -0 and 0 are equal under both) and keeps 4, "4"
 * and true apart. No part is ever joined into a string, so distinct values cannot share a key.
 */
type ValueSet = Map<string | undefined | typeof NODE_REFERENCE, Set<string | number | boolean>>;

/** Adds `o` to `set`; false when an equal value is already there ('u' values are always new). */
function addValue(set: ValueSet, o: Obj): boolean {
  if (o.key === 'u') return true;
  const slot = o.key === 'i' ? NODE_REFERENCE : o.vtype;
  const id = o.key === 'i' ? o.value : (o.raw as string | number | boolean);
  let values = set.get(slot);
  if (values === undefined) {
    values = new Set();
    set.set(slot, values);
  } else if (values.has(id)) return false;
  values.add(id);
  return true;
}

/**
 * One subject's node-map entry: its `@type` IRIs apart from its properties (jsonld.js keeps `@type` apart from an
 * explicit rdf:type property, so the two never de-duplicate against each other), properties by predicate IRI.
 */
class NodeEntry {
  types: Set<string> | undefined;
  readonly properties = new Map<string, ValueSet>();

  values(p: string): ValueSet {
    let v = this.properties.get(p);
    if (v === undefined) {
      v = new Map();
      this.properties.set(p, v);
    }
    return v;
  }
}

const objectProto = Object.prototype;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === objectProto || p === null;
}

/** jsonld.js `types.isDouble`. */
function isDouble(v: number): boolean {
  return String(v).indexOf('.') !== -1 || Math.abs(v) >= 1e21;
}

/** One conversion: quads plus the node map's de-duplication state. Not reusable. */
class Walk {
  readonly quads: FlatQuad[] = [];
  /** Named subjects by IRI: named nodes merge across the document. */
  private readonly named = new Map<string, NodeEntry>();
  private blank = 0;

  constructor(private readonly compiler: Compiler) {}

  private newBlank(): string {
    return 'b' + this.blank++;
  }

  private entry(s: string): NodeEntry {
    let e = this.named.get(s);
    if (e === undefined) {
      e = new NodeEntry();
      this.named.set(s, e);
    }
    return e;
  }

  /**
   * Emits a quad unless jsonld.js's node map already holds an equal value for (subject, property). `seen` is that
   * (subject, property)'s value set: from the document-wide entry for named subjects, per node or per array for
   * blank subjects (their labels are unique), or null when no duplicate is possible.
   */
  private emit(seen: ValueSet | null, sBlank: boolean, s: string, p: string, o: Obj): void {
    if (seen !== null && !addValue(seen, o)) return;
    this.quads.push({ sBlank, s, p, oKind: o.kind, o: o.value, dt: o.dt });
  }

  /**
   * The top-level document (jsonld.js `expand` with activeProperty null, then the `_dropUnsafeObject` checks).
   * `urls` is its `@context` as `topContextUrls` read it (and the caller checked): compiled as given, so the
   * state used is the one for exactly that list (jsonld.js processes a single URL and a one-URL array alike).
   */
  top(doc: unknown, urls: readonly string[]): void {
    if (!isPlainObject(doc)) throw new Bail('top level is not a plain object');
    const s = this.compiler.initial.viaTop(urls);
    // jsonld.js decides about reverting on the initial context; a top-level "@propagate": false is not modelled.
    if (s.hasPrevious) throw new Bail('top-level @propagate: false');
    this.node(s, null, doc, true);
  }

  /**
   * jsonld.js `api.expand` for an object element under `activeProperty` in active context `S`, then its node-map
   * and toRDF treatment. Returns the node's object term.
   */
  node(S: State, activeProperty: string | null, el: Record<string, unknown>, isTop: boolean): Obj {
    const keys = Object.keys(el);
    // Revert a type-scoped (non-propagated) context unless the element is a value or a bare reference.
    let mustRevert = true;
    if (S.hasPrevious && keys.length <= 2 && !('@context' in el)) {
      for (const key of keys) {
        const e = S.expandKey(key);
        if (e === '@value') throw new Bail('value object');
        if (e === '@id' && keys.length === 1) {
          mustRevert = false;
          break;
        }
      }
    }
    let A = mustRevert ? S.revert() : S;
    if (activeProperty !== null) {
      const psc = S.valueInfo(activeProperty).scoped;
      if (psc !== undefined) A = A.viaProperty(psc);
    }
    if (!isTop && '@context' in el) throw new Bail('embedded @context');
    const T = A;

    // Type-scoped contexts, applied in sorted order of the type names as written.
    let typeKey: string | null = null;
    for (const key of keys) {
      if (key === '@context') continue;
      if (A.expandKey(key) === '@type') {
        if (typeKey !== null) throw new Bail('two keys expand to @type');
        typeKey = key;
      }
    }
    let types: string[] = [];
    if (typeKey !== null) {
      const v = el[typeKey];
      if (typeof v === 'string') types = [v];
      else if (Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string')) types = v as string[];
      else throw new Bail('@type value shape');
      const sorted = types.length > 1 ? types.slice().sort() : types;
      for (const t of sorted) {
        const c = T.typeContext(t);
        if (c !== undefined) A = A.viaType(c);
      }
    }

    // First pass: @id (needed before any quad), key classification, predicate collisions between keys.
    let id: string | null = null;
    let shared = false;
    let firstIri: string | null = null;
    let iris: Set<string> | null = null;
    for (const key of keys) {
      if (key === '@context') continue;
      const info = A.keyInfo(key);
      if (info.keyword === '@id') {
        if (id !== null) throw new Bail('colliding @id');
        const v = el[key];
        if (typeof v !== 'string') throw new Bail('@id is not a string');
        id = A.expandId(v, false);
      } else if ((info.keyword === '@type') !== (key === typeKey)) {
        throw new Bail('@type alias changes meaning in a type-scoped context');
      } else if (info.keyword === null && !shared) {
        // Two keys with one predicate IRI (a term beside its IRI) share one node-map property.
        if (firstIri === null) firstIri = info.iri;
        else {
          iris ??= new Set([firstIri]);
          if (iris.has(info.iri)) shared = true;
          else iris.add(info.iri);
        }
      }
    }
    const sBlank = id === null;
    const s = id ?? this.newBlank();
    const node: NodeEntry | null = sBlank ? (shared ? new NodeEntry() : null) : this.entry(s);

    let entries = 0;
    if (types.length > 0) {
      entries++;
      // The node map de-duplicates expanded type IRIs (e.g. AchievementCredential and OpenBadgeCredential).
      let typeSet: Set<string> | null = null;
      if (node !== null) typeSet = node.types ??= new Set();
      else if (types.length > 1) typeSet = new Set();
      for (const t of types) {
        const iri = T.typeIri(t);
        if (typeSet !== null) {
          if (typeSet.has(iri)) continue;
          typeSet.add(iri);
        }
        this.quads.push({ sBlank, s, p: RDF_TYPE, oKind: NAMED, o: iri, dt: '' });
      }
    }

    for (const key of keys) {
      if (key === '@context') continue;
      const info = A.keyInfo(key);
      if (info.keyword !== null) continue;
      const value = el[key];
      if (value === null) continue;
      entries++;
      const termS = info.scoped === undefined ? A : A.viaProperty(info.scoped);
      this.property(node, sBlank, s, info.iri, termS, key, value, info.list);
    }
    if (isTop && entries === 0) throw new Bail('top-level object would be dropped');
    return { kind: sBlank ? BLANK : NAMED, value: s, dt: '', key: sBlank ? 'u' : 'i' };
  }

  private property(node: NodeEntry | null, sBlank: boolean, s: string, p: string, termS: State, key: string, value: unknown, list: boolean): void {
    if (list) {
      const items = Array.isArray(value) ? value : [value];
      const objs: Obj[] = [];
      for (const item of items) {
        if (item === null) continue;
        if (Array.isArray(item)) throw new Bail('list of lists');
        objs.push(this.item(termS, key, item));
      }
      // A list never equals another value: nothing to look up.
      this.emit(null, sBlank, s, p, this.list(objs));
      return;
    }
    if (Array.isArray(value)) {
      const seen: ValueSet | null = node !== null ? node.values(p) : value.length > 1 ? new Map() : null;
      for (const item of value) {
        if (item === null) continue;
        if (Array.isArray(item)) throw new Bail('nested array');
        this.emit(seen, sBlank, s, p, this.item(termS, key, item));
      }
      return;
    }
    this.emit(node !== null ? node.values(p) : null, sBlank, s, p, this.item(termS, key, value));
  }

  private item(termS: State, key: string, v: unknown): Obj {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
        return this.scalar(termS, key, v);
      case 'object':
        if (isPlainObject(v)) return this.node(termS, key, v, false);
        throw new Bail('not a plain object');
      default:
        throw new Bail('value is not JSON');
    }
  }

  /** jsonld.js `_expandValue` + `_objectToRDF` for a scalar. */
  private scalar(termS: State, key: string, v: string | number | boolean): Obj {
    const vi = termS.valueInfo(key);
    if (typeof v === 'string' && (vi.kind === 1 || vi.kind === 2)) {
      const iri = termS.expandId(v, vi.kind === 2);
      return { kind: NAMED, value: iri, dt: '', key: 'i' };
    }
    const vtype = vi.kind === 3 ? vi.datatype : undefined;
    let lexical: string;
    let dt: string;
    if (typeof v === 'boolean') {
      lexical = v ? 'true' : 'false';
      dt = vtype ?? XSD_BOOLEAN;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Bail('non-finite number');
      if (isDouble(v) || vtype === XSD_DOUBLE) {
        lexical = v.toExponential(15).replace(/(\d)0*e\+?/, '$1E');
        dt = vtype ?? XSD_DOUBLE;
      } else {
        lexical = v.toFixed(0);
        dt = vtype ?? XSD_INTEGER;
      }
    } else {
      if (vtype === undefined && vi.stringBail) throw new Bail('default @language/@direction');
      if (vtype === XSD_DOUBLE) {
        lexical = parseFloat(v).toExponential(15).replace(/(\d)0*e\+?/, '$1E');
      } else {
        lexical = v;
      }
      dt = vtype ?? XSD_STRING;
    }
    return { kind: LITERAL, value: lexical, dt, key: 'l', raw: v, vtype };
  }

  /** jsonld.js `_listToRDF`: a fresh blank node per cell; lists never de-duplicate. */
  private list(items: Obj[]): Obj {
    if (items.length === 0) return { kind: NAMED, value: RDF_NIL, dt: '', key: 'u' };
    const head = this.newBlank();
    let cell = head;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Obj;
      this.quads.push({ sBlank: true, s: cell, p: RDF_FIRST, oKind: item.kind, o: item.value, dt: item.dt });
      if (i === items.length - 1) {
        this.quads.push({ sBlank: true, s: cell, p: RDF_REST, oKind: NAMED, o: RDF_NIL, dt: '' });
      } else {
        const next = this.newBlank();
        this.quads.push({ sBlank: true, s: cell, p: RDF_REST, oKind: BLANK, o: next, dt: '' });
        cell = next;
      }
    }
    return { kind: BLANK, value: head, dt: '', key: 'u' };
  }
}

/**
 * Converts `doc` to flat quads. Throws `Bail` outside the subset and `NeedCompile` when a context transition
 * still has to be compiled (the caller compiles and calls again).
 */
export function convert(compiler: Compiler, doc: unknown, urls: readonly string[]): FlatQuad[] {
  const w = new Walk(compiler);
  w.top(doc, urls);
  return w.quads;
}

/** The top-level context URLs of `doc`, or a Bail reason. */
export function topContextUrls(doc: unknown): string[] {
  if (!isPlainObject(doc)) throw new Bail('top level is not a plain object');
  const c = doc['@context'];
  if (typeof c === 'string') return [c];
  if (Array.isArray(c) && c.length > 0 && c.every((u) => typeof u === 'string')) return c as string[];
  throw new Bail('@context is not a URL or an array of URLs');
}

export { ABSOLUTE_IRI };
