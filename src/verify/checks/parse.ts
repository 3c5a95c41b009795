/**
 * Check "parse": reads the input as a credential (JSON object or text) or a compact JWT (also a JSON string that
 * wraps one), and works out its format and data-model version.
 */
import type { Check } from '../types.js';

export const VC1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const VC2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
/** Registered JWT claims that are not part of the credential itself. */
const JWT_CLAIMS = ['iss', 'jti', 'sub', 'nbf', 'exp', 'iat', 'aud'];

export interface Parsed {
  check: Check;
  credential?: Record<string, unknown>;
  format?: 'di' | 'jwt';
  jwt?: { compact: string; header: Record<string, unknown>; payload: Record<string, unknown>; vc11Claim: boolean };
  vcVersion: 1 | 2;
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

/**
 * True when the text is a compact JWS (three base64url segments), as a VC-JWT credential is sent.
 *
 * @example
 * ```ts
 * isCompactJws('eyJhbGciOiJFZERTQSJ9.eyJ9.c2ln'); // true
 * isCompactJws('{"@context": []}'); // false
 * ```
 */
export function isCompactJws(text: string): boolean {
  return JWS.test(text.trim());
}

export function contextsOf(credential: Record<string, unknown>): unknown[] {
  const c = credential['@context'];
  return Array.isArray(c) ? c : c === undefined ? [] : [c];
}

export function parseInput(input: unknown): Parsed {
  let value: unknown = input;
  if (typeof value === 'string') {
    const text = value.trim();
    if (JWS.test(text)) return parseJwt(text);
    try {
      value = JSON.parse(text);
    } catch (e) {
      return fail(`The input is neither a JSON credential nor a JWT, so it could not be read (${(e as Error).message}).`);
    }
    if (typeof value === 'string') {
      const inner = value.trim();
      if (JWS.test(inner)) return parseJwt(inner);
      return fail('The input is a JSON string, but not a JWT credential.');
    }
  }
  if (!isObject(value)) {
    return fail(`The input must be a credential (a JSON object) or a JWT; found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}.`);
  }
  return describe(value, Object.prototype.hasOwnProperty.call(value, 'proof') ? 'di' : undefined);
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
  const parsed = describe(credential, 'jwt');
  if (parsed.check.status === 'fail') return parsed;
  return { ...parsed, jwt: { compact, header, payload, vc11Claim } };
}

function describe(credential: Record<string, unknown>, format: 'di' | 'jwt' | undefined): Parsed {
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
  return {
    check: { id: 'parse', status: 'pass', message: `The credential was read: ${kind} in ${model}, ${how}.` },
    credential,
    ...(format ? { format } : {}),
    vcVersion,
  };
}
