/**
 * Internal: every URL of wallet delivery, in one place. Routes (part of the service's routers) must serve exactly
 * these paths; `WALLET_PATHS` lists them as express-style patterns.
 *
 * - The OID4VCI credential issuer identifier of an issuer is `PUBLIC_URL/issuers/{slug}`; it is also its
 *   authorization server (pre-authorized code flow only). Their metadata live where OID4VCI 1.0 §12.2.2 and
 *   RFC 8414 §3.1 put them for an identifier with a path: the well-known segment between host and path.
 * - Secrets sit in the path, never in a query string, so access logs that print routes (not URLs) never see them.
 */

/** Route patterns of wallet delivery (express syntax), relative to the deployment's base path. */
export const WALLET_PATHS = {
  /** GET: the claim page (HTML): QR codes and buttons for each kind of wallet. */
  claimPage: '/issuers/:slug/claim/:secret',
  /** GET: VCALM interaction URL (`?iuv=1`): `{protocols: {vcapi, OID4VCI}}`. */
  interaction: '/issuers/:slug/interactions/:secret',
  /** POST: the VC-API exchange (LCW posts `{}` and then its DIDAuth presentation here). */
  exchange: '/issuers/:slug/exchanges/:secret',
  /** POST: LCW's one-step request (`vc_request_url`): the DIDAuth presentation, answered with the credential. */
  direct: '/issuers/:slug/exchanges/:secret/direct',
  /** GET: the OID4VCI credential offer object (`credential_offer_uri`). */
  credentialOffer: '/issuers/:slug/oid4vci/offers/:secret',
  /** POST: OAuth 2.0 token endpoint (form-encoded, pre-authorized code grant). */
  token: '/issuers/:slug/oid4vci/token',
  /** POST: OID4VCI nonce endpoint. */
  nonce: '/issuers/:slug/oid4vci/nonce',
  /** POST: OID4VCI credential endpoint (Bearer or DPoP access token). */
  credential: '/issuers/:slug/oid4vci/credential',
  /** GET: credential issuer metadata (OID4VCI 1.0 placement). */
  credentialIssuerMetadata: '/.well-known/openid-credential-issuer/issuers/:slug',
  /** GET: the same document where pre-1.0 wallets look (identifier + well-known suffix). */
  credentialIssuerMetadataLegacy: '/issuers/:slug/.well-known/openid-credential-issuer',
  /** GET: authorization server metadata (RFC 8414 placement). */
  authorizationServerMetadata: '/.well-known/oauth-authorization-server/issuers/:slug',
  /** GET: the same document where pre-1.0 wallets look. */
  authorizationServerMetadataLegacy: '/issuers/:slug/.well-known/oauth-authorization-server',
} as const;

/**
 * The learner's credential page (`…/c/{token}`) with the "Add to your wallet" section of an offer: the page a claim
 * e-mail links when the credential has a page (served by routes/claim.ts).
 *
 * @example
 * ```ts
 * learnerWalletUrl('https://creds.example.ac.uk/c/VM-gZn0…', secret); // 'https://creds.example.ac.uk/c/VM-gZn0…/wallet/…'
 * ```
 */
export function learnerWalletUrl(pageUrl: string, secret: string): string {
  return `${pageUrl}/wallet/${secret}`;
}

export interface WalletUrls {
  /** OID4VCI credential issuer identifier (= authorization server issuer). */
  credentialIssuer: string;
  credentialIssuerMetadata: string;
  authorizationServerMetadata: string;
  tokenEndpoint: string;
  nonceEndpoint: string;
  credentialEndpoint: string;
  /** The issuer's JWK set (access token keys). */
  jwks: string;
  /** VC-API `domain` of DIDAuth requests: the deployment's host. */
  domain: string;
  claimPage(secret: string): string;
  interaction(secret: string): string;
  exchange(secret: string): string;
  direct(secret: string): string;
  credentialOffer(secret: string): string;
}

/**
 * The wallet URLs of one issuer of a deployment.
 *
 * @example
 * ```ts
 * const urls = walletUrls('https://creds.example.ac.uk', 'northbridge');
 * urls.credentialIssuerMetadata; // 'https://creds.example.ac.uk/.well-known/openid-credential-issuer/issuers/northbridge'
 * ```
 */
export function walletUrls(publicUrl: string, slug: string): WalletUrls {
  const base = publicUrl.replace(/\/+$/, '');
  const u = new URL(base);
  const basePath = u.pathname.replace(/\/+$/, '');
  const issuer = `${base}/issuers/${slug}`;
  return {
    credentialIssuer: issuer,
    credentialIssuerMetadata: `${u.origin}/.well-known/openid-credential-issuer${basePath}/issuers/${slug}`,
    authorizationServerMetadata: `${u.origin}/.well-known/oauth-authorization-server${basePath}/issuers/${slug}`,
    tokenEndpoint: `${issuer}/oid4vci/token`,
    nonceEndpoint: `${issuer}/oid4vci/nonce`,
    credentialEndpoint: `${issuer}/oid4vci/credential`,
    jwks: `${issuer}/jwks.json`,
    domain: u.host,
    claimPage: (secret) => `${issuer}/claim/${secret}`,
    interaction: (secret) => `${issuer}/interactions/${secret}?iuv=1`,
    exchange: (secret) => `${issuer}/exchanges/${secret}`,
    direct: (secret) => `${issuer}/exchanges/${secret}/direct`,
    credentialOffer: (secret) => `${issuer}/oid4vci/offers/${secret}`,
  };
}
