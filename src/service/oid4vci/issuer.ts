/**
 * Internal: OID4VCI 1.0 on `@openid4vc/openid4vci` and `@openid4vc/oauth2` (issuer, authorization server and
 * resource server sides): the callbacks they need (hashing, randomness, JWT signing with the issuer's key set,
 * JWT verification of holder key proofs and of our own access tokens), each issuer's metadata, and the mapping of
 * their typed errors onto OAuth error answers. Signing of credentials stays microcred's own (`claimOffer`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { CompactSign, compactVerify, importJWK } from 'jose';
import type { JWK } from 'jose';
import { Oauth2AuthorizationServer, Oauth2ErrorCodes, Oauth2ResourceServer, Oauth2ServerErrorResponseError, HashAlgorithm } from '@openid4vc/oauth2';
import type { AuthorizationServerMetadata, CallbackContext, Jwk, JwtSigner } from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion } from '@openid4vc/openid4vci';
import type { CredentialIssuerMetadata, IssuerMetadataResult } from '@openid4vc/openid4vci';
import { CREDENTIAL_CONTEXTS } from '../../credential/annex1.js';
import type { CopyFormat } from '../../store/offers.js';
import type { LoadedIssuer, ServiceContext } from '../context.js';
import { issuerJwks } from '../publish.js';
import { json } from '../wallet/response.js';
import type { WalletResponse } from '../wallet/response.js';
import { walletUrls } from '../wallet/urls.js';
import { holderKey } from '../wallet/holder.js';
import { HttpProblem } from '../problem.js';

/** The credential configurations every issuer offers, by id. */
export const CREDENTIAL_CONFIGURATIONS: Record<string, CopyFormat> = {
  OpenBadgeCredential_ldp_vc: 'ldp_vc',
  OpenBadgeCredential_jwt_vc_json: 'jwt_vc_json',
};

/** Key proof algorithms accepted from holders. */
export const PROOF_SIGNING_ALGS = ['EdDSA', 'ES256'];

const OB_TYPES = ['VerifiableCredential', 'OpenBadgeCredential'];

/** Seconds an access token is valid. */
export const ACCESS_TOKEN_TTL_SECONDS = 600;
/** Seconds a c_nonce is valid. */
export const NONCE_TTL_SECONDS = 300;

const HASHES: Record<string, string> = { [HashAlgorithm.Sha256]: 'sha256', [HashAlgorithm.Sha384]: 'sha384', [HashAlgorithm.Sha512]: 'sha512' };

function unsupported(what: string): never {
  throw new Error(`${what} is not supported by this issuer`);
}

/**
 * The library callbacks for one issuer. `signJwt` signs access tokens with the issuer's active JWT key (the key
 * published in its JWK set); `verifyJwt` checks holder key proofs (did:key, did:jwk, jwk) and, through `fetch`,
 * our own access tokens against the issuer's JWK set, read from the database rather than over the network.
 */
export function callbacks(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): CallbackContext {
  const urls = walletUrls(ctx.publicUrl, slug);
  return {
    hash: (data, alg) => new Uint8Array(createHash(HASHES[alg] ?? unsupported(`hash ${alg}`)).update(data).digest()),
    generateRandom: (n) => new Uint8Array(randomBytes(n)),
    clientAuthentication: () => {
      // Pre-authorized code flow with anonymous access: no client authentication.
    },
    encryptJwe: () => unsupported('JWE encryption'),
    decryptJwe: () => unsupported('JWE decryption'),
    fetch: async (input) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : (input as Request).url;
      if (url !== urls.jwks) return new Response('not found', { status: 404 });
      return new Response(JSON.stringify(await issuerJwks(ctx, slug)), { status: 200, headers: { 'Content-Type': 'application/jwk-set+json' } });
    },
    signJwt: async (signer: JwtSigner, { header, payload }) => {
      if (signer.method !== 'did') unsupported(`signing as ${signer.method}`);
      const key = issuer.keys.keys.find((k) => k.id === signer.didUrl);
      if (!key) unsupported(`signing with key ${signer.didUrl}`);
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(header as { alg: string })
        .sign(issuer.keys.signingKey(key.id));
      return { jwt, signerJwk: key.publicKeyJwk as unknown as Jwk };
    },
    verifyJwt: async (signer: JwtSigner, { compact }) => {
      try {
        let jwk: JWK;
        if (signer.method === 'jwk') jwk = signer.publicJwk as JWK;
        else if (signer.method === 'did') jwk = holderKey({ didUrl: signer.didUrl }).jwk as JWK;
        else return { verified: false };
        if (!PROOF_SIGNING_ALGS.includes(signer.alg)) return { verified: false };
        await compactVerify(compact, await importJWK(jwk, signer.alg));
        return { verified: true, signerJwk: jwk as Jwk };
      } catch {
        return { verified: false };
      }
    },
  };
}

/** Display entries of the issuer (OID4VCI `display`): its name and logo. */
function issuerDisplay(issuer: LoadedIssuer): { name: string; locale: string; logo?: { uri: string; alt_text: string } }[] {
  const p = issuer.row.profile;
  return [{ name: p.name, locale: 'en', ...(p.logo ? { logo: { uri: p.logo, alt_text: `${p.name} logo` } } : {}) }];
}

/** Display of the credential configurations: name, description and the badge image (the issuer's logo by default). */
function credentialDisplay(issuer: LoadedIssuer): Record<string, unknown>[] {
  const p = issuer.row.profile;
  return [
    {
      name: `${p.name} micro-credential`,
      locale: 'en',
      description: `An Open Badges 3.0 micro-credential awarded by ${p.name}.`,
      ...(p.logo ? { logo: { uri: p.logo, alt_text: `${p.name} badge` } } : {}),
    },
  ];
}

/**
 * OID4VCI needs https URLs (OID4VCI 1.0 §12.2.1, RFC 8414 §2): on a deployment whose public URL is http (a local
 * try-out) its routes say so instead of failing.
 *
 * @throws HttpProblem 404 `oid4vci-needs-https`.
 */
export function requireHttps(ctx: ServiceContext): void {
  if (!ctx.publicUrl.startsWith('https://')) {
    throw new HttpProblem(404, 'oid4vci-needs-https', 'OID4VCI not available', `OID4VCI wallets need an https deployment; this one's public URL is ${ctx.publicUrl}. Set MICROCRED_PUBLIC_URL to its https address (the Learner Credential Wallet route works either way).`);
  }
}

/**
 * The credential issuer metadata of an issuer (validated by the library). Configurations carry the 1.0
 * `credential_metadata.display` and, for draft 13 wallets that read it there, a top-level `display` too.
 */
export function credentialIssuerMetadata(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): CredentialIssuerMetadata {
  requireHttps(ctx);
  const urls = walletUrls(ctx.publicUrl, slug);
  const display = credentialDisplay(issuer);
  const common = {
    cryptographic_binding_methods_supported: ['did:key', 'did:jwk', 'jwk'],
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: PROOF_SIGNING_ALGS } },
    credential_metadata: { display },
    display,
  };
  const jwtAlgs = [...new Set(issuer.keys.keys.filter((k) => k.active).map((k) => (k.alg === 'ES256' ? 'ES256' : 'EdDSA')))];
  const metadata = {
    credential_issuer: urls.credentialIssuer,
    authorization_servers: [urls.credentialIssuer],
    credential_endpoint: urls.credentialEndpoint,
    nonce_endpoint: urls.nonceEndpoint,
    display: issuerDisplay(issuer),
    credential_configurations_supported: {
      OpenBadgeCredential_ldp_vc: {
        format: 'ldp_vc',
        ...common,
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        credential_definition: { '@context': [...CREDENTIAL_CONTEXTS], type: OB_TYPES },
      },
      OpenBadgeCredential_jwt_vc_json: {
        format: 'jwt_vc_json',
        ...common,
        credential_signing_alg_values_supported: jwtAlgs,
        credential_definition: { type: OB_TYPES },
      },
    },
  };
  return new Openid4vciIssuer({ callbacks: callbacks(ctx, slug, issuer) }).createCredentialIssuerMetadata(metadata as unknown as CredentialIssuerMetadata);
}

/** The authorization server metadata of an issuer (RFC 8414; pre-authorized code grant, anonymous access). */
export function authorizationServerMetadata(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): AuthorizationServerMetadata {
  requireHttps(ctx);
  const urls = walletUrls(ctx.publicUrl, slug);
  return new Oauth2AuthorizationServer({ callbacks: callbacks(ctx, slug, issuer) }).createAuthorizationServerMetadata({
    issuer: urls.credentialIssuer,
    token_endpoint: urls.tokenEndpoint,
    jwks_uri: urls.jwks,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
    token_endpoint_auth_methods_supported: ['none'],
    'pre-authorized_grant_anonymous_access_supported': true,
    dpop_signing_alg_values_supported: PROOF_SIGNING_ALGS,
  } as AuthorizationServerMetadata);
}

/** What the library functions take as "the issuer's metadata". */
export function issuerMetadataResult(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): IssuerMetadataResult {
  const credentialIssuer = credentialIssuerMetadata(ctx, slug, issuer);
  return {
    originalDraftVersion: Openid4vciVersion.V1,
    credentialIssuer,
    authorizationServers: [authorizationServerMetadata(ctx, slug, issuer)],
    knownCredentialConfigurations: vciIssuer(ctx, slug, issuer).getKnownCredentialConfigurationsSupported(credentialIssuer),
  };
}

export function authorizationServer(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): Oauth2AuthorizationServer {
  return new Oauth2AuthorizationServer({ callbacks: callbacks(ctx, slug, issuer) });
}
export function resourceServer(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): Oauth2ResourceServer {
  return new Oauth2ResourceServer({ callbacks: callbacks(ctx, slug, issuer) });
}
export function vciIssuer(ctx: ServiceContext, slug: string, issuer: LoadedIssuer): Openid4vciIssuer {
  return new Openid4vciIssuer({ callbacks: callbacks(ctx, slug, issuer) });
}

/**
 * An OAuth error answer (RFC 6749 §5.2 / OID4VCI §8.3.1): `{error, error_description}`, `no-store`.
 *
 * @example
 * ```ts
 * return oauthError(400, 'invalid_grant', 'The pre-authorized code has already been used.');
 * ```
 */
export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): WalletResponse<{ error: string; error_description: string }> {
  return json(status, { error, error_description: description }, headers);
}

/** The answer for a library error response (anything else is re-thrown: a server fault, not the wallet's). */
export function libraryError(e: unknown): WalletResponse {
  if (e instanceof Oauth2ServerErrorResponseError) {
    const { error, error_description, ...rest } = e.errorResponse as { error: string; error_description?: string };
    return json(e.status, { error, error_description: error_description ?? error, ...rest });
  }
  throw e;
}

export { Oauth2ErrorCodes };
