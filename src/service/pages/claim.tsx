/**
 * Internal: the claim page, where an offer's link leads: the credential it adds (achievement, issuer) and the
 * "Add to your wallet" section. Never indexed, never cached (the offer may be claimed or withdrawn any moment).
 */
import type { LearnerPageData } from '../credential-page.js';
import type { Reply } from '../http/declare.js';
import { learnerPageReply } from './learner.js';
import type { WalletOptions } from '../wallet/claim.js';
import { AddToWallet } from './add-to-wallet.js';
import { htmlPage } from './page.js';
import type { PageContext } from './page.js';

const WORDS = {
  en: { title: (t: string) => `Add ${t} to your wallet`, intro: (issuer: string, t: string) => `${issuer} has awarded you a digital credential for ${t}. Keep it in a wallet app on your phone and share it with employers.` },
  cy: { title: (t: string) => `Ychwanegu ${t} at eich waled`, intro: (issuer: string, t: string) => `Mae ${issuer} wedi dyfarnu tystlythyr digidol i chi ar gyfer ${t}. Cadwch ef mewn ap waled ar eich ffôn a’i rannu â chyflogwyr.` },
};

/**
 * The claim page of an offer.
 *
 * @example
 * ```ts
 * return claimPage(pageContext({ headers, query: rawQuery }, ctx), await walletOptions(ctx, slug, secret));
 * ```
 */
export function claimPage(pc: PageContext, options: WalletOptions): Reply {
  const w = WORDS[pc.lang];
  const title = w.title(options.title);
  return htmlPage(pc, {
    title,
    siteName: options.issuerName,
    noindex: true,
    body: (
      <>
        <h1>{title}</h1>
        <p>{w.intro(options.issuerName, options.title)}</p>
        <AddToWallet lang={pc.lang} options={options} />
      </>
    ),
  });
}

/**
 * The learner's credential page with an offer's "Add to your wallet" section (the link of a claim e-mail).
 *
 * @example
 * ```ts
 * return learnerWalletPage(pc, await learnerPageData(ctx, verifier, token), await walletOptions(ctx, slug, secret));
 * ```
 */
export function learnerWalletPage(pc: PageContext, data: LearnerPageData, options: WalletOptions): Reply {
  return learnerPageReply(pc, data, <AddToWallet lang={pc.lang} options={options} />);
}
