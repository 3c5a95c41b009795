/**
 * Credentials as compact JWS, signed with `jose`, in one of two profiles (`JwtProfile`):
 *
 * `ob-vc-jwt`, the VC-JWT of Open Badges 3.0 (§8.2), the default for Open Badges credentials because OB validators
 * check it:
 * - header `{ alg, kid, typ: "JWT" }` and nothing else (OB allows no other JOSE headers);
 * - the payload is the credential itself (VC 2.0) plus the registered claims `iss` = issuer.id, `jti` = id,
 *   `sub` = credentialSubject.id, `nbf` = validFrom, `exp` = validUntil. `sub` is left out when the subject has no
 *   `id` (OB allows a subject identified only by `identifier`; any other `sub` would contradict sub =
 *   credentialSubject.id).
 *
 * `vc-jose-cose`, W3C Securing Verifiable Credentials using JOSE and COSE §3.1.1 (media type `application/vc+jwt`),
 * the default for any other credential:
 * - header `{ alg, kid, typ: "vc+jwt", cty: "vc" }`, `kid` the absolute URL of the verification method (the spec's
 *   rule when there is no `iss`);
 * - the payload is exactly the credential ("the unsecured verifiable credential is the unencoded JWS payload"): no
 *   claims are added, and a credential with a `vc` or `vp` member is refused (they MUST NOT be present).
 *
 * Neither adds `iat`: the output is deterministic for EdDSA.
 */
import { SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import { MicrocredError } from '../errors.js';

/** JWS algorithms microcred signs and verifies with (it also verifies RS256, which it does not sign). */
export type JwsAlg = 'ES256' | 'ES384' | 'EdDSA';

const JWS_ALGS: readonly JwsAlg[] = ['ES256', 'ES384', 'EdDSA'];

/** `ob-vc-jwt`: Open Badges 3.0 VC-JWT; `vc-jose-cose`: W3C VC-JOSE-COSE `application/vc+jwt`. */
export type JwtProfile = 'ob-vc-jwt' | 'vc-jose-cose';

/**
 * The VC-JWT profiles microcred signs and verifies.
 *
 * @example
 * ```ts
 * if (!JWT_PROFILES.includes(asked)) throw new Error(`profile must be one of ${JWT_PROFILES.join(', ')}`);
 * ```
 */
export const JWT_PROFILES: readonly JwtProfile[] = ['ob-vc-jwt', 'vc-jose-cose'];

/** The VC-JOSE-COSE header values for a credential (§3.1.1: `typ` SHOULD be `vc+jwt`, `cty` SHOULD be `vc`). */
export const VC_JOSE_COSE_TYP = 'vc+jwt';
export const VC_JOSE_COSE_CTY = 'vc';

export interface JwtSignOptions {
  alg: JwsAlg;
  /** The verification method id of the key (header `kid`). */
  kid: string;
  /** Private key: a Node KeyObject (P-256 for ES256, P-384 for ES384, Ed25519 for EdDSA), e.g. `KeySet#signingKey(kid)`. */
  key: KeyObject;
  /** Default `ob-vc-jwt` (see the module comment). */
  profile?: JwtProfile;
}

/**
 * The profile of a JWT from its protected header: `vc-jose-cose` when `typ` is `vc+jwt` (or its media type
 * `application/vc+jwt`) or `cty` is `vc` / `application/vc` (OB allows no `cty`); `ob-vc-jwt` otherwise (typ `JWT`,
 * none, or anything else, which a verifier reports).
 *
 * @example
 * ```ts
 * jwtProfileOf({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc' }); // 'vc-jose-cose'
 * jwtProfileOf({ alg: 'RS256', typ: 'JWT' }); // 'ob-vc-jwt'
 * ```
 */
export function jwtProfileOf(header: Record<string, unknown>): JwtProfile {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  const cty = typeof header.cty === 'string' ? header.cty.toLowerCase() : undefined;
  if (typ === VC_JOSE_COSE_TYP || typ === `application/${VC_JOSE_COSE_TYP}`) return 'vc-jose-cose';
  if (cty === VC_JOSE_COSE_CTY || cty === `application/${VC_JOSE_COSE_CTY}`) return 'vc-jose-cose';
  return 'ob-vc-jwt';
}

/**
 * The profile used when the caller names none: `ob-vc-jwt` for Open Badges credentials (`OpenBadgeCredential`,
 * `AchievementCredential`, `EndorsementCredential`), `vc-jose-cose` for any other credential.
 *
 * @example
 * ```ts
 * defaultJwtProfile({ type: ['VerifiableCredential', 'OpenBadgeCredential'] }); // 'ob-vc-jwt'
 * ```
 */
export function defaultJwtProfile(credential: Record<string, unknown>): JwtProfile {
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  const ob = ['OpenBadgeCredential', 'AchievementCredential', 'EndorsementCredential'];
  return types.some((t) => ob.includes(t as string)) ? 'ob-vc-jwt' : 'vc-jose-cose';
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
 * Signs a VC 2.0 credential as a compact JWS in the OB 3.0 VC-JWT profile (default) or the VC-JOSE-COSE one.
 *
 * @throws MicrocredError `UNSUPPORTED` for another alg or profile, `CREDENTIAL_INVALID` for a credential the profile
 *   cannot carry (OB: no issuer.id, id or validFrom; VC-JOSE-COSE: a `vc`/`vp` member), `SIGNING_FAILED`.
 * @example
 * ```ts
 * const key = keys.activeKey('jwt');
 * const jws = await signJwt(credential, { alg: 'ES256', kid: key.id, key: keys.signingKey(key.id) });
 * const vcJwt = await signJwt(credential, { alg: 'ES256', kid: key.id, key: keys.signingKey(key.id), profile: 'vc-jose-cose' });
 * ```
 */
export async function signJwt(credential: Record<string, unknown>, options: JwtSignOptions): Promise<string> {
  if (!JWS_ALGS.includes(options.alg)) {
    throw new MicrocredError('UNSUPPORTED', `JWT alg must be one of ${JWS_ALGS.map((a) => `"${a}"`).join(', ')}; found ${JSON.stringify(options.alg)}.`, {
      option: 'alg',
      found: options.alg,
    });
  }
  const profile = options.profile ?? 'ob-vc-jwt';
  if (!JWT_PROFILES.includes(profile)) {
    throw new MicrocredError('UNSUPPORTED', `JWT profile must be "ob-vc-jwt" or "vc-jose-cose"; found ${JSON.stringify(profile)}.`, {
      option: 'profile',
      found: profile,
    });
  }
  let payload: Record<string, unknown>;
  let header: { alg: JwsAlg; kid: string; typ: string; cty?: string };
  if (profile === 'vc-jose-cose') {
    for (const member of ['vc', 'vp']) {
      if (Object.prototype.hasOwnProperty.call(credential, member)) {
        throw new MicrocredError(
          'CREDENTIAL_INVALID',
          `Cannot make a VC-JOSE-COSE JWT: the credential has a "${member}" member, a JWT claim name that must not appear in one.`,
          { path: `$.${member}` },
        );
      }
    }
    payload = credential;
    header = { alg: options.alg, kid: options.kid, typ: VC_JOSE_COSE_TYP, cty: VC_JOSE_COSE_CTY };
  } else {
    payload = { ...credential, ...jwtClaims(credential) };
    header = { alg: options.alg, kid: options.kid, typ: 'JWT' };
  }
  try {
    return await new SignJWT(payload).setProtectedHeader(header).sign(options.key);
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
