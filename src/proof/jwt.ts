/**
 * VC-JWT as profiled by Open Badges 3.0 (§8.2), signed with `jose`.
 *
 * Where OB 3.0 differs from W3C VC-JOSE-COSE we follow OB, because OB validators check it:
 * - header `typ` is "JWT" (VC-JOSE-COSE: "vc+jwt"), and there is no `cty` (VC-JOSE-COSE: "vc");
 * - the header holds only `alg`, `kid`, `typ` (OB allows no other JOSE headers);
 * - the payload is the credential itself (VC 2.0) plus the registered claims `iss` = issuer.id, `jti` = id,
 *   `sub` = credentialSubject.id, `nbf` = validFrom, `exp` = validUntil (VC-JOSE-COSE does not require them).
 * `sub` is left out when the subject has no `id` (OB allows a subject identified only by `identifier`; any other
 * `sub` value would contradict the rule sub = credentialSubject.id). No `iat`: the output is deterministic.
 */
import { SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import { MicrocredError } from '../errors.js';

export type JwsAlg = 'ES256' | 'EdDSA';

export interface JwtSignOptions {
  alg: JwsAlg;
  /** The verification method id of the key (header `kid`). */
  kid: string;
  /** Private key: a Node KeyObject (P-256 for ES256, Ed25519 for EdDSA), e.g. `KeySet#signingKey(kid)`. */
  key: KeyObject;
}

/**
 * The JWT claims derived from a VC 2.0 credential (exported for verifiers and tests).
 *
 * @example
 * ```ts
 * jwtClaims(credential); // { iss, jti, sub?, nbf, exp? }
 * ```
 */
export function jwtClaims(credential: Record<string, unknown>): { iss: string; jti: string; sub?: string; nbf: number; exp?: number } {
  const issuer = credential.issuer;
  const iss = typeof issuer === 'string' ? issuer : (issuer as { id?: unknown } | undefined)?.id;
  if (typeof iss !== 'string' || iss === '') {
    throw invalid('issuer.id', 'a URI (the issuer)', issuer);
  }
  const jti = credential.id;
  if (typeof jti !== 'string' || jti === '') throw invalid('id', 'a URI (jti)', jti);
  const nbf = numericDate(credential.validFrom, 'validFrom', true) as number;
  const exp = numericDate(credential.validUntil, 'validUntil', false);
  const subject = Array.isArray(credential.credentialSubject)
    ? credential.credentialSubject.length === 1
      ? credential.credentialSubject[0]
      : undefined
    : credential.credentialSubject;
  const subId = (subject as { id?: unknown } | undefined)?.id;
  return {
    iss,
    jti,
    ...(typeof subId === 'string' && subId !== '' ? { sub: subId } : {}),
    nbf,
    ...(exp !== undefined ? { exp } : {}),
  };
}

/**
 * Signs a VC 2.0 credential as an OB 3.0 VC-JWT and returns the compact JWS.
 *
 * @example
 * ```ts
 * const key = keys.activeKey('jwt');
 * const jws = await signJwt(credential, { alg: 'ES256', kid: key.id, key: keys.signingKey(key.id) });
 * ```
 */
export async function signJwt(credential: Record<string, unknown>, options: JwtSignOptions): Promise<string> {
  if (options.alg !== 'ES256' && options.alg !== 'EdDSA') {
    throw new MicrocredError('UNSUPPORTED', `JWT alg must be "ES256" or "EdDSA"; found ${JSON.stringify(options.alg)}.`);
  }
  const claims = jwtClaims(credential);
  try {
    return await new SignJWT({ ...credential, ...claims })
      .setProtectedHeader({ alg: options.alg, kid: options.kid, typ: 'JWT' })
      .sign(options.key);
  } catch (e) {
    throw new MicrocredError(
      'SIGNING_FAILED',
      `Could not sign the JWT with ${options.alg} key ${options.kid}: ${(e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
}

function numericDate(value: unknown, field: string, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(field, 'an ISO 8601 date-time', value);
  return Math.floor(ms / 1000);
}

function invalid(field: string, expected: string, found: unknown): MicrocredError {
  return new MicrocredError(
    'CREDENTIAL_INVALID',
    `Cannot make a VC-JWT: ${field} must be ${expected}; found ${JSON.stringify(found) ?? 'nothing'}.`,
    { path: `$.${field}` },
  );
}

/**
 * Why a verifier must refuse a JOSE header, or undefined. `crit` (RFC 7515 §4.1.11) lists extensions the verifier
 * must understand, and microcred understands none; `b64: false` (RFC 7797) means the payload segment is not
 * base64url, so the credential a verifier decodes from it is not what was signed. `b64` is refused whatever its
 * value: OB 3.0 allows no such header, and RFC 7797 requires it to be listed in `crit`.
 *
 * @example
 * ```ts
 * joseHeaderProblem({ alg: 'EdDSA', b64: false, crit: ['b64'] }); // 'the token uses an unencoded payload …'
 * joseHeaderProblem({ alg: 'ES256', kid, typ: 'JWT' }); // undefined
 * ```
 */
export function joseHeaderProblem(header: Record<string, unknown>): string | undefined {
  if ('b64' in header) {
    return `the token uses an unencoded payload (header "b64": ${JSON.stringify(header.b64)}, RFC 7797), which credentials must not; the payload that would be read is not what was signed`;
  }
  if ('crit' in header) {
    return `the token's header marks extensions as critical (${JSON.stringify(header.crit)}) that microcred does not understand, so it must refuse the token (RFC 7515 §4.1.11)`;
  }
  return undefined;
}
