/**
 * Internal: the "Add to your wallet" section, for any page that has an offer's wallet options (the claim page, the
 * learner's credential page): for each kind of wallet, one sentence on what it is for, a QR code to scan from a
 * computer screen and a button to open on the phone. The QR codes are SVG written by the `qrcode` library (inline,
 * so the page's CSP needs nothing more), each an image named for what it opens.
 *
 * For the learner's credential page (its wallet slot): render it only from an offer secret the learner holds (the
 * link of a claim e-mail or of an offer the issuer handed out), never by making an offer for whoever opens the
 * page: the page's link is shared with employers, and a copy is bound to the DID of whichever wallet claims it.
 */
import type { Lang } from '../../display/i18n/index.js';
import type { WalletOption, WalletOptions } from '../wallet/claim.js';

interface Words {
  heading: string;
  intro: string;
  lcwHeading: string;
  lcwFor: string;
  lcwButton: string;
  lcwQr: string;
  vciHeading: string;
  vciFor: string;
  vciButton: string;
  vciQr: string;
  pin: string;
  noVci: string;
  once(date: string): string;
}

const WORDS: Record<Lang, Words> = {
  en: {
    heading: 'Add to your wallet',
    intro: 'Scan a code with your phone, or open the link on the phone where your wallet app is installed.',
    lcwHeading: 'Learner Credential Wallet',
    lcwFor: 'For the Learner Credential Wallet app, which many universities’ learners use to keep and share their credentials.',
    lcwButton: 'Open in Learner Credential Wallet',
    lcwQr: 'QR code to add the credential to Learner Credential Wallet',
    vciHeading: 'Other wallets (OpenID for Verifiable Credentials)',
    vciFor: 'For wallets that use OpenID for Verifiable Credentials (OID4VCI), such as EU digital identity wallets.',
    vciButton: 'Open in an OID4VCI wallet',
    vciQr: 'QR code to add the credential to an OID4VCI wallet',
    pin: 'The wallet will ask for a PIN: the issuer sends it to you separately, by e-mail.',
    noVci: 'OID4VCI wallets can be used once this service runs at an https address.',
    once: (date) => `Each link adds the credential to one wallet, once. They work until ${date}.`,
  },
  cy: {
    heading: 'Ychwanegu at eich waled',
    intro: 'Sganiwch god gyda’ch ffôn, neu agorwch y ddolen ar y ffôn lle mae ap eich waled wedi’i osod.',
    lcwHeading: 'Learner Credential Wallet',
    lcwFor: 'Ar gyfer ap Learner Credential Wallet, y mae dysgwyr llawer o brifysgolion yn ei ddefnyddio i gadw a rhannu eu tystlythyrau.',
    lcwButton: 'Agor yn Learner Credential Wallet',
    lcwQr: 'Cod QR i ychwanegu’r tystlythyr at Learner Credential Wallet',
    vciHeading: 'Waledi eraill (OpenID for Verifiable Credentials)',
    vciFor: 'Ar gyfer waledi sy’n defnyddio OpenID for Verifiable Credentials (OID4VCI), fel waledi hunaniaeth ddigidol yr UE.',
    vciButton: 'Agor mewn waled OID4VCI',
    vciQr: 'Cod QR i ychwanegu’r tystlythyr at waled OID4VCI',
    pin: 'Bydd y waled yn gofyn am PIN: mae’r cyhoeddwr yn ei anfon atoch ar wahân, drwy e-bost.',
    noVci: 'Gellir defnyddio waledi OID4VCI pan fydd y gwasanaeth hwn yn rhedeg ar gyfeiriad https.',
    once: (date) => `Mae pob dolen yn ychwanegu’r tystlythyr at un waled, unwaith. Maen nhw’n gweithio tan ${date}.`,
  },
};

function day(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'cy' ? 'cy-GB' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));
}

function Wallet({ id, heading, forWhat, button, qrName, option, children }: { id: string; heading: string; forWhat: string; button: string; qrName: string; option: WalletOption; children?: preact.ComponentChildren }) {
  return (
    <section class="wallet-option panel" aria-labelledby={id}>
      <h3 id={id}>{heading}</h3>
      <p>{forWhat}</p>
      <img class="qr" src={option.qr} alt={qrName} width={192} height={192} />
      <p class="actions">
        <a class="button" href={option.href}>
          {button}
        </a>
      </p>
      {children}
    </section>
  );
}

/**
 * The "Add to your wallet" section of a page.
 *
 * @example
 * ```tsx
 * <AddToWallet lang={pc.lang} options={await walletOptions(ctx, slug, secret)} />
 * ```
 */
export function AddToWallet({ lang, options }: { lang: Lang; options: WalletOptions }) {
  const w = WORDS[lang];
  return (
    <section class="add-to-wallet" aria-labelledby="add-to-wallet">
      <h2 id="add-to-wallet">{w.heading}</h2>
      <p>{w.intro}</p>
      <div class="wallet-options">
        <Wallet id="wallet-lcw" heading={w.lcwHeading} forWhat={w.lcwFor} button={w.lcwButton} qrName={w.lcwQr} option={options.lcw} />
        {options.oid4vci ? (
          <Wallet id="wallet-oid4vci" heading={w.vciHeading} forWhat={w.vciFor} button={w.vciButton} qrName={w.vciQr} option={options.oid4vci}>
            {options.oid4vci.pin && <p class="hint">{w.pin}</p>}
          </Wallet>
        ) : (
          <p class="hint">{w.noVci}</p>
        )}
      </div>
      <p>{w.once(day(options.expiresAt, lang))}</p>
    </section>
  );
}
