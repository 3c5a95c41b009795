/** The claim page an offer's link leads to (HTML, English and Welsh): QR codes and buttons for each kind of wallet. */
import { defineRoute, html } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { learnerPageData } from '../credential-page.js';
import { label } from '../../display/i18n/index.js';
import { claimPage, learnerWalletPage } from '../pages/claim.js';
import { textParam } from '../http/inputs.js';
import { langQuery, pageContext } from '../pages/page.js';
import { pageRouter } from '../pages/router.js';
import { walletOptions } from '../wallet/claim.js';
import { secret } from './exchanges.js';
import { slug } from './schemas.js';

export const claimPages: Router = pageRouter('claim-pages', [
  defineRoute({
    method: 'get',
    path: '/issuers/{slug}/claim/{secret}',
    summary: 'The claim page of an offer: add the credential to the Learner Credential Wallet or an OID4VCI wallet',
    tags: ['wallet', 'pages'],
    auth: 'public',
    params: { slug, secret },
    query: { lang: langQuery },
    responses: { 200: html('The page.') },
    errors: { 404: 'No offer at this address, or unknown issuer.', 409: 'The credential is revoked or suspended.', 410: 'The offer was claimed, withdrawn or has expired.' },
    handler: async ({ path, headers, rawQuery }, { ctx }) => claimPage(pageContext({ headers, query: rawQuery }, ctx), await walletOptions(ctx, path.slug, path.secret)),
  }),
  defineRoute({
    method: 'get',
    path: '/c/{token}/wallet/{secret}',
    summary: "The learner's credential page with an offer's Add to your wallet section (the link of a claim e-mail)",
    tags: ['wallet', 'pages'],
    auth: 'public',
    params: { token: textParam('path', "The page's token."), secret },
    query: { lang: langQuery },
    responses: { 200: html('The page.') },
    errors: { 404: 'No such page, or no offer of its credential at this address.', 409: 'The credential is revoked or suspended.', 410: 'The offer was claimed, withdrawn or has expired.' },
    handler: async ({ path, headers, rawQuery }, { ctx, verifier }) => {
      const pc = pageContext({ headers, query: rawQuery }, ctx);
      const data = await learnerPageData(ctx, verifier, path.token, label(pc.lang, 'page.hostedList', { site: pc.siteName }));
      // An offer of another credential is not this page's (walletOptions refuses it).
      return learnerWalletPage(pc, data, await walletOptions(ctx, data.row.issuerSlug, path.secret, data.row));
    },
  }),
]);
