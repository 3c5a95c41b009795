/**
 * Checks a credential or a presentation against every rule of the W3C VC Data Model that can be decided on the
 * document alone (see rules.ts), and reports every problem at once, each with its JSON path and rule. Pure: no
 * JSON-LD processing, no fetching, no clock. What needs the contexts (undefined terms, redefined protected terms) is
 * for a JSON-LD processor: see jsonld.ts.
 *
 * The version is read from the first `@context` item: https://www.w3.org/2018/credentials/v1 selects the VC 1.1
 * rules (VC 1.1 credentials keep verifying under the rules they were written to); anything else is held to VC 2.0,
 * whose first rule then says what the first item must be.
 *
 * Decisions where the specification leaves room (each also in the README):
 * - Embedded credentials (OB endorsements inside a credential, credentials inside a presentation) are not part of
 *   the outer document's checks: they are credentials of their own, checked (and reported) on their own.
 * - `proof` and the inside of `@context` belong to their own specifications (Data Integrity, JSON-LD) and are not
 *   walked for `id`/`type` rules.
 * - A `credentialSubject` object making no claim other than its `id` is accepted, as the W3C test suite does
 *   (its accepted fixtures all have `{"id": …}` subjects); an empty object is refused.
 * - An empty `verifiableCredential` list in a presentation is accepted, as the W3C test suite's presentations are.
 */
import { isCompactJws } from '../lib/jws.js';
import { V1, V2, type DataModelRule, type DataModelVersion, type RuleSeverity } from './rules.js';
import { at, describe, instant, isDateTime, isDateTimeStamp, isLanguageTag, isObject, isUrl, items } from './values.js';

export const VC2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
// SRI hash-expression (SRI §3.5): hash-algo "-" base64-value.
const SRI = /^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$/;
// A multibase string: one base prefix character, then the encoded digest (no whitespace).
const MULTIBASE = /^[A-Za-z0-9][^\s]+$/;
const LANGUAGE_VALUE_KEYS = new Set(['@value', '@language', '@direction']);

/** One breach of one rule. */
export interface ConformanceProblem {
  /** The rule's stable id, e.g. `vc-2.0/4.7-issuer` (see DATA_MODEL_RULES). */
  rule: string;
  /** The data model version and section, e.g. `VC Data Model 2.0 §4.7`. */
  reference: string;
  /** `error`: the document does not conform; `warning`: it conforms, but something should be fixed. */
  severity: RuleSeverity;
  /** JSON path of the offending value (or of where a missing one belongs), e.g. `$.credentialStatus[1].type`. */
  path: string;
  expected: string;
  found: string;
  /** `<path>: expected <expected>, found <found> (<reference>)`: one sentence for people. */
  message: string;
}

export interface ConformanceReport {
  /** Which rules applied: `2.0`, or `1.1` for a document on the VC 1.1 context. */
  version: DataModelVersion;
  /** True when no problem is an error (warnings allowed). */
  conforming: boolean;
  problems: ConformanceProblem[];
}

export interface CheckOptions {
  /** Apply these rules whatever the `@context` says. Default: read from the first `@context` item. */
  version?: DataModelVersion;
}

type Rules = typeof V2 | typeof V1;

/** Collects problems; a path reported by a specific rule is not reported again by the generic walk. */
class Findings {
  readonly problems: ConformanceProblem[] = [];
  readonly reported = new Set<string>();

  /** `foundText` overrides how the found value is described. */
  add(rule: DataModelRule, path: string, expected: string, found: unknown, foundText = describe(found)): void {
    this.problems.push(conformanceProblem(rule, path, expected, foundText));
    this.reported.add(path);
  }
}

/**
 * Builds one problem and its sentence (internal; also used by the JSON-LD check).
 *
 * @example
 * ```ts
 * conformanceProblem(V2.issuer, '$.issuer', 'a URL', '"fake-issuer"').message;
 * // '$.issuer: expected a URL, found "fake-issuer" (VC Data Model 2.0 §4.7).'
 * ```
 */
export function conformanceProblem(rule: DataModelRule, path: string, expected: string, found: string): ConformanceProblem {
  const reference = `VC Data Model ${rule.version} §${rule.section}`;
  return { rule: rule.id, reference, severity: rule.severity, path, expected, found, message: `${path}: expected ${expected}, found ${found} (${reference}).` };
}

function versionOf(doc: Record<string, unknown>): DataModelVersion {
  const ctx = doc['@context'];
  const first = Array.isArray(ctx) ? ctx[0] : ctx;
  return first === VC1_CONTEXT ? '1.1' : '2.0';
}

function typesOf(value: unknown): string[] {
  return items(value).filter((t): t is string => typeof t === 'string');
}

/** True for an object that is a credential or presentation of its own (checked separately). */
function isEmbeddedDocument(value: Record<string, unknown>): boolean {
  const type = value.type;
  if (typeof type === 'string') return DOCUMENT_TYPES.has(type);
  if (!Array.isArray(type)) return false;
  for (const t of type) if (DOCUMENT_TYPES.has(t)) return true;
  return false;
}
const DOCUMENT_TYPES = new Set<unknown>(['VerifiableCredential', 'VerifiablePresentation', 'EnvelopedVerifiableCredential', 'EnvelopedVerifiablePresentation']);

function checkContext(f: Findings, r: Rules, doc: Record<string, unknown>, path: string): void {
  const first = r === V2 ? VC2_CONTEXT : VC1_CONTEXT;
  const ctx = doc['@context'];
  const p = at(path, '@context');
  if (!Array.isArray(ctx)) {
    f.add(r.context, p, `a list starting with "${first}"`, ctx);
    return;
  }
  if (ctx[0] !== first) f.add(r.context, at(p, 0), `"${first}" as the first item`, ctx[0], ctx.length === 0 ? 'an empty list' : undefined);
  ctx.slice(1).forEach((item, i) => {
    if (!isUrl(item) && !isObject(item)) f.add(r.context, at(p, i + 1), 'a context URL or a context object', item);
  });
}

/** `type` of the document itself: present, each value a term or URL, one of them `required`. */
function checkOwnType(f: Findings, r: Rules, doc: Record<string, unknown>, path: string, required: string, rule: DataModelRule): void {
  const p = at(path, 'type');
  const value = doc.type;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (typesOf(list).length === 0) {
    f.add(rule, p, `a type list that includes "${required}"`, value);
    return;
  }
  checkTypeValues(f, r, value, p);
  if (!typesOf(list).includes(required)) f.add(rule, p, `a type list that includes "${required}"`, value, JSON.stringify(value));
  f.reported.add(p);
}

const TYPE_NAME = /^\S+$/;
const isTypeName = (t: unknown) => typeof t === 'string' && TYPE_NAME.test(t);

function checkTypeValues(f: Findings, r: Rules, value: unknown, path: string): void {
  f.reported.add(path);
  if (!Array.isArray(value)) {
    if (!isTypeName(value)) f.add(r.type, path, 'a type name (a term or an absolute URL)', value);
    return;
  }
  if (value.length === 0) f.add(r.type, path, 'one or more type names', value);
  for (let i = 0; i < value.length; i++) {
    if (!isTypeName(value[i])) f.add(r.type, at(path, i), 'a type name (a term or an absolute URL)', value[i]);
  }
}

function checkIssuer(f: Findings, r: Rules, doc: Record<string, unknown>, path: string): void {
  const p = at(path, 'issuer');
  const issuer = doc.issuer;
  const expected = r === V2 ? 'a URL, or an object whose "id" is a URL' : 'a URI, or an object whose "id" is a URI';
  if (typeof issuer === 'string') {
    if (!isUrl(issuer)) f.add(r.issuer, p, expected, issuer);
  } else if (isObject(issuer)) {
    if (!isUrl(issuer.id)) f.add(r.issuer, at(p, 'id'), r === V2 ? 'a URL' : 'a URI', issuer.id);
    if (r === V2) checkNameDescription(f, issuer, p);
  } else {
    f.add(r.issuer, p, expected, issuer);
  }
}

function checkNameDescription(f: Findings, holder: Record<string, unknown>, path: string): void {
  for (const key of ['name', 'description'] as const) {
    if (!(key in holder)) continue;
    const value = holder[key];
    const p = at(path, key);
    const list = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && value.length === 0) f.add(V2.nameDescription, p, 'text or a language value object', value);
    list.forEach((v, i) => {
      if (typeof v === 'string') return;
      if (isObject(v) && '@value' in v) return; // its shape is the language value rule's
      f.add(V2.nameDescription, Array.isArray(value) ? at(p, i) : p, 'text or a language value object ({"@value": …, "@language": …})', v);
    });
  }
}

function checkSubject(f: Findings, r: Rules, doc: Record<string, unknown>, path: string): void {
  const p = at(path, 'credentialSubject');
  const subject = doc.credentialSubject;
  const expected = 'an object making at least one claim, or a list of such objects';
  if (subject === undefined) {
    f.add(r.credentialSubject, p, expected, subject);
    return;
  }
  if (Array.isArray(subject)) {
    if (subject.length === 0) f.add(r.credentialSubject, p, expected, subject);
    subject.forEach((s, i) => {
      if (!isObject(s) || Object.keys(s).length === 0) f.add(r.credentialSubject, at(p, i), 'an object making at least one claim', s);
    });
  } else if (!isObject(subject) || Object.keys(subject).length === 0) {
    f.add(r.credentialSubject, p, expected, subject);
  }
}

function checkValidity2(f: Findings, doc: Record<string, unknown>, path: string): void {
  const from = doc.validFrom;
  const until = doc.validUntil;
  const stamp = 'an XML Schema dateTimeStamp with a time zone, such as "2025-06-01T09:00:00Z"';
  if (from !== undefined && !isDateTimeStamp(from)) f.add(V2.validFrom, at(path, 'validFrom'), stamp, from);
  if (until !== undefined && !isDateTimeStamp(until)) f.add(V2.validUntil, at(path, 'validUntil'), stamp, until);
  if (isDateTimeStamp(from) && isDateTimeStamp(until) && (instant(from) as number) > (instant(until) as number)) {
    f.add(V2.validityOrder, at(path, 'validUntil'), `a date and time no earlier than validFrom (${from})`, until);
  }
}

function checkValidity1(f: Findings, doc: Record<string, unknown>, path: string): void {
  const dateTime = 'an XML Schema dateTime, such as "2022-06-01T09:00:00Z"';
  if (!isDateTime(doc.issuanceDate)) f.add(V1.issuanceDate, at(path, 'issuanceDate'), dateTime, doc.issuanceDate);
  if (doc.expirationDate !== undefined && !isDateTime(doc.expirationDate)) {
    f.add(V1.expirationDate, at(path, 'expirationDate'), dateTime, doc.expirationDate);
  }
}

/**
 * A property whose value is one object or a list of objects, each with a `type` (and an `id` where `needsId`).
 * The `type` and `id` values themselves are the generic walk's (4.4 and 4.5).
 */
function checkTypedObjects(f: Findings, rule: DataModelRule, doc: Record<string, unknown>, key: string, path: string, needsId: 'url' | false = false): void {
  if (!(key in doc)) return;
  const value = doc[key];
  const p = at(path, key);
  const what = needsId ? 'an object with a "type" and an "id"' : 'an object with a "type"';
  if (Array.isArray(value) && value.length === 0) {
    f.add(rule, p, `${what}, or a list of them`, value);
    return;
  }
  items(value).forEach((item, i) => {
    const ip = Array.isArray(value) ? at(p, i) : p;
    if (!isObject(item)) {
      f.add(rule, ip, what, item);
      return;
    }
    if (item.type === undefined) f.add(rule, at(ip, 'type'), 'a "type"', undefined);
    if (needsId) {
      if (item.id === undefined) f.add(rule, at(ip, 'id'), 'an "id" that is a URL', undefined);
      else if (!isUrl(item.id)) f.add(rule, at(ip, 'id'), 'a URL', item.id);
    }
  });
}

function checkRelatedResources(f: Findings, doc: Record<string, unknown>, path: string): void {
  if (!('relatedResource' in doc)) return;
  const value = doc.relatedResource;
  const p = at(path, 'relatedResource');
  const rule = V2.relatedResource;
  if (Array.isArray(value) && value.length === 0) f.add(rule, p, 'one or more related resource objects', value);
  const seen = new Map<string, string>();
  items(value).forEach((item, i) => {
    const ip = Array.isArray(value) ? at(p, i) : p;
    if (!isObject(item)) {
      f.add(rule, ip, 'an object with an "id" and a "digestSRI" or "digestMultibase"', item);
      return;
    }
    if (!isUrl(item.id)) {
      f.add(rule, at(ip, 'id'), item.id === undefined ? 'an "id" (the URL of the resource)' : 'a URL', item.id);
    } else if (seen.has(item.id)) {
      f.add(rule, at(ip, 'id'), `an id not already used by ${seen.get(item.id)}`, item.id);
    } else {
      seen.set(item.id, ip);
    }
    if (item.digestSRI === undefined && item.digestMultibase === undefined) {
      f.add(rule, ip, 'a "digestSRI" or a "digestMultibase"', undefined, 'neither');
    }
    const digests: [string, RegExp, string][] = [
      ['digestSRI', SRI, 'an SRI hash expression such as "sha384-…" (base64)'],
      ['digestMultibase', MULTIBASE, 'a multibase-encoded digest such as "uEi…"'],
    ];
    for (const [key, pattern, expected] of digests) {
      if (item[key] === undefined) continue;
      const list = items(item[key]);
      list.forEach((d, j) => {
        if (typeof d !== 'string' || !pattern.test(d)) f.add(rule, Array.isArray(item[key]) ? at(at(ip, key), j) : at(ip, key), expected, d);
      });
    }
  });
}

function checkLanguageValue(f: Findings, value: Record<string, unknown>, path: string): void {
  const extra = Object.keys(value).filter((k) => !LANGUAGE_VALUE_KEYS.has(k));
  if (typeof value['@value'] !== 'string') f.add(V2.languageValue, at(path, '@value'), 'text', value['@value']);
  for (const k of extra) f.add(V2.languageValue, at(path, k), 'only "@value", "@language" and "@direction"', value[k], `the extra key "${k}"`);
  const dir = value['@direction'];
  if (dir !== undefined && dir !== 'ltr' && dir !== 'rtl') f.add(V2.languageValue, at(path, '@direction'), '"ltr" or "rtl"', dir);
  const lang = value['@language'];
  if (lang !== undefined && !isLanguageTag(lang)) f.add(V2.languageTag, at(path, '@language'), 'a BCP 47 language tag such as "en"', lang);
}

/**
 * Every `id`, every `type` and every language value object in the document's own graph: not inside `@context`,
 * `proof`, or embedded credentials and presentations. Paths a specific rule already reported are skipped. The path
 * is kept as segments and written out only where a value is checked (a few hundred keys per credential).
 */
function walk(f: Findings, r: Rules, doc: unknown, base: string): void {
  const visit = (value: unknown, path: string, root: boolean): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, false);
      return;
    }
    if (!isObject(value)) return;
    if (!root && isEmbeddedDocument(value)) return;
    if (r === V2 && '@value' in value && !('@type' in value)) {
      checkLanguageValue(f, value, path);
      return;
    }
    // for-in (not Object.keys) lets V8 read `value[key]` through its enum cache: this loop runs for every key.
    for (const key in value) {
      if (key === '@context' || key === 'proof') continue;
      const v = value[key];
      if (key === 'id' || key === 'type') {
        const p = `${path}.${key}`;
        if (f.reported.has(p)) continue;
        if (key === 'type') checkTypeValues(f, r, v, p);
        else if (!isUrl(v)) f.add(r.id, p, r === V2 ? 'a single URL' : 'a single URI', v);
      } else if (v !== null && typeof v === 'object') {
        visit(v, at(path, key), false);
      }
    }
  };
  visit(doc, base, true);
}

function enveloped(f: Findings, rule: DataModelRule, doc: Record<string, unknown>, path: string, typeName: string): void {
  const ctx = doc['@context'];
  if (!items(ctx).includes(VC2_CONTEXT)) f.add(rule, at(path, '@context'), `a context that includes "${VC2_CONTEXT}"`, ctx);
  if (!typesOf(doc.type).includes(typeName)) f.add(rule, at(path, 'type'), `"${typeName}"`, doc.type);
  if (!isUrl(doc.id) || !doc.id.startsWith('data:')) f.add(rule, at(path, 'id'), 'a data: URL holding the secured document', doc.id);
}

function credentialInto(f: Findings, doc: unknown, path: string, version?: DataModelVersion): DataModelVersion {
  if (!isObject(doc)) {
    f.add(V2.credentialType, path, 'a credential (a JSON object)', doc);
    return version ?? '2.0';
  }
  if (typesOf(doc.type).includes('EnvelopedVerifiableCredential')) {
    enveloped(f, V2.envelopedCredential, doc, path, 'EnvelopedVerifiableCredential');
    return '2.0';
  }
  const v = version ?? versionOf(doc);
  const r: Rules = v === '1.1' ? V1 : V2;
  checkContext(f, r, doc, path);
  checkOwnType(f, r, doc, path, 'VerifiableCredential', r.credentialType);
  checkIssuer(f, r, doc, path);
  checkSubject(f, r, doc, path);
  if (r === V2) {
    checkNameDescription(f, doc, path);
    checkValidity2(f, doc, path);
    checkTypedObjects(f, V2.credentialStatus, doc, 'credentialStatus', path);
    checkTypedObjects(f, V2.credentialSchema, doc, 'credentialSchema', path, 'url');
    checkTypedObjects(f, V2.refreshService, doc, 'refreshService', path);
    checkTypedObjects(f, V2.termsOfUse, doc, 'termsOfUse', path);
    checkTypedObjects(f, V2.evidence, doc, 'evidence', path);
    checkTypedObjects(f, V2.reservedType, doc, 'confidenceMethod', path);
    checkTypedObjects(f, V2.reservedType, doc, 'renderMethod', path);
    checkRelatedResources(f, doc, path);
  } else {
    checkValidity1(f, doc, path);
    checkTypedObjects(f, V1.credentialStatus, doc, 'credentialStatus', path, 'url');
    checkTypedObjects(f, V1.credentialSchema, doc, 'credentialSchema', path, 'url');
    checkTypedObjects(f, V1.refreshService, doc, 'refreshService', path, 'url');
    checkTypedObjects(f, V1.termsOfUse, doc, 'termsOfUse', path);
    checkTypedObjects(f, V1.evidence, doc, 'evidence', path);
  }
  walk(f, r, doc, path);
  return v;
}

function report(version: DataModelVersion, f: Findings): ConformanceReport {
  return { version, conforming: f.problems.every((p) => p.severity !== 'error'), problems: f.problems };
}

/**
 * Checks a credential (also an `EnvelopedVerifiableCredential` object) against the VC Data Model rules of its
 * version, reporting every problem with its JSON path and rule.
 *
 * @example
 * ```ts
 * const { conforming, problems } = checkCredential(credential);
 * if (!conforming) for (const p of problems) console.log(p.rule, p.message);
 * // vc-2.0/4.7-issuer $.issuer: expected a URL, or an object whose "id" is a URL, found "fake-issuer" (VC Data Model 2.0 §4.7).
 * ```
 */
export function checkCredential(credential: unknown, options: CheckOptions = {}): ConformanceReport {
  const f = new Findings();
  const version = credentialInto(f, credential, '$', options.version);
  return report(version, f);
}

/**
 * Checks a presentation (also an `EnvelopedVerifiablePresentation` object) and every credential inside it; the
 * credentials' problems carry paths under `$.verifiableCredential[i]`.
 *
 * @example
 * ```ts
 * const { conforming, problems } = checkPresentation(vp);
 * // problems[0].path === '$.verifiableCredential[0]' for a credential sent as a string
 * ```
 */
export function checkPresentation(presentation: unknown, options: CheckOptions = {}): ConformanceReport {
  const f = new Findings();
  if (!isObject(presentation)) {
    f.add(V2.presentationType, '$', 'a presentation (a JSON object)', presentation);
    return report(options.version ?? '2.0', f);
  }
  if (typesOf(presentation.type).includes('EnvelopedVerifiablePresentation')) {
    enveloped(f, V2.envelopedPresentation, presentation, '$', 'EnvelopedVerifiablePresentation');
    return report('2.0', f);
  }
  const version = options.version ?? versionOf(presentation);
  const r: Rules = version === '1.1' ? V1 : V2;
  checkContext(f, r, presentation, '$');
  checkOwnType(f, r, presentation, '$', 'VerifiablePresentation', r.presentationType);
  if ('holder' in presentation && r === V2) {
    const holder = presentation.holder;
    if (isObject(holder) ? holder.id === undefined : !isUrl(holder)) f.add(V2.holder, '$.holder', 'a URL, or an object with an "id"', holder);
  }
  if (r === V2) checkTypedObjects(f, V2.termsOfUse, presentation, 'termsOfUse', '$');
  if ('verifiableCredential' in presentation) {
    const list = presentation.verifiableCredential;
    const base = '$.verifiableCredential';
    items(list).forEach((vc, i) => {
      const p = Array.isArray(list) ? at(base, i) : base;
      if (typeof vc === 'string' && r === V1 && isCompactJws(vc)) return; // a VC-JWT 1.1 credential
      if (!isObject(vc)) {
        f.add(r.verifiableCredential, p, r === V2 ? 'a credential object or an EnvelopedVerifiableCredential object' : 'a credential object or a compact JWT', vc);
        return;
      }
      // An object with a data: URL id and no credential type is an enveloped credential that lost its type.
      const types = typesOf(vc.type);
      if (!types.includes('VerifiableCredential') && typeof vc.id === 'string' && vc.id.startsWith('data:')) {
        enveloped(f, V2.envelopedCredential, vc, p, 'EnvelopedVerifiableCredential');
        return;
      }
      credentialInto(f, vc, p);
    });
    f.reported.add(base);
  }
  walk(f, r, presentation, '$');
  return report(version, f);
}
