/**
 * Reading trust list documents: microcred's simple list, a DCC issuer registry and the DCC list of registries, told
 * apart by their shape and checked against their JSON Schemas (ajv, strict). A document that is not valid JSON or
 * has the wrong shape is a `TRUST_LIST_INVALID` error naming the source and every problem (JSON path, what was
 * expected, what was found).
 */
import { MicrocredError } from '../errors.js';
import { createStrictAjv, lazyValidator, readSchema, type ErrorObject } from '../lib/ajv.js';
import { problemsFromAjv, type RecordProblem } from '../record/problems.js';
import { normaliseDomain } from './host.js';
import type { TrustListFormat } from './types.js';

/** One issuer of a static list (microcred list or DCC registry). */
export interface ListedIssuer {
  name: string;
  url?: string;
  logo?: string;
  location?: string;
}

/** A list whose entries are all in the document. */
export interface StaticList {
  format: 'microcred' | 'dcc-registry';
  /** The document's own name (microcred lists), else undefined (DCC registries name themselves in the list of registries). */
  name?: string;
  /** Exact identifiers. */
  ids: Map<string, ListedIssuer & { matched: string }>;
  /** Hosts, normalised (`normaliseDomain`). */
  domains: Map<string, ListedIssuer & { matched: string }>;
}

/** One entry of a DCC list of registries. */
export interface KnownRegistry {
  name: string;
  type: string;
  url?: string;
  trustAnchorEC?: string;
}

export interface RegistryList {
  format: 'dcc-known-registries';
  registries: KnownRegistry[];
}

export type TrustDocument = StaticList | RegistryList;

const ajv = createStrictAjv();
const validators = {
  microcred: lazyValidator(() => ajv.compile(readSchema('trust-list.schema.json'))),
  'dcc-registry': lazyValidator(() => ajv.compile(readSchema('dcc-issuer-registry.schema.json'))),
  'dcc-known-registries': lazyValidator(() => ajv.compile(readSchema('dcc-known-registries.schema.json'))),
};

/** The phrase for an error whose own message is not plain (exactly one of id/domain). */
function expectedOf(err: ErrorObject): string | undefined {
  if (err.keyword === 'oneOf' && /^\/issuers\/\d+$/.test(err.instancePath)) {
    return 'exactly one of "id" (the issuer\'s identifier) or "domain" (the host its identifier is published at)';
  }
  if (err.keyword === 'pattern' && err.instancePath.endsWith('/domain')) return 'a host name such as credentials.example.ac.uk';
  if (err.keyword === 'pattern' && err.instancePath.endsWith('/id')) return 'a DID (did:web:…, did:key:…) or an https URL';
  if (err.keyword === 'pattern' && /\/(name|location)$/.test(err.instancePath)) return 'a single line of at most 300 characters without control characters';
  if (err.keyword === 'propertyNames') return 'issuers keyed by their DID (did:…)';
  return undefined;
}

function invalid(source: string, what: string, problems: RecordProblem[] | string): MicrocredError {
  const list = typeof problems === 'string' ? problems : problems.map((p) => `- ${p.message}`).join('\n');
  const message =
    typeof problems === 'string'
      ? `The trust list ${source} is not ${what}: ${problems}`
      : `The trust list ${source} is not ${what}; it has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${list}`;
  return new MicrocredError('TRUST_LIST_INVALID', message, { source, ...(typeof problems === 'string' ? {} : { problems }) });
}

/** The format a parsed JSON document has by its shape, or undefined. */
function shapeOf(json: unknown): Exclude<TrustListFormat, 'oidf' | 'hosted'> | undefined {
  if (Array.isArray(json)) return 'dcc-known-registries';
  if (!json || typeof json !== 'object') return undefined;
  if ('issuers' in json) return 'microcred';
  if ('registry' in json) return 'dcc-registry';
  return undefined;
}

const WHAT: Record<Exclude<TrustListFormat, 'oidf' | 'hosted'>, string> = {
  microcred: 'a valid microcred trust list',
  'dcc-registry': 'a valid DCC issuer registry',
  'dcc-known-registries': 'a valid DCC list of registries',
};

/**
 * Reads a trust list document from its text. `expect` restricts the format (a DCC list of registries says what each
 * entry is).
 *
 * @throws MicrocredError `TRUST_LIST_INVALID` naming `source` and every problem.
 * @example
 * ```ts
 * const list = parseTrustList(readFileSync('trust.json', 'utf8'), 'trust.json');
 * list.format; // 'microcred'
 * ```
 */
export function parseTrustList(text: string, source: string, expect?: Exclude<TrustListFormat, 'oidf' | 'hosted'>): TrustDocument {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw invalid(source, 'valid JSON', `${(e as Error).message}.`);
  }
  const format = shapeOf(json);
  if (!format || (expect && format !== expect)) {
    throw invalid(
      source,
      expect ? WHAT[expect] : 'a trust list microcred reads',
      expect
        ? `expected ${expect === 'dcc-registry' ? 'an object with "registry" (issuers keyed by DID)' : expect === 'microcred' ? 'an object with "name" and "issuers"' : 'a list of registries'}, found ${describeShape(json)}.`
        : `expected a microcred trust list (an object with "name" and "issuers"), a DCC issuer registry (an object with "registry"), a DCC list of registries (a list of {"name", "type", "url" or "trustAnchorEC"}) or an OpenID Federation entity configuration (a signed JWT); found ${describeShape(json)}.`,
    );
  }
  const validate = validators[format]();
  if (!validate(json)) throw invalid(source, WHAT[format], problemsFromAjv(validate.errors, expectedOf));
  if (format === 'dcc-known-registries') {
    return {
      format,
      registries: (json as Record<string, unknown>[]).map((r) => ({
        name: String(r.name),
        type: String(r.type),
        ...(typeof r.url === 'string' ? { url: r.url } : {}),
        ...(typeof r.trustAnchorEC === 'string' ? { trustAnchorEC: r.trustAnchorEC } : {}),
      })),
    };
  }
  const ids: StaticList['ids'] = new Map();
  const domains: StaticList['domains'] = new Map();
  if (format === 'dcc-registry') {
    for (const [did, raw] of Object.entries((json as { registry: Record<string, Record<string, unknown>> }).registry)) {
      ids.set(did, { matched: did, ...listed(raw) });
    }
    return { format, ids, domains };
  }
  const doc = json as { name: string; issuers: Record<string, unknown>[] };
  const problems: RecordProblem[] = [];
  doc.issuers.forEach((raw, i) => {
    const entry = listed(raw);
    if (typeof raw.id === 'string') {
      if (ids.has(raw.id)) problems.push(duplicate(i, 'id', raw.id));
      ids.set(raw.id, { matched: raw.id, ...entry });
    } else {
      const host = normaliseDomain(String(raw.domain)) as string;
      if (domains.has(host)) problems.push(duplicate(i, 'domain', host));
      domains.set(host, { matched: host, ...entry });
    }
  });
  // One name per issuer: a list naming the same issuer twice is a mistake to fix, not a choice to make silently.
  if (problems.length > 0) throw invalid(source, WHAT.microcred, problems);
  return { format, name: doc.name, ids, domains };
}

function duplicate(i: number, field: 'id' | 'domain', value: string): RecordProblem {
  const path = `$.issuers[${i}].${field}`;
  const expected = `${field === 'id' ? 'an id' : 'a domain'} no other entry has`;
  const found = `${JSON.stringify(value)}, listed before`;
  return { path, expected, found, message: `${path}: expected ${expected}, found ${found}` };
}

function listed(raw: Record<string, unknown>): ListedIssuer {
  return {
    name: String(raw.name).trim(),
    ...(typeof raw.url === 'string' && /^https?:\/\//.test(raw.url) ? { url: raw.url } : {}),
    ...(typeof raw.logo === 'string' ? { logo: raw.logo } : {}),
    ...(typeof raw.location === 'string' && raw.location.trim() ? { location: raw.location.trim() } : {}),
  };
}

function describeShape(json: unknown): string {
  if (json === null) return 'null';
  if (Array.isArray(json)) return 'a list';
  if (typeof json === 'object') {
    const keys = Object.keys(json as object).slice(0, 5);
    return keys.length ? `an object with ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty object';
  }
  return typeof json === 'string' ? 'a string' : `a ${typeof json}`;
}
