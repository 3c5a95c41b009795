/**
 * OID4VCI 1.0, pre-authorized code flow, per issuer, as plain functions (a route passes the parsed body and the
 * headers and writes the answer): credential issuer and authorization server metadata, the credential offer
 * object, and the token, nonce and credential endpoints. Draft 13 requests are accepted too (`format` +
 * `credential_definition`, a single `proof`, `c_nonce` from the token answer), and answered in their shape.
 *
 * Protocol failures are answers with the OAuth / OID4VCI error bodies (`invalid_grant`, `invalid_proof`,
 * `invalid_nonce`, …); only an unknown issuer or offer URL is thrown as a problem.
 */
import { decodeJwt } from 'jose';
import { Oauth2ResourceUnauthorizedError, preAuthorizedCodeGrantIdentifier } from '@openid4vc/oauth2';
import { getCredential } from '../../store/credentials.js';
import { countWrongTxCode, findOffer, insertNonce, markCodeUsed, setOfferState, useNonce } from '../../store/offers.js';
import { getClaimSettings } from '../../store/offers.js';
import type { CopyFormat } from '../../store/offers.js';
import type { IssuerMetadataResult, Openid4vciIssuer } from '@openid4vc/openid4vci';
import type { LoadedIssuer, ServiceContext } from '../context.js';
import { HttpProblem } from '../problem.js';
import { claimOffer, offerProblem, offerUnusable } from '../wallet/copy.js';
import { didJwk } from '../wallet/holder.js';
import { json } from '../wallet/response.js';
import type { WalletResponse } from '../wallet/response.js';
import { hashPin, hashSecret, newSecret, preAuthorizedCode } from '../wallet/secrets.js';
import { walletUrls } from '../wallet/urls.js';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  CREDENTIAL_CONFIGURATIONS,
  NONCE_TTL_SECONDS,
  authorizationServer,
  authorizationServerMetadata,
  credentialIssuerMetadata,
  issuerMetadataResult,
  libraryError,
  oauthError,
  resourceServer,
  vciIssuer,
} from './issuer.js';

/** Headers as a route has them (names in any case; repeated headers joined or as arrays). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

function toHeaders(h: RequestHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
  return out;
}

/** Public documents: caches may keep them a few minutes. (Any origin may call these endpoints: their routes are `cors`.) */
const PUBLIC = { 'Cache-Control': 'public, max-age=300' };

/**
 * `GET /.well-known/openid-credential-issuer/issuers/{slug}`: the credential issuer metadata.
 *
 * @throws HttpProblem 404 for an unknown issuer.
 * @example
 * ```ts
 * const { body } = await getCredentialIssuerMetadata(ctx, 'northbridge');
 * body.credential_configurations_supported.OpenBadgeCredential_jwt_vc_json.format; // 'jwt_vc_json'
 * ```
 */
export async function getCredentialIssuerMetadata(ctx: ServiceContext, slug: string): Promise<WalletResponse> {
  const issuer = await ctx.issuer(slug);
  return json(200, credentialIssuerMetadata(ctx, slug, issuer), PUBLIC);
}

/**
 * `GET /.well-known/oauth-authorization-server/issuers/{slug}`: the authorization server metadata.
 *
 * @throws HttpProblem 404 for an unknown issuer.
 * @example
 * ```ts
 * (await getAuthorizationServerMetadata(ctx, 'northbridge')).body.token_endpoint;
 * ```
 */
export async function getAuthorizationServerMetadata(ctx: ServiceContext, slug: string): Promise<WalletResponse> {
  const issuer = await ctx.issuer(slug);
  return json(200, authorizationServerMetadata(ctx, slug, issuer), PUBLIC);
}

/**
 * `GET` of a `credential_offer_uri`: the credential offer object (both configurations, the pre-authorized code, and
 * the `tx_code` description when the offer needs a PIN).
 *
 * @throws HttpProblem 404 `offer-not-found`, 410 `offer-claimed` / `offer-revoked` / `offer-expired`, 409 for a
 *   revoked or suspended credential.
 * @example
 * ```ts
 * const { body } = await getCredentialOffer(ctx, 'northbridge', secret);
 * body.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'];
 * ```
 */
export async function getCredentialOffer(ctx: ServiceContext, slug: string, secret: string): Promise<WalletResponse> {
  const issuer = await ctx.issuer(slug);
  const offer = await findOffer(ctx.db, 'secret', hashSecret(secret));
  if (!offer || offer.issuerSlug !== slug) throw offerProblem('offer-not-found');
  const problem = offerUnusable(offer, await getCredential(ctx.db, slug, offer.credentialId));
  if (problem) throw problem;
  if (offer.codeUsedAt) throw offerProblem('offer-claimed', 'This offer has already been taken up by a wallet; each offer works once. Ask the issuer for a new one.');
  const { credentialOfferObject } = await vciIssuer(ctx, slug, issuer).createCredentialOffer({
    issuerMetadata: issuerMetadataResult(ctx, slug, issuer),
    credentialConfigurationIds: Object.keys(CREDENTIAL_CONFIGURATIONS),
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': preAuthorizedCode(secret),
        ...(offer.txCodeHash
          ? { tx_code: { input_mode: 'numeric', length: offer.txCodeLength ?? 6, description: 'The PIN the issuer sent you separately (for example by e-mail).' } }
          : {}),
      },
    },
  });
  return json(200, credentialOfferObject);
}

/**
 * `POST` token endpoint (`application/x-www-form-urlencoded`, parsed to an object): the pre-authorized code grant.
 * The code works once; a wrong PIN counts against the issuer's limit, after which the offer is withdrawn. Answers
 * a Bearer (or, when the wallet sent a DPoP proof, DPoP-bound) access token and, for draft 13 wallets, a `c_nonce`.
 *
 * @example
 * ```ts
 * const res = await token(ctx, 'northbridge', { body: { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code, tx_code: '123456' }, headers: {} });
 * res.body.access_token;
 * ```
 */
export async function token(ctx: ServiceContext, slug: string, request: { body: unknown; headers: RequestHeaders }): Promise<WalletResponse> {
  const issuer = await ctx.issuer(slug);
  const urls = walletUrls(ctx.publicUrl, slug);
  const as = authorizationServer(ctx, slug, issuer);
  const asMetadata = authorizationServerMetadata(ctx, slug, issuer);
  const req = { headers: toHeaders(request.headers), method: 'POST' as const, url: urls.tokenEndpoint };
  if (!request.body || typeof request.body !== 'object' || Array.isArray(request.body)) {
    return oauthError(400, 'invalid_request', 'The token request must be form-encoded parameters (grant_type, pre-authorized_code, …).');
  }
  let parsed: ReturnType<typeof as.parseAccessTokenRequest>;
  try {
    parsed = as.parseAccessTokenRequest({ accessTokenRequest: request.body as Record<string, unknown>, request: req });
  } catch (e) {
    return libraryError(e);
  }
  const grant = parsed.grant;
  const details = parsed.accessTokenRequest.authorization_details === undefined ? undefined : grantedDetails(parsed.accessTokenRequest.authorization_details);
  if (details === false) return oauthError(400, 'invalid_request', 'authorization_details must be a JSON array of objects, each with its "type" (RFC 9396 §2).');
  if (grant.grantType !== preAuthorizedCodeGrantIdentifier) {
    return oauthError(400, 'unsupported_grant_type', `This issuer supports only the pre-authorized code grant (${preAuthorizedCodeGrantIdentifier}).`);
  }
  const settings = await getClaimSettings(ctx.db, slug);
  return ctx.db.transaction(async (tx) => {
    const offer = await findOffer(tx, 'code', hashSecret(grant.preAuthorizedCode), true);
    if (!offer || offer.issuerSlug !== slug) return oauthError(400, 'invalid_grant', 'The pre-authorized code is not known to this issuer.');
    const unusable = offerUnusable(offer, await getCredential(tx, slug, offer.credentialId));
    if (unusable) return oauthError(400, 'invalid_grant', unusable.message);
    if (offer.codeUsedAt) return oauthError(400, 'invalid_grant', 'The pre-authorized code has already been used; each code works once. Ask the issuer for a new offer.');
    if (offer.txCodeHash) {
      if (grant.txCode === undefined) return oauthError(400, 'invalid_request', 'This offer needs the PIN (tx_code) the issuer sent separately.');
      if (hashPin(offer.id, grant.txCode) !== offer.txCodeHash) {
        const attempts = await countWrongTxCode(tx, offer.id);
        const left = settings.txCodeMaxAttempts - attempts;
        if (left <= 0) {
          await setOfferState(tx, offer, 'revoked', { actor: 'wallet:oid4vci', reason: `${attempts} wrong PINs` });
          return oauthError(400, 'invalid_grant', `Wrong PIN (tx_code). That was the last attempt: the offer is withdrawn; ask the issuer for a new one.`);
        }
        return oauthError(400, 'invalid_grant', `Wrong PIN (tx_code); ${left} attempt${left === 1 ? '' : 's'} left.`);
      }
    } else if (grant.txCode !== undefined) {
      return oauthError(400, 'invalid_request', 'This offer needs no PIN; send the request without tx_code.');
    }
    let dpop: { jwk: unknown } | undefined;
    try {
      const verified = await as.verifyPreAuthorizedCodeAccessTokenRequest({
        grant,
        accessTokenRequest: parsed.accessTokenRequest,
        request: req,
        authorizationServerMetadata: asMetadata,
        expectedPreAuthorizedCode: grant.preAuthorizedCode,
        // The PIN was checked above against its hash (the library compares plain values and counts no attempts).
        ...(grant.txCode !== undefined ? { expectedTxCode: grant.txCode } : {}),
        preAuthorizedCodeExpiresAt: new Date(offer.expiresAt),
        ...(parsed.dpop ? { dpop: { jwt: parsed.dpop.jwt, allowedSigningAlgs: asMetadata.dpop_signing_alg_values_supported } } : {}),
      });
      dpop = verified.dpop;
    } catch (e) {
      return libraryError(e);
    }
    await markCodeUsed(tx, offer.id);
    // Draft 13 wallets take the c_nonce for their key proof from here; 1.0 wallets ask the nonce endpoint.
    const cNonce = newSecret(24);
    await insertNonce(tx, { hash: hashSecret(cNonce), issuerSlug: slug, purpose: 'oid4vci-nonce', expiresAt: new Date(Date.now() + NONCE_TTL_SECONDS * 1000).toISOString() });
    const alg = issuer.keys.defaultJwtAlg();
    const key = issuer.keys.activeKey('jwt', alg);
    const body = await as.createAccessTokenResponse({
      audience: urls.credentialIssuer,
      authorizationServer: urls.credentialIssuer,
      expiresInSeconds: ACCESS_TOKEN_TTL_SECONDS,
      subject: offer.id,
      signer: { method: 'did', didUrl: key.id, alg },
      cNonce,
      cNonceExpiresIn: NONCE_TTL_SECONDS,
      ...(dpop ? { dpop: { jwk: dpop.jwk as never } } : {}),
      ...(details ? { additionalAccessTokenResponsePayload: { authorization_details: details } } : {}),
    });
    return json(200, body, { Pragma: 'no-cache' });
  });
}

/**
 * `authorization_details` of the answer: the requested configurations we have, each its own identifier; `false`
 * for a value that is not a JSON array (RFC 9396 §2), which the wallet is told.
 */
function grantedDetails(requested: unknown): Record<string, unknown>[] | false {
  let list: unknown = requested;
  if (typeof requested === 'string') {
    try {
      list = JSON.parse(requested) as unknown;
    } catch {
      return false;
    }
  }
  if (!Array.isArray(list) || !list.every((d) => d !== null && typeof d === 'object' && typeof (d as { type?: unknown }).type === 'string')) return false;
  return list
    .filter((d): d is { type: string; credential_configuration_id: string } => d?.type === 'openid_credential' && typeof d.credential_configuration_id === 'string' && d.credential_configuration_id in CREDENTIAL_CONFIGURATIONS)
    .map((d) => ({ ...d, credential_identifiers: [d.credential_configuration_id] }));
}

/**
 * `POST` nonce endpoint: a fresh single-use `c_nonce` for key proofs (`Cache-Control: no-store`).
 *
 * @example
 * ```ts
 * const { body } = await nonce(ctx, 'northbridge'); // { c_nonce, c_nonce_expires_in }
 * ```
 */
export async function nonce(ctx: ServiceContext, slug: string): Promise<WalletResponse> {
  const issuer = await ctx.issuer(slug);
  const cNonce = newSecret(24);
  await insertNonce(ctx.db, { hash: hashSecret(cNonce), issuerSlug: slug, purpose: 'oid4vci-nonce', expiresAt: new Date(Date.now() + NONCE_TTL_SECONDS * 1000).toISOString() });
  return json(200, vciIssuer(ctx, slug, issuer).createNonceResponse({ cNonce, cNonceExpiresIn: NONCE_TTL_SECONDS }));
}

/** An answer decided inside the claiming transaction (rolls it back). */
class Answer extends Error {
  constructor(readonly response: WalletResponse) {
    super('answer');
  }
}

/** The format a credential request asks for: a 1.0 configuration id (or identifier) or a draft 13 format. */
function requestedFormat(parsed: { credentialConfigurationId?: string; credentialIdentifier?: string; format?: { format: string; credential_definition?: { type?: unknown } } }): CopyFormat | WalletResponse {
  const id = parsed.credentialConfigurationId ?? parsed.credentialIdentifier;
  if (id !== undefined) {
    const format = CREDENTIAL_CONFIGURATIONS[id];
    return format ?? oauthError(400, parsed.credentialIdentifier ? 'unknown_credential_identifier' : 'unknown_credential_configuration', `This issuer offers ${Object.keys(CREDENTIAL_CONFIGURATIONS).join(' and ')}; found ${JSON.stringify(id)}.`);
  }
  if (parsed.format) {
    const types = parsed.format.credential_definition?.type;
    if ((parsed.format.format === 'ldp_vc' || parsed.format.format === 'jwt_vc_json') && Array.isArray(types) && types.includes('OpenBadgeCredential')) {
      return parsed.format.format;
    }
    return oauthError(400, 'unsupported_credential_format', 'This issuer issues OpenBadgeCredential as ldp_vc or jwt_vc_json.');
  }
  return oauthError(400, 'invalid_credential_request', 'Name the credential: credential_configuration_id (OID4VCI 1.0) or format with credential_definition (draft 13).');
}

/**
 * `POST` credential endpoint: checks the access token (Bearer or DPoP), the request, and the one `jwt` key proof
 * (`openid4vci-proof+jwt`, audience = this credential issuer, a `c_nonce` issued here and unused; key as did:key,
 * did:jwk or jwk), then claims the offer for the proof's key (its DID, or the did:jwk of a bare jwk, becomes the
 * subject) and answers the copy signed in the requested format: `{credentials: [{credential}]}` (1.0) or
 * `{credential, c_nonce}` (draft 13).
 *
 * @example
 * ```ts
 * const res = await credential(ctx, 'northbridge', {
 *   headers: { authorization: `Bearer ${accessToken}` },
 *   body: { credential_configuration_id: 'OpenBadgeCredential_jwt_vc_json', proofs: { jwt: [proofJwt] } },
 * });
 * res.body.credentials[0].credential; // the VC-JWT, sub = the holder's DID
 * ```
 */
export async function credential(ctx: ServiceContext, slug: string, request: { body: unknown; headers: RequestHeaders }): Promise<WalletResponse> {
  const issuer = await ctx.issuer(slug);
  const metadata = issuerMetadataResult(ctx, slug, issuer);
  const offerId = await tokenOffer(ctx, slug, issuer, metadata, request.headers);
  if (typeof offerId !== 'string') return offerId;
  if (!request.body || typeof request.body !== 'object' || Array.isArray(request.body)) {
    return oauthError(400, 'invalid_credential_request', 'The credential request must be a JSON object.');
  }
  const vci = vciIssuer(ctx, slug, issuer);
  let parsed: ReturnType<typeof vci.parseCredentialRequest>;
  try {
    parsed = vci.parseCredentialRequest({ issuerMetadata: metadata, credentialRequest: request.body as Record<string, unknown> });
  } catch (e) {
    return libraryError(e);
  }
  const format = requestedFormat(parsed as Parameters<typeof requestedFormat>[0]);
  if (typeof format !== 'string') return format;
  const draft13 = parsed.format !== undefined || (request.body as { proof?: unknown }).proof !== undefined;
  const proof = await proofHolder(vci, metadata, parsed.proofs?.jwt);
  if ('status' in proof) return proof;
  try {
    const claimed = await claimOffer(ctx, slug, offerId, {
      holderDid: proof.holderDid,
      format,
      protocol: 'oid4vci',
      async within(tx, offer) {
        if (!offer.codeUsedAt) throw new Answer(oauthError(401, 'invalid_token', 'The access token does not belong to a redeemed offer.'));
        const use = await useNonce(tx, hashSecret(proof.nonce), slug, 'oid4vci-nonce');
        if (!use.ok) {
          const why = use.reason === 'used' ? 'has already been used' : use.reason === 'expired' ? 'has expired' : 'was not issued by this issuer';
          throw new Answer(oauthError(400, 'invalid_nonce', `The key proof's nonce ${why}; get a new c_nonce from the nonce endpoint.`));
        }
      },
    });
    if (!draft13) return json(200, { credentials: [{ credential: claimed.credential }] });
    // Draft 13 shape (single credential, a c_nonce for the next proof); `credentials` too, for a 1.0 reader of a
    // request that mixed a configuration id with a single proof.
    const next = newSecret(24);
    await insertNonce(ctx.db, { hash: hashSecret(next), issuerSlug: slug, purpose: 'oid4vci-nonce', expiresAt: new Date(Date.now() + NONCE_TTL_SECONDS * 1000).toISOString() });
    return json(200, { credential: claimed.credential, credentials: [{ credential: claimed.credential }], c_nonce: next, c_nonce_expires_in: NONCE_TTL_SECONDS });
  } catch (e) {
    if (e instanceof Answer) return e.response;
    if (e instanceof HttpProblem && e.status < 500) return oauthError(400, 'credential_request_denied', e.message);
    throw e;
  }
}

/** The offer an access token was issued for (its `sub`), or the 401 answer for a missing, forged or expired token. */
async function tokenOffer(ctx: ServiceContext, slug: string, issuer: LoadedIssuer, metadata: IssuerMetadataResult, headers: RequestHeaders): Promise<string | WalletResponse> {
  const urls = walletUrls(ctx.publicUrl, slug);
  try {
    const verified = await resourceServer(ctx, slug, issuer).verifyResourceRequest({
      request: { headers: toHeaders(headers), method: 'POST', url: urls.credentialEndpoint },
      resourceServer: urls.credentialIssuer,
      authorizationServers: metadata.authorizationServers,
    });
    if (typeof verified.tokenPayload.sub !== 'string') throw new Oauth2ResourceUnauthorizedError('no subject', { scheme: 'Bearer', error: 'invalid_token', error_description: 'The access token names no offer.' });
    return verified.tokenPayload.sub;
  } catch (e) {
    if (e instanceof Oauth2ResourceUnauthorizedError) {
      const first = e.wwwAuthenticateHeaders[0];
      return oauthError(401, first?.error ?? 'invalid_token', first?.error_description ?? 'Send the access token from the token endpoint: Authorization: Bearer <token>.', { 'WWW-Authenticate': e.toHeaderValue() });
    }
    throw e;
  }
}

/**
 * The holder of the request's one `jwt` key proof (its DID, or the did:jwk of a bare jwk) and the nonce it signed
 * (checked unused later, in the claiming transaction), or the `invalid_proof` / `invalid_nonce` answer.
 */
async function proofHolder(vci: Openid4vciIssuer, metadata: IssuerMetadataResult, jwts: string[] | undefined): Promise<{ holderDid: string; nonce: string } | WalletResponse> {
  if (!jwts || jwts.length === 0) return oauthError(400, 'invalid_proof', 'The request needs a key proof: proofs.jwt (or proof with proof_type "jwt" in draft 13).');
  if (jwts.length > 1) return oauthError(400, 'invalid_proof', 'Send one key proof: this issuer issues one credential per request.');
  const proofJwt = jwts[0] as string;
  let claimedNonce: unknown;
  try {
    claimedNonce = decodeJwt(proofJwt).nonce;
  } catch {
    return oauthError(400, 'invalid_proof', 'The key proof is not a JWT.');
  }
  if (typeof claimedNonce !== 'string' || claimedNonce === '') {
    return oauthError(400, 'invalid_nonce', 'The key proof carries no nonce: get a c_nonce from the nonce endpoint and sign it into the proof.');
  }
  try {
    const { signer } = await vci.verifyCredentialRequestJwtProof({ issuerMetadata: metadata, jwt: proofJwt, expectedNonce: claimedNonce });
    return { holderDid: signer.method === 'did' ? (signer.didUrl.split('#')[0] as string) : didJwk(signer.publicJwk as Record<string, unknown>), nonce: claimedNonce };
  } catch (e) {
    return libraryError(e);
  }
}
