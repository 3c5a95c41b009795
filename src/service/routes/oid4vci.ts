/**
 * OID4VCI 1.0 (pre-authorized code flow) per issuer, whose credential issuer identifier is `PUBLIC_URL/issuers/{slug}`
 * (also its authorization server): the metadata where OID4VCI 1.0 §12.2.2 and RFC 8414 §3.1 put them for an
 * identifier with a path (the well-known segment between host and path) and where pre-1.0 wallets look (the
 * identifier plus the well-known suffix), the credential offer object of a `credential_offer_uri`, and the token,
 * nonce and credential endpoints, whose errors are OAuth error objects (`{error, error_description}`).
 */
import { defineRoute, json } from '../http/declare.js';
import type { AnyRoute, Router } from '../http/declare.js';
import { objectField, textField } from '../http/inputs.js';
import { oauthErrors } from '../middleware/problems.js';
import { credential, getAuthorizationServerMetadata, getCredentialIssuerMetadata, getCredentialOffer, nonce, token } from '../oid4vci/endpoints.js';
import { secret, walletReply } from './exchanges.js';
import { slug } from './schemas.js';

function metadataRoute(path: `/${string}`, which: 'issuer' | 'as', legacy: boolean): AnyRoute {
  const what = which === 'issuer' ? 'OID4VCI credential issuer metadata' : 'OAuth authorization server metadata (RFC 8414)';
  return defineRoute({
    method: 'get',
    path,
    summary: legacy ? `${what}, where pre-1.0 wallets look` : what,
    tags: ['wallet'],
    auth: 'public',
    cors: true,
    params: { slug },
    responses: { 200: json(`The ${what}.`, { type: 'object' }) },
    errors: { 404: 'Unknown issuer.' },
    handler: async ({ path: p }, { ctx }) => walletReply(await (which === 'issuer' ? getCredentialIssuerMetadata : getAuthorizationServerMetadata)(ctx, p.slug)),
  });
}

const oauthError = (description: string): string => `${description} Answered as {error, error_description}.`;

const tokenRoute = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/oid4vci/token',
  summary: 'OAuth 2.0 token endpoint: the pre-authorized code grant (with tx_code when the offer needs the PIN)',
  tags: ['wallet'],
  auth: 'public',
  cors: true,
  params: { slug },
  body: {
    required: true,
    content: { 'application/x-www-form-urlencoded': undefined },
    fields: objectField({
      grant_type: textField('urn:ietf:params:oauth:grant-type:pre-authorized_code', 200),
      'pre-authorized_code': textField('The code from the credential offer.', 200),
      tx_code: textField('The PIN the issuer sent separately, when the offer asks for one.', 20),
      authorization_details: textField('Optional RFC 9396 authorization details (JSON).', 4000),
    }),
  },
  errorFormat: oauthErrors,
  responses: { 200: json('The access token (Bearer, or DPoP-bound when a DPoP proof was sent), with a c_nonce for draft 13 wallets.', { type: 'object' }) },
  errors: {
    400: oauthError('invalid_request, invalid_grant (unknown, used or expired code, wrong PIN with the attempts left), unsupported_grant_type.'),
    404: oauthError('Unknown issuer.'),
    415: oauthError('Not form-encoded.'),
  },
  handler: async ({ path, body, headers }, { ctx }) => walletReply(await token(ctx, path.slug, { body, headers })),
});

const nonceRoute = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/oid4vci/nonce',
  summary: 'OID4VCI nonce endpoint: a fresh single-use c_nonce for key proofs',
  tags: ['wallet'],
  auth: 'public',
  cors: true,
  params: { slug },
  errorFormat: oauthErrors,
  responses: { 200: json('{c_nonce, c_nonce_expires_in}.', { type: 'object', properties: { c_nonce: { type: 'string' }, c_nonce_expires_in: { type: 'integer' } } }) },
  errors: { 404: oauthError('Unknown issuer.') },
  handler: async ({ path }, { ctx }) => walletReply(await nonce(ctx, path.slug)),
});

const credentialRoute = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/oid4vci/credential',
  summary: 'OID4VCI credential endpoint: the copy bound to the key of the jwt proof, as ldp_vc or jwt_vc_json (1.0 and draft 13 requests)',
  tags: ['wallet'],
  auth: 'public',
  cors: true,
  params: { slug },
  body: {
    required: false,
    content: {
      'application/json': {
        type: 'object',
        properties: { credential_configuration_id: { type: 'string' }, proofs: { type: 'object' }, format: { type: 'string' }, credential_definition: { type: 'object' }, proof: { type: 'object' } },
      },
    },
  },
  errorFormat: oauthErrors,
  responses: { 200: json('{credentials: [{credential}]} (1.0), or {credential, c_nonce} (draft 13).', { type: 'object' }) },
  errors: {
    400: oauthError('invalid_credential_request, invalid_proof, invalid_nonce, unknown_credential_configuration, unsupported_credential_format, credential_request_denied.'),
    401: oauthError('invalid_token: no, a forged or an expired access token (WWW-Authenticate says which).'),
    404: oauthError('Unknown issuer.'),
  },
  handler: async ({ path, body, headers }, { ctx }) => walletReply(await credential(ctx, path.slug, { body, headers })),
});

export const oid4vci: Router = {
  name: 'oid4vci',
  routes: [
    metadataRoute('/.well-known/openid-credential-issuer/issuers/{slug}', 'issuer', false),
    metadataRoute('/issuers/{slug}/.well-known/openid-credential-issuer', 'issuer', true),
    metadataRoute('/.well-known/oauth-authorization-server/issuers/{slug}', 'as', false),
    metadataRoute('/issuers/{slug}/.well-known/oauth-authorization-server', 'as', true),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/oid4vci/offers/{secret}',
      summary: 'The credential offer object of a credential_offer_uri (both configurations, the pre-authorized code, tx_code when a PIN is needed)',
      tags: ['wallet'],
      auth: 'public',
      cors: true,
      params: { slug, secret },
      responses: { 200: json('The credential offer.', { type: 'object' }) },
      errors: {
        404: 'No offer at this address, or unknown issuer.',
        409: 'The credential is revoked or suspended.',
        410: 'The offer was claimed (or its code redeemed), withdrawn or has expired.',
      },
      handler: async ({ path }, { ctx }) => walletReply(await getCredentialOffer(ctx, path.slug, path.secret)),
    }),
    tokenRoute,
    nonceRoute,
    credentialRoute,
  ],
};
