/**
 * VC-API / VCALM exchanges of claim offers, for the Learner Credential Wallet and other VC-API wallets: the
 * interaction URL, the exchange (`{}`, then the DIDAuth presentation, posted to the same URL) and LCW's one-step
 * request. The offer secret is in the path (never in a query string; the access log names the route pattern only).
 * Answers are JSON (`no-store`); failures are problem+json, and leave the offer usable.
 */
import { directRequest, interaction, participate } from '../exchanges/exchange.js';
import { defineRoute, json } from '../http/declare.js';
import type { Reply, Router } from '../http/declare.js';
import { textParam } from '../http/inputs.js';
import type { WalletResponse } from '../wallet/response.js';
import { walletUrls } from '../wallet/urls.js';
import { slug } from './schemas.js';

export const secret = textParam('path', 'The offer secret, as the offer\'s links carry it.');

/** A wallet function's answer as a reply. */
export function walletReply(r: WalletResponse): Reply {
  return { status: r.status, headers: r.headers, json: r.body };
}

const OFFER_ERRORS = {
  404: 'No offer at this address (offer-not-found), or unknown issuer.',
  409: 'The credential is revoked or suspended (credential-revoked, credential-suspended); a replayed presentation (challenge-used).',
  410: 'The offer was claimed, withdrawn or has expired (offer-claimed, offer-revoked, offer-expired).',
};

const presentationErrors = {
  400: 'A body that is not a JSON object, or a presentation refused: presentation-malformed, challenge-unknown, challenge-missing, challenge-expired, domain-mismatch, holder-method, signature-invalid, holder-mismatch.',
  ...OFFER_ERRORS,
};

export const exchanges: Router = {
  name: 'exchanges',
  routes: [
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/interactions/{secret}',
      summary: 'VCALM interaction URL (?iuv=1): the protocols this offer can be claimed with',
      tags: ['wallet'],
      auth: 'public',
      cors: true,
      params: { slug, secret },
      query: { iuv: textParam('query', 'Interaction URL version (1).') },
      responses: {
        200: json('`{protocols: {vcapi, OID4VCI}}`.', { type: 'object', properties: { protocols: { type: 'object', properties: { vcapi: { type: 'string' }, OID4VCI: { type: 'string' } } } } }),
        303: { description: 'A browser (Accept: text/html, not JSON) is sent to the claim page of the offer.', headers: { Location: { description: 'The claim page.', schema: { type: 'string' } } } },
      },
      errors: OFFER_ERRORS,
      handler: async ({ path, headers }, { ctx }) => {
        const answer = await interaction(ctx, path.slug, path.secret);
        // Someone who scanned the code with a phone camera rather than a wallet: the page that explains the wallets.
        const accept = headers.accept ?? '';
        if (accept.includes('text/html') && !accept.includes('json')) return { status: 303, location: walletUrls(ctx.publicUrl, path.slug).claimPage(path.secret), empty: true };
        return walletReply(answer);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/exchanges/{secret}',
      summary: 'VC-API exchange: {} gets a DIDAuthentication request; the signed presentation (to the same URL) gets the copy bound to the wallet\'s DID',
      tags: ['wallet'],
      auth: 'public',
      cors: true,
      params: { slug, secret },
      body: { required: false, content: { 'application/json': { type: 'object', properties: { verifiablePresentation: { type: 'object' } } } } },
      responses: { 200: json('A verifiablePresentationRequest, or a verifiablePresentation holding the credential.', { type: 'object' }) },
      errors: presentationErrors,
      handler: async ({ path, body }, { ctx }) => walletReply(await participate(ctx, path.slug, path.secret, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/exchanges/{secret}/direct',
      summary: 'LCW one-step request (vc_request_url): the DIDAuth presentation, signed for the link\'s challenge, gets the credential itself',
      tags: ['wallet'],
      auth: 'public',
      cors: true,
      params: { slug, secret },
      body: { required: true, content: { 'application/json': { type: 'object', description: 'The DIDAuth presentation (or {verifiablePresentation}).' } } },
      responses: { 200: json('The credential, bound to the wallet\'s DID.', { type: 'object' }) },
      errors: { ...presentationErrors, 415: 'Not JSON.' },
      handler: async ({ path, body }, { ctx }) => walletReply(await directRequest(ctx, path.slug, path.secret, body)),
    }),
  ],
};
