/**
 * Context compiler (internal): jsonld.js's own context processor, run once per distinct (active context, scoped
 * context) pair over the pinned contexts in `contexts/` only, with every result memoized.
 *
 * A `State` wraps one jsonld.js active context and memoizes, per key: predicate IRI, container and coercion; per
 * type name: type IRI and type-scoped context; and the transitions (revert, type-scoped, property-scoped, top-level
 * `@context`). Nothing here re-implements context processing: every memoized value is what jsonld.js's
 * `expandIri` / `getContextValue` / `process` returned for that exact active context, so a memo hit is as correct
 * as the call it replaces (active contexts are never mutated after processing; jsonld.js itself shares them
 * from its caches).
 *
 * Transitions are compiled lazily: the synchronous walker throws `NeedCompile`, the driver awaits it and walks
 * again. Any error or jsonld.js event (safe mode) while compiling is stored as a `Bail` for that transition.
 */
import { bundledContexts } from '../document-loader.js';
import { Bail, NeedCompile } from './bail.js';
import { jsonldContextApi, newContextResolver, type ActiveContext, type JsonldOptions } from './internals.js';

/** jsonld.js's absolute-IRI test (lib/url.js `isAbsolute`); `_:` blank node ids also match and are checked apart. */
export const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/;

/** How a property key behaves in the active context of the node that holds it. */
export interface KeyInfo {
  /** Predicate IRI, or the keyword for `@id`/`@type` (and aliases). */
  iri: string;
  keyword: '@id' | '@type' | null;
  /** Property-scoped context of the term, `undefined` when none. */
  scoped: unknown;
  list: boolean;
}

/** How values of `key` expand in the (term-scoped) active context they are expanded in. */
export interface ValueInfo {
  /** 0 plain literal, 1 `@id` coercion, 2 `@vocab` coercion, 3 datatype coercion. */
  kind: 0 | 1 | 2 | 3;
  datatype: string | undefined;
  /** Strings would carry a default `@language`/`@direction`: outside the subset. */
  stringBail: boolean;
  /** Property-scoped context applied again when a node object is expanded under this key. */
  scoped: unknown;
}

type Memo<T> = T | Bail;

/**
 * A list of context URLs as one map key: each URL length-prefixed, so two different lists never share a key
 * whatever characters the URLs hold (a separator could occur inside a URL).
 */
export function contextListKey(urls: readonly string[]): string {
  let key = '';
  for (const u of urls) key += u.length + ':' + u;
  return key;
}

const MAX_TOP_CONTEXTS = 64;

export class State {
  readonly hasPrevious: boolean;
  private reverted: State | undefined;
  private readonly keyExp = new Map<string, string | null>();
  private readonly keys = new Map<string, Memo<KeyInfo>>();
  private readonly values = new Map<string, Memo<ValueInfo>>();
  private readonly typeIris = new Map<string, Memo<string>>();
  private readonly typeCtxs = new Map<string, unknown>();
  private readonly propTrans = new Map<unknown, Memo<State>>();
  private readonly typeTrans = new Map<unknown, Memo<State>>();
  private readonly topTrans = new Map<string, Memo<State>>();

  constructor(
    private readonly compiler: Compiler,
    readonly ctx: ActiveContext,
  ) {
    this.hasPrevious = !!ctx.previousContext;
  }

  /**
   * Memo tables only hold names the active context defines (and keywords): their number is bounded by the pinned
   * contexts, whereas names taken from the input (possibly an attacker's) would grow them without limit.
   */
  private memoizable(name: string): boolean {
    return this.ctx.mappings.has(name) || this.compiler.api.isKeyword(name);
  }

  /** `expandIri(ctx, key, {vocab: true})`. */
  expandKey(key: string): string | null {
    let e = this.keyExp.get(key);
    if (e === undefined && !this.keyExp.has(key)) {
      e = this.compiler.api.expandIri(this.ctx, key, { vocab: true }, this.compiler.options);
      if (this.memoizable(key)) this.keyExp.set(key, e);
    }
    return e ?? null;
  }

  /** Looks `name` up in `memo`, computing (and keeping, when the name is a defined term) on a miss; throws a kept bail. */
  private memo<T>(memo: Map<string, Memo<T>>, name: string, compute: () => Memo<T>): T {
    let info = memo.get(name);
    if (info === undefined) {
      info = compute();
      if (this.memoizable(name)) memo.set(name, info);
    }
    if (info instanceof Bail) throw info;
    return info;
  }

  keyInfo(key: string): KeyInfo {
    return this.memo(this.keys, key, () => this.computeKeyInfo(key));
  }

  private computeKeyInfo(key: string): Memo<KeyInfo> {
    const { api } = this.compiler;
    if (key === '@context') return new Bail('embedded @context');
    const e = this.expandKey(key);
    if (e === null) return new Bail('key expands to nothing');
    if (api.isKeyword(e)) {
      if (e === '@id' || e === '@type') return { iri: e, keyword: e, scoped: undefined, list: false };
      return new Bail('keyword outside the subset');
    }
    if (!ABSOLUTE_IRI.test(e)) return new Bail('key is not an absolute IRI');
    if (e.startsWith('_:')) return new Bail('blank node predicate');
    const mapping = this.ctx.mappings.get(key);
    if (mapping && mapping.reverse) return new Bail('reverse property');
    const container = (api.getContextValue(this.ctx, key, '@container') ?? []) as string[];
    for (const c of container) if (c !== '@set' && c !== '@list') return new Bail('container outside the subset');
    if (api.getContextValue(this.ctx, key, '@type') === '@json') return new Bail('@json');
    return { iri: e, keyword: null, scoped: api.getContextValue(this.ctx, key, '@context'), list: container.includes('@list') };
  }

  valueInfo(key: string): ValueInfo {
    return this.memo(this.values, key, () => this.computeValueInfo(key));
  }

  private computeValueInfo(key: string): Memo<ValueInfo> {
    const { api } = this.compiler;
    const e = this.expandKey(key);
    if (e === null || api.isKeyword(e)) return new Bail('value under a keyword property');
    const mapping = this.ctx.mappings.get(key);
    if (mapping && mapping.reverse) return new Bail('reverse property');
    const type = api.getContextValue(this.ctx, key, '@type');
    let kind: ValueInfo['kind'] = 0;
    let datatype: string | undefined;
    if (type === '@id') kind = 1;
    else if (type === '@vocab') kind = 2;
    else if (type === null || type === undefined || type === '@none') kind = 0;
    else if (typeof type === 'string' && ABSOLUTE_IRI.test(type) && !type.startsWith('_:')) {
      kind = 3;
      datatype = type;
    } else return new Bail('coercion outside the subset');
    const stringBail =
      api.getContextValue(this.ctx, key, '@language') !== null || api.getContextValue(this.ctx, key, '@direction') !== null;
    return { kind, datatype, stringBail, scoped: api.getContextValue(this.ctx, key, '@context') };
  }

  /** `expandIri(typeScopedContext, type, {base: true, vocab: true})`, absolute and not a blank node. */
  typeIri(type: string): string {
    return this.memo(this.typeIris, type, () => {
      const e = this.compiler.api.expandIri(this.ctx, type, { base: true, vocab: true }, { ...this.compiler.options, typeExpansion: true });
      return e !== null && ABSOLUTE_IRI.test(e) && !e.startsWith('_:') ? e : new Bail('type is not an absolute IRI');
    });
  }

  /** Type-scoped context of a type name (`undefined` when none). */
  typeContext(type: string): unknown {
    if (this.typeCtxs.has(type)) return this.typeCtxs.get(type);
    if (!this.ctx.mappings.has(type)) return undefined; // jsonld.js: no term definition, no scoped context
    const c = this.compiler.api.getContextValue(this.ctx, type, '@context');
    this.typeCtxs.set(type, c);
    return c;
  }

  /** An `@id` value (`vocab` for `@vocab` coercion); absolute and not a blank node, else bail. */
  expandId(value: string, vocab: boolean): string {
    const e = this.compiler.api.expandIri(this.ctx, value, vocab ? { vocab: true, base: true } : { base: true }, this.compiler.options);
    if (e === null || !ABSOLUTE_IRI.test(e) || e.startsWith('_:')) throw new Bail('id is not an absolute IRI');
    return e;
  }

  /** `activeCtx.revertToPreviousContext()`, memoized (jsonld.js returns a fresh clone each time). */
  revert(): State {
    if (!this.hasPrevious) return this;
    this.reverted ??= this.compiler.wrap(this.ctx.revertToPreviousContext());
    return this.reverted;
  }

  viaProperty(scoped: unknown): State {
    return this.transition(this.propTrans, scoped, scoped, { propagate: true, overrideProtected: true });
  }

  viaType(scoped: unknown): State {
    return this.transition(this.typeTrans, scoped, scoped, { propagate: false });
  }

  /** The document's own top-level `@context`, a list of URLs (only pinned URLs reach here). */
  viaTop(urls: readonly string[]): State {
    const key = contextListKey(urls);
    // Distinct top-level context lists come from the input: keep their number bounded.
    if (this.topTrans.size >= MAX_TOP_CONTEXTS && !this.topTrans.has(key)) throw new Bail('too many distinct top-level context lists');
    return this.transition(this.topTrans, key, urls, {});
  }

  private transition<K>(
    map: Map<K, Memo<State>>,
    key: K,
    localCtx: unknown,
    flags: { propagate?: boolean; overrideProtected?: boolean },
  ): State {
    const hit = map.get(key);
    if (hit instanceof State) return hit;
    if (hit instanceof Bail) throw hit;
    throw new NeedCompile(async () => {
      try {
        const ctx = await this.compiler.api.process({ activeCtx: this.ctx, localCtx, options: this.compiler.options, ...flags });
        map.set(key, this.compiler.wrap(ctx));
      } catch (e) {
        map.set(key, e instanceof Bail ? e : new Bail('context processing failed'));
      }
    });
  }
}

/** Holds the pinned loader, the jsonld.js options and every compiled state. */
export class Compiler {
  readonly api = jsonldContextApi();
  readonly options: JsonldOptions;
  readonly initial: State;
  /** Every context URL the compiler has loaded (the per-loader guard checks them). */
  readonly loadedUrls = new Set<string>();
  private readonly states = new WeakMap<ActiveContext, State>();
  stateCount = 0;

  constructor() {
    const contexts = bundledContexts();
    const loadedUrls = this.loadedUrls;
    this.options = {
      documentLoader: async (url: string) => {
        const document = contexts.get(url);
        if (document === undefined) throw new Bail('context is not pinned');
        loadedUrls.add(url);
        return { contextUrl: null, documentUrl: url, document, tag: 'static' };
      },
      contextResolver: newContextResolver(),
      base: null,
      safe: true,
      // Stock runs in safe mode, where these events are errors; here any event at all means "let stock decide".
      eventHandler: ({ event }: { event: { code?: string } }) => {
        throw new Bail(`jsonld.js event ${String(event?.code ?? '')}`);
      },
    };
    this.initial = this.wrap(this.api.getInitialContext({}));
  }

  wrap(ctx: ActiveContext): State {
    let s = this.states.get(ctx);
    if (!s) {
      s = new State(this, ctx);
      this.states.set(ctx, s);
      this.stateCount++;
    }
    return s;
  }
}
