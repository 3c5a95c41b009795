/**
 * Check "parse": reads the input as a credential (JSON object or text) or a compact JWT (also a JSON string that
 * wraps one), works out its format and data-model version, and holds it to the W3C VC Data Model rules that can be
 * checked on the document (src/vcdm): a credential that breaks one fails here, naming each rule and JSON path, and
 * `conforming: false` tells the verifier to fetch nothing on its behalf (VC DM 2.0 §7.1 makes such a document a
 * MALFORMED_VALUE_ERROR whatever its proof says).
 */
import { isCompactJws } from '../../lib/jws.js';
import { checkCredential, VC1_CONTEXT, type ConformanceReport } from '../../vcdm/conformance.js';
import type { Check, CheckDetail } from '../types.js';

export { VC1_CONTEXT, VC2_CONTEXT } from '../../vcdm/conformance.js';
/** Registered JWT claims that are not part of the credential itself. */
const JWT_CLAIMS = ['iss', 'jti', 'sub', 'nbf', 'exp', 'iat', 'aud'];

export interface Parsed {
  check: Check;
  credential?: Record<string, unknown>;
  format?: 'di' | 'jwt';
  jwt?: { compact: string; header: Record<string, unknown>; payload: Record<string, unknown>; vc11Claim: boolean };
  vcVersion: 1 | 2;
  /** False when the credential breaks a VC Data Model rule (the parse check then fails and names each). */
  conforming?: boolean;
}

function fail(message: string): Parsed {
  return { check: { id: 'parse', status: 'fail', message }, vcVersion: 2 };
}

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}


export function contextsOf(credential: Record<string, unknown>): unknown[] {
  const c = credential['@context'];
  return Array.isArray(c) ? c : c === undefined ? [] : [c];
}

export function parseInput(input: unknown): Parsed {
  let value: unknown = input;
  if (typeof value === 'string') {
    const text = value.trim();
    if (isCompactJws(text)) return parseJwt(text);
    try {
      value = JSON.parse(text);
    } catch (e) {
      return fail(`The input is neither a JSON credential nor a JWT, so it could not be read (${(e as Error).message}).`);
    }
    if (typeof value === 'string') {
      const inner = value.trim();
      if (isCompactJws(inner)) return parseJwt(inner);
      return fail('The input is a JSON string, but not a JWT credential.');
    }
  }
  if (!isObject(value)) {
    return fail(`The input must be a credential (a JSON object) or a JWT; found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}.`);
  }
  return describe(value, Object.prototype.hasOwnProperty.call(value, 'proof') ? 'di' : undefined);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The JSON path of the first key or text value holding a lone surrogate, if any. */
function illFormedText(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? at : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = illFormedText(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const path = `${at}[${JSON.stringify(key)}]`;
    if (LONE_SURROGATE.test(key)) return path;
    const found = illFormedText(v, path);
    if (found) return found;
  }
  return undefined;
}

function parseJwt(compact: string): Parsed {
  const [h, p] = compact.split('.') as [string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = decodePart(h);
    payload = decodePart(p);
  } catch {
    return fail('The input looks like a JWT, but its header or payload is not readable JSON.');
  }
  if (!isObject(header) || !isObject(payload)) return fail('The JWT header and payload must both be JSON objects.');
  let credential: Record<string, unknown>;
  let vc11Claim = false;
  if (isObject(payload.vc)) {
    // VC 1.1 era: the credential sits in the `vc` claim.
    credential = { ...payload.vc };
    vc11Claim = true;
  } else if (payload['@context'] !== undefined) {
    // VC 2.0: the payload is the credential plus registered claims.
    credential = { ...payload };
    for (const claim of JWT_CLAIMS) delete credential[claim];
  } else {
    return fail('The JWT does not contain a credential (neither a "vc" claim nor a credential as its payload).');
  }
  const parsed = describe(credential, 'jwt', vc11Claim ? withJwtClaims(credential, payload) : credential);
  if (parsed.check.status === 'fail' && !parsed.credential) return parsed;
  return { ...parsed, jwt: { compact, header, payload, vc11Claim } };
}

/**
 * The credential of a VC 1.1 JWT as the data model sees it: VC-JWT 1.1 lets the `vc` claim leave out what the
 * registered claims carry (iss → issuer, nbf → issuanceDate, jti → id, sub → credentialSubject.id,
 * exp → expirationDate), so those are filled in before the data model rules are applied.
 */
function withJwtClaims(vc: Record<string, unknown>, payload: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = { ...vc };
  const date = (n: unknown) => (typeof n === 'number' ? new Date(n * 1000).toISOString().replace(/\.000Z$/, 'Z') : undefined);
  if (view.issuer === undefined && typeof payload.iss === 'string') view.issuer = payload.iss;
  if (view.issuanceDate === undefined && date(payload.nbf)) view.issuanceDate = date(payload.nbf);
  if (view.expirationDate === undefined && date(payload.exp)) view.expirationDate = date(payload.exp);
  if (view.id === undefined && typeof payload.jti === 'string') view.id = payload.jti;
  const subject = view.credentialSubject;
  if (typeof payload.sub === 'string' && isObject(subject) && subject.id === undefined) view.credentialSubject = { ...subject, id: payload.sub };
  return view;
}

const SHOWN_PROBLEMS = 5;

/** The parse check for a credential that breaks data model rules (errors), or conforms with warnings. */
function conformanceCheck(conformance: ConformanceReport, readable: string): Check {
  const spec = `the W3C Verifiable Credentials Data Model ${conformance.version}`;
  const details: CheckDetail[] = conformance.problems.map((p) => ({
    path: p.path,
    status: p.severity === 'error' ? 'fail' : 'warning',
    message: p.message,
    ...(p.severity === 'error' ? { code: 'MALFORMED_VALUE_ERROR' } : {}),
    rule: p.rule,
  }));
  const listed = (ps: typeof conformance.problems) =>
    ps.slice(0, SHOWN_PROBLEMS).map((p) => p.message).join(' ') + (ps.length > SHOWN_PROBLEMS ? ` And ${ps.length - SHOWN_PROBLEMS} more.` : '');
  const errors = conformance.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    return {
      id: 'parse',
      status: 'fail',
      code: 'MALFORMED_VALUE_ERROR',
      message:
        `The credential was read, but it does not follow ${spec}, so it is not valid whatever its signature says ` +
        `(${errors.length} problem${errors.length === 1 ? '' : 's'}): ${listed(errors)}`,
      details,
    };
  }
  return { id: 'parse', status: 'warning', message: `${readable} It follows ${spec}, with a remark: ${listed(conformance.problems)}`, details };
}

/** `view`: the credential as the data model rules see it (for a VC 1.1 JWT, with the JWT claims filled in). */
function describe(credential: Record<string, unknown>, format: 'di' | 'jwt' | undefined, view: Record<string, unknown> = credential): Parsed {
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  if (!types.includes('VerifiableCredential')) {
    return fail(
      `This is not a verifiable credential: its "type" must include "VerifiableCredential"; found ${JSON.stringify(credential.type ?? null)}.`,
    );
  }
  const first = contextsOf(credential)[0];
  const vcVersion: 1 | 2 = first === VC1_CONTEXT ? 1 : 2;
  const kind = types.includes('OpenBadgeCredential') || types.includes('AchievementCredential')
    ? 'an Open Badges credential'
    : types.includes('EndorsementCredential')
      ? 'an Open Badges endorsement'
      : 'a verifiable credential (not an Open Badge)';
  const model = vcVersion === 1 ? 'the older VC 1.1 format' : 'the VC 2.0 format';
  const how =
    format === 'jwt' ? 'signed as a JWT' : format === 'di' ? 'with an embedded Data Integrity proof' : 'without any signature';
  const readable = `The credential was read: ${kind} in ${model}, ${how}.`;
  const broken = illFormedText(credential, '$');
  if (broken !== undefined) {
    // A lone surrogate is hashed as U+FFFD (UTF-8 has no encoding for it), so two different documents would share one
    // signature: refuse what a signer could not have meant (RFC 8259 §8.1, I-JSON RFC 7493 §2.1).
    const message = `${readable} But it holds text that is not valid Unicode (a lone surrogate at ${broken}), which cannot be signed faithfully, so it is not valid.`;
    return { check: { id: 'parse', status: 'fail', code: 'MALFORMED_VALUE_ERROR', message }, vcVersion };
  }
  const conformance = checkCredential(view);
  return {
    check: conformance.problems.length > 0 ? conformanceCheck(conformance, readable) : { id: 'parse', status: 'pass', message: readable },
    credential,
    ...(format ? { format } : {}),
    vcVersion,
    conforming: conformance.conforming,
  };
}
