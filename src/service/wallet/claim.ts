/**
 * Internal: what a learner sees of an offer (the claim page, and the "Add to your wallet" section of any page that
 * has an offer's secret): the wallet links with their QR codes, the achievement and issuer names, the expiry, and
 * whether the OID4VCI route needs the PIN. OID4VCI needs an https deployment; on an http one only LCW is offered.
 */
import { decodeJwt } from 'jose';
import { getCredential } from '../../store/credentials.js';
import type { CredentialRow } from '../../store/credentials.js';
import type { ServiceContext } from '../context.js';
import { offerProblem, usableOffer } from './copy.js';
import { qrImageUrl } from '../qr.js';
import { offerLinks } from './offers.js';

/** One way into a wallet: the link (a button) and its QR code (an SVG `data:` URL, shown as an image). */
export interface WalletOption {
  href: string;
  qr: string;
}

export interface WalletOptions {
  /** The credential the offer adds. */
  credentialId: string;
  issuerName: string;
  /** The achievement's name. */
  title: string;
  expiresAt: string;
  /** Learner Credential Wallet (VC-API exchange, via its deep link). */
  lcw: WalletOption;
  /** OID4VCI wallets (`openid-credential-offer://`); absent on an http deployment. */
  oid4vci?: WalletOption & { pin: boolean };
}

/**
 * The achievement's name of a stored credential (what the learner completed), for e-mails and pages.
 *
 * @example
 * ```ts
 * achievementName(row); // 'Foundations of Cyber Security'
 * ```
 */
export function achievementName(row: CredentialRow): string {
  const credential = (row.format === 'di' ? JSON.parse(row.credential) : decodeJwt(row.credential)) as { name?: unknown; credentialSubject?: { achievement?: { name?: unknown } } };
  const name = credential.credentialSubject?.achievement?.name ?? credential.name;
  return typeof name === 'string' ? name : 'your course';
}

/**
 * The wallet options of an offer, from its secret. `of`: the credential the caller already read (a page's); the
 * offer must be of that credential (else 'offer-not-found'), and it is not read again.
 *
 * @throws HttpProblem as `usableOffer` (404, 409, 410).
 * @example
 * ```ts
 * const options = await walletOptions(ctx, 'northbridge', secret); // { lcw: { href, qr }, oid4vci: { href, qr, pin } }
 * ```
 */
export async function walletOptions(ctx: ServiceContext, slug: string, secret: string, of?: CredentialRow): Promise<WalletOptions> {
  const offer = await usableOffer(ctx, slug, secret);
  if (of !== undefined && of.id !== offer.credentialId) throw offerProblem('offer-not-found');
  const row = of ?? (await getCredential(ctx.db, slug, offer.credentialId));
  if (!row) throw offerProblem('offer-not-found');
  const issuer = await ctx.issuer(slug);
  const links = offerLinks(ctx.publicUrl, slug, issuer.keys.controller, secret);
  const https = ctx.publicUrl.startsWith('https://');
  const [lcwQr, vciQr] = await Promise.all([qrImageUrl(links.lcw.universal), https ? qrImageUrl(links.oid4vci.offer) : undefined]);
  return {
    credentialId: row.id,
    issuerName: issuer.row.profile.name,
    title: achievementName(row),
    expiresAt: offer.expiresAt,
    lcw: { href: links.lcw.universal, qr: lcwQr },
    ...(vciQr ? { oid4vci: { href: links.oid4vci.offer, qr: vciQr, pin: offer.txCodeHash !== undefined } } : {}),
  };
}

