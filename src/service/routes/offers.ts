/**
 * Claim offers of an issuer's credentials (getting a stored credential into a learner's wallet): create one (every
 * wallet link and its QR code, and the PIN once), list and withdraw them, list what was claimed into which wallet,
 * and the issuer's claim settings (offer expiry, PIN, e-mail sender and languages).
 */
import { defineRoute, json } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { checkedElsewhere, flagField, flagValue, objectField, textParam } from '../http/inputs.js';
import { claimSettings, claimsOf, createOffer, offersOf, revokeOffer, updateClaimSettings } from '../wallet/offers.js';
import { credentialId, reasonField, slug } from './schemas.js';

const offerId = textParam('path', 'Offer id (offer_…), as the offer list gives it.');

const offerView = {
  type: 'object',
  required: ['id', 'credentialId', 'state', 'expiresAt', 'txCode', 'createdAt', 'createdBy'],
  properties: {
    id: { type: 'string' },
    credentialId: { type: 'string' },
    state: { enum: ['open', 'claimed', 'revoked', 'expired'] },
    expiresAt: { type: 'string', format: 'date-time' },
    txCode: { type: 'boolean', description: 'Whether the OID4VCI route needs the PIN.' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    claimedAt: { type: 'string' },
    revokedAt: { type: 'string' },
    reason: { type: 'string' },
  },
};

const settingsSchema = {
  type: 'object',
  properties: {
    offerTtlDays: { type: 'integer', minimum: 1, maximum: 365, description: 'Days an offer stays claimable (default 30).' },
    txCodeLength: { type: ['integer', 'null'], minimum: 4, maximum: 12, description: 'Digits of the OID4VCI PIN (tx_code) sent apart from the links; absent/null: no PIN.' },
    txCodeMaxAttempts: { type: 'integer', minimum: 1, maximum: 20, description: 'Wrong PINs before the offer is withdrawn (default 5).' },
    mailFrom: { type: ['string', 'null'], description: 'From address of claim e-mails ("Registry <registry@uni.ac.uk>"); absent: no e-mail for this issuer.' },
    mailLanguages: { type: 'array', items: { enum: ['en', 'cy'] }, description: 'Languages of claim e-mails, in order (default ["en"]).' },
  },
};

const create = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/credentials/{id}/offers',
  summary: 'Create a claim offer: links and QR codes for the Learner Credential Wallet (VC-API) and OID4VCI wallets',
  description:
    'Single use, expiring (expiresInDays, default the issuer\'s offerTtlDays), its secret stored hashed. The answer carries every link ' +
    '(claim page, VCALM interaction URL, LCW deep links, LCW one-step request, openid-credential-offer) with SVG QR codes, and the PIN ' +
    '(txCode) once when the OID4VCI route needs one: send it apart from the links.',
  tags: ['wallet'],
  auth: { scope: 'issue', issuer: 'path' },
  params: { slug, id: credentialId },
  body: {
    required: false,
    content: { 'application/json': undefined },
    fields: objectField({
      expiresInDays: checkedElsewhere({ type: 'integer', minimum: 1, maximum: 365, description: 'Days until the offer expires.' }),
      txCode: flagField('Whether the OID4VCI route needs a PIN (default: the issuer\'s setting).'),
    }),
  },
  responses: { 201: json('The offer, its links and QR codes (and the PIN, this once).', { type: 'object', required: ['offer', 'links', 'qr'], properties: { offer: offerView, links: { type: 'object' }, qr: { type: 'object' }, txCode: { type: 'string' } } }) },
  errors: { 400: 'expiresInDays out of range, or a malformed body.', 404: 'Unknown issuer or credential.', 409: 'The credential is revoked or suspended.' },
  handler: async ({ path, body, principal }, { ctx }) => {
    const txCode = body.txCode === undefined ? undefined : flagValue(body.txCode);
    const created = await createOffer(ctx, path.slug, path.id, {
      actor: principal?.actor as string,
      ...(body.expiresInDays !== undefined ? { expiresInDays: body.expiresInDays as number } : {}),
      ...(txCode !== undefined ? { txCode } : {}),
    });
    return { status: 201, headers: { 'Cache-Control': 'no-store' }, json: created };
  },
});

const list = defineRoute({
  method: 'get',
  path: '/issuers/{slug}/credentials/{id}/offers',
  summary: 'The claim offers of a credential (no secrets), oldest first',
  tags: ['wallet'],
  auth: { scope: 'read', issuer: 'path' },
  params: { slug, id: credentialId },
  responses: { 200: json('The offers.', { type: 'object', properties: { items: { type: 'array', items: offerView } } }) },
  errors: { 404: 'Unknown issuer or credential.' },
  handler: async ({ path }, { ctx }) => ({ json: { items: await offersOf(ctx, path.slug, path.id) } }),
});

const withdraw = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/offers/{offerId}/revoke',
  summary: 'Withdraw an open claim offer (a claimed one cannot be: revoke the credential, which reaches the copy)',
  tags: ['wallet'],
  auth: { scope: 'issue', issuer: 'path' },
  params: { slug, offerId },
  body: { required: false, content: { 'application/json': undefined }, fields: objectField({ reason: reasonField }) },
  responses: { 200: json('The offer after the change.', offerView) },
  errors: { 400: 'Malformed request.', 404: 'Unknown issuer or offer.', 409: 'The offer was already claimed.' },
  handler: async ({ path, body, principal }, { ctx }) => ({
    json: await revokeOffer(ctx, path.slug, path.offerId, { actor: principal?.actor as string, ...(typeof body.reason === 'string' ? { reason: body.reason } : {}) }),
  }),
});

const claims = defineRoute({
  method: 'get',
  path: '/issuers/{slug}/credentials/{id}/claims',
  summary: 'What was claimed from a credential: which DID holds a copy, in which format, over which protocol',
  tags: ['wallet'],
  auth: { scope: 'read', issuer: 'path' },
  params: { slug, id: credentialId },
  responses: {
    200: json('The copies.', {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string' }, offerId: { type: 'string' }, holder: { type: 'string' }, format: { enum: ['ldp_vc', 'jwt_vc_json'] }, protocol: { enum: ['vcapi', 'vcapi-direct', 'oid4vci'] }, claimedAt: { type: 'string' } } },
        },
      },
    }),
  },
  errors: { 404: 'Unknown issuer or credential.' },
  handler: async ({ path }, { ctx }) => ({ json: { items: await claimsOf(ctx, path.slug, path.id) } }),
});

const readSettings = defineRoute({
  method: 'get',
  path: '/issuers/{slug}/claim-settings',
  summary: 'The issuer\'s claim settings (defaults until changed)',
  tags: ['wallet'],
  auth: { scope: 'read', issuer: 'path' },
  params: { slug },
  responses: { 200: json('The settings.', settingsSchema) },
  errors: { 404: 'Unknown issuer.' },
  handler: async ({ path }, { ctx }) => ({ json: await claimSettings(ctx, path.slug) }),
});

const changeSettings = defineRoute({
  method: 'patch',
  path: '/issuers/{slug}/claim-settings',
  summary: 'Change the issuer\'s claim settings (fields not given keep their value; null clears an optional one)',
  tags: ['wallet'],
  auth: { scope: 'admin', issuer: 'path' },
  params: { slug },
  body: { required: true, content: { 'application/json': settingsSchema } },
  responses: { 200: json('The settings after the change.', settingsSchema) },
  errors: { 400: 'Not a JSON object.', 404: 'Unknown issuer.', 422: 'Invalid settings: every problem is listed in "problems".' },
  handler: async ({ path, body, principal }, { ctx }) => ({ json: await updateClaimSettings(ctx, path.slug, body, principal?.actor as string) }),
});

export const offers: Router = { name: 'offers', routes: [create, list, withdraw, claims, readSettings, changeSettings] };
