/**
 * OpenID Federation 1.0 trust anchors as issuer registries (the DCC "oidf" registries): the trust anchor's entity
 * configuration (a JWT at `{entity id}/.well-known/openid-federation`, signed with a key of its own `jwks`) names
 * its `federation_fetch_endpoint`; asking that endpoint with `?sub={issuer DID}` returns the subordinate statement
 * about the issuer (HTTP 404 when the issuer is not a subordinate), whose `metadata.federation_entity` gives the
 * `organization_name`, `homepage_uri` and `logo_uri` the Learner Credential Wallet and VerifierPlus show.
 *
 * Unlike those apps (which decode the statements without checking them), both statements are verified here: typ
 * `entity-statement+jwt`, signed by a key of the trust anchor's `jwks`, `iss` the trust anchor, `sub` as asked,
 * `iat` and `exp` present and `exp` not passed. The trust anchor's keys come from its entity configuration fetched
 * over https from the configured URL (the deployment's choice of trust anchor is the root of trust).
 */
import { decodeProtectedHeader, jwtVerify, createLocalJWKSet, type JSONWebKeySet, type JWTPayload } from 'jose';
import { MicrocredError } from '../errors.js';
import type { FetchedDocument } from '../lib/guarded-fetch.js';
import type { Parsed } from './http-cache.js';

export const OIDF_WELL_KNOWN = '/.well-known/openid-federation';
export const ENTITY_STATEMENT_TYP = 'entity-statement+jwt';
export const ENTITY_STATEMENT_ACCEPT = 'application/entity-statement+jwt';
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'EdDSA'];

/** A verified trust anchor entity configuration. */
export interface TrustAnchor {
  entityId: string;
  fetchEndpoint: string;
  jwks: JSONWebKeySet;
  /** `metadata.federation_entity.organization_name` of the trust anchor, if any. */
  organizationName?: string;
}

/** A verified subordinate statement about an issuer, as far as it is shown. */
export interface FederationEntity {
  name?: string;
  url?: string;
  logo?: string;
  location?: string;
}

function bad(url: string, why: string): MicrocredError {
  return new MicrocredError('TRUST_LIST_INVALID', `The OpenID Federation statement at ${url} is not valid: ${why}`, { url });
}

function text(doc: FetchedDocument): string {
  return new TextDecoder().decode(doc.body).trim();
}

/** The entity id whose entity configuration is at `url`, or undefined when `url` is not such a location. */
export function entityIdOf(url: string): string | undefined {
  return url.endsWith(OIDF_WELL_KNOWN) ? url.slice(0, -OIDF_WELL_KNOWN.length) : undefined;
}

async function verifyStatement(
  jwt: string,
  jwks: JSONWebKeySet,
  url: string,
  expected: { iss: string; sub: string },
  now: number,
): Promise<JWTPayload> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jwt)) throw bad(url, 'the answer is not a signed JWT.');
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw bad(url, 'its header cannot be read.');
  }
  if (header.typ !== ENTITY_STATEMENT_TYP) throw bad(url, `its type is ${JSON.stringify(header.typ ?? null)}, not "${ENTITY_STATEMENT_TYP}".`);
  if (header.crit !== undefined) throw bad(url, 'it has a "crit" header, which microcred does not understand.');
  try {
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
      algorithms: ALGORITHMS,
      issuer: expected.iss,
      subject: expected.sub,
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date(now),
    });
    return payload;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw bad(url, 'it has expired.');
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY') {
      throw bad(url, "it is not signed with a key of the trust anchor's entity configuration.");
    }
    throw bad(url, `${(e as Error).message}.`);
  }
}

/**
 * Verifies a trust anchor's entity configuration fetched from `doc.url` (self-signed, iss = sub = the entity id
 * that URL names) and returns it with its expiry.
 *
 * @example
 * ```ts
 * const anchor = await readTrustAnchor(await fetch('https://registry.example/.well-known/openid-federation'), Date.now());
 * anchor.value.fetchEndpoint; // 'https://registry.example/fetch'
 * ```
 */
export async function readTrustAnchor(doc: FetchedDocument, configuredUrl: string, now: number): Promise<Parsed<TrustAnchor>> {
  const entityId = entityIdOf(configuredUrl);
  if (!entityId) throw bad(configuredUrl, `an entity configuration is published at the entity id followed by ${OIDF_WELL_KNOWN}, and this URL is not.`);
  const jwt = text(doc);
  let claimed: JWTPayload;
  try {
    claimed = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as JWTPayload;
  } catch {
    throw bad(configuredUrl, 'the answer is not a signed JWT.');
  }
  const jwks = (claimed as { jwks?: unknown }).jwks as JSONWebKeySet | undefined;
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) throw bad(configuredUrl, 'it has no "jwks" to verify it with.');
  const payload = await verifyStatement(jwt, jwks, configuredUrl, { iss: entityId, sub: entityId }, now);
  const fe = ((payload.metadata as Record<string, unknown> | undefined)?.federation_entity ?? {}) as Record<string, unknown>;
  const fetchEndpoint = fe.federation_fetch_endpoint;
  if (typeof fetchEndpoint !== 'string' || !/^https?:\/\//.test(fetchEndpoint)) {
    throw bad(configuredUrl, 'it names no federation_fetch_endpoint, so its subordinates cannot be looked up.');
  }
  return {
    value: {
      entityId,
      fetchEndpoint,
      jwks,
      ...(typeof fe.organization_name === 'string' && fe.organization_name.trim() ? { organizationName: fe.organization_name.trim() } : {}),
    },
    expiresAt: (payload.exp as number) * 1000,
  };
}

/**
 * The fetch endpoint URL asking about `sub` (OpenID Federation 1.0 §8.1.1: the `sub` query parameter).
 *
 * @example
 * ```ts
 * fetchUrl('https://registry.example/fetch', 'did:web:uni.example'); // 'https://registry.example/fetch?sub=did%3Aweb%3Auni.example'
 * ```
 */
export function fetchUrl(endpoint: string, sub: string): string {
  const url = new URL(endpoint);
  url.searchParams.set('sub', sub);
  return url.href;
}

/** Verifies the subordinate statement about `sub` issued by `anchor`, and reads what is shown of it. */
export async function readSubordinateStatement(doc: FetchedDocument, anchor: TrustAnchor, sub: string, now: number): Promise<Parsed<FederationEntity>> {
  const payload = await verifyStatement(text(doc), anchor.jwks, doc.url, { iss: anchor.entityId, sub }, now);
  const metadata = (payload.metadata ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const fe = metadata.federation_entity ?? {};
  const legal = metadata.institution_additional_information?.legal_name;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const name = str(fe.organization_name) ?? str(legal);
  const url = str(fe.homepage_uri);
  const logo = str(fe.logo_uri);
  const location = str(fe.location);
  return {
    value: {
      ...(name ? { name } : {}),
      ...(url && /^https?:\/\//.test(url) ? { url } : {}),
      ...(logo && /^(https:\/\/|data:image\/)/.test(logo) ? { logo } : {}),
      ...(location ? { location } : {}),
    },
    expiresAt: (payload.exp as number) * 1000,
  };
}
