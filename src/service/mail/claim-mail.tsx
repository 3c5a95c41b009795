/**
 * Internal: the claim e-mail and the separate PIN e-mail, as plain text and accessible HTML (server-side Preact JSX,
 * so every text and attribute is escaped), in English and Welsh; a message in several languages has one section per
 * language, each marked with its `lang`. The HTML has a real heading, one link per action with a text that says
 * where it goes, no images, no layout tables, and reads in order without styles.
 */
import { renderToString } from 'preact-render-to-string';
import type { MailLanguage } from '../../store/offers.js';

export interface ClaimMailData {
  issuerName: string;
  /** The achievement's name (what the learner completed). */
  title: string;
  /** The learner's page, when the deployment has one. */
  pageUrl?: string;
  /** The offer's claim page: QR codes to scan from a computer screen, buttons to open on the phone. */
  claimPageUrl?: string;
  /** LCW deep link (VC-API exchange). */
  lcwUrl: string;
  /** VCALM interaction URL. */
  interactionUrl: string;
  /** `openid-credential-offer://…`. */
  oid4vciUrl: string;
  expiresAt: string;
  /** True when the OID4VCI route needs a PIN, which comes in its own message. */
  pinSeparately: boolean;
}

interface Words {
  subject(d: ClaimMailData): string;
  heading(d: ClaimMailData): string;
  intro(d: ClaimMailData): string;
  page: string;
  pageLink: string;
  claimPage: string;
  claimPageLink: string;
  lcw: string;
  lcwLink: string;
  interaction: string;
  interactionLink: string;
  oid4vci: string;
  oid4vciLink: string;
  pin: string;
  expires(date: string): string;
  once: string;
  pinSubject(d: ClaimMailData): string;
  pinIntro(d: ClaimMailData): string;
  pinUse: string;
}

function day(iso: string, lang: MailLanguage): string {
  return new Intl.DateTimeFormat(lang === 'cy' ? 'cy-GB' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));
}

const WORDS: Record<MailLanguage, Words> = {
  en: {
    subject: (d) => `Add your ${d.title} credential to your wallet`,
    heading: (d) => `Your credential from ${d.issuerName}`,
    intro: (d) => `${d.issuerName} has issued you a digital credential for ${d.title}. You can keep it in a digital wallet app and share it with employers.`,
    page: 'See your credential, download it or share it:',
    pageLink: 'Open your credential page',
    claimPage: 'Reading this on a computer? Open this page and scan a QR code with your phone:',
    claimPageLink: 'Open the page with the QR codes',
    lcw: 'Learner Credential Wallet: open this link on the phone where the app is installed.',
    lcwLink: 'Add to Learner Credential Wallet',
    interaction: 'Other wallets that accept VC-API (scan or open):',
    interactionLink: 'Open the wallet request',
    oid4vci: 'Wallets that use OpenID for Verifiable Credentials (OID4VCI), such as EU digital identity wallets:',
    oid4vciLink: 'Add with an OID4VCI wallet',
    pin: 'The OID4VCI wallet will ask for a PIN. We are sending it to you in a separate e-mail.',
    expires: (date) => `These links work until ${date}.`,
    once: 'Each set of links adds the credential to one wallet, once. If you did not expect this e-mail, you can ignore it.',
    pinSubject: (d) => `Your PIN for adding the ${d.title} credential`,
    pinIntro: (d) => `Use this PIN when your wallet asks for it while adding the ${d.title} credential from ${d.issuerName}:`,
    pinUse: 'Do not share this PIN. It works only with the link in the other e-mail.',
  },
  cy: {
    subject: (d) => `Ychwanegwch eich tystlythyr ${d.title} at eich waled`,
    heading: (d) => `Eich tystlythyr gan ${d.issuerName}`,
    intro: (d) => `Mae ${d.issuerName} wedi rhoi tystlythyr digidol i chi ar gyfer ${d.title}. Gallwch ei gadw mewn ap waled ddigidol a'i rannu â chyflogwyr.`,
    page: "Gweld eich tystlythyr, ei lawrlwytho neu ei rannu:",
    pageLink: 'Agor tudalen eich tystlythyr',
    claimPage: "Yn darllen hwn ar gyfrifiadur? Agorwch y dudalen hon a sganiwch god QR gyda'ch ffôn:",
    claimPageLink: "Agor y dudalen gyda'r codau QR",
    lcw: "Learner Credential Wallet: agorwch y ddolen hon ar y ffôn lle mae'r ap wedi'i osod.",
    lcwLink: 'Ychwanegu at Learner Credential Wallet',
    interaction: "Waledi eraill sy'n derbyn VC-API (sganio neu agor):",
    interactionLink: "Agor cais y waled",
    oid4vci: "Waledi sy'n defnyddio OpenID for Verifiable Credentials (OID4VCI), fel waledi hunaniaeth ddigidol yr UE:",
    oid4vciLink: 'Ychwanegu gyda waled OID4VCI',
    pin: "Bydd y waled OID4VCI yn gofyn am PIN. Rydym yn ei anfon atoch mewn e-bost ar wahân.",
    expires: (date) => `Mae'r dolenni hyn yn gweithio tan ${date}.`,
    once: "Mae pob set o ddolenni'n ychwanegu'r tystlythyr at un waled, unwaith. Os nad oeddech yn disgwyl yr e-bost hwn, gallwch ei anwybyddu.",
    pinSubject: (d) => `Eich PIN ar gyfer ychwanegu'r tystlythyr ${d.title}`,
    pinIntro: (d) => `Defnyddiwch y PIN hwn pan fydd eich waled yn gofyn amdano wrth ychwanegu'r tystlythyr ${d.title} gan ${d.issuerName}:`,
    pinUse: "Peidiwch â rhannu'r PIN hwn. Dim ond gyda'r ddolen yn yr e-bost arall y mae'n gweithio.",
  },
};

function ClaimSection({ d, lang }: { d: ClaimMailData; lang: MailLanguage }) {
  const w = WORDS[lang];
  return (
    <section lang={lang}>
      <h1>{w.heading(d)}</h1>
      <p>{w.intro(d)}</p>
      {d.pageUrl ? (
        <p>
          {w.page} <a href={d.pageUrl}>{w.pageLink}</a>
        </p>
      ) : null}
      {d.claimPageUrl ? (
        <p>
          {w.claimPage} <a href={d.claimPageUrl}>{w.claimPageLink}</a>
        </p>
      ) : null}
      <ul>
        <li>
          {w.lcw} <a href={d.lcwUrl}>{w.lcwLink}</a>
        </li>
        <li>
          {w.interaction} <a href={d.interactionUrl}>{w.interactionLink}</a>
        </li>
        <li>
          {w.oid4vci} <a href={d.oid4vciUrl}>{w.oid4vciLink}</a>
          {d.pinSeparately ? ` ${w.pin}` : ''}
        </li>
      </ul>
      <p>{w.expires(day(d.expiresAt, lang))}</p>
      <p>{w.once}</p>
    </section>
  );
}

function Document({ lang, title, children }: { lang: MailLanguage; title: string; children: preact.ComponentChildren }) {
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body>{children}</body>
    </html>
  );
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * The claim e-mail in the given languages (one section each, in that order; the subject joins them with " / ").
 *
 * @example
 * ```ts
 * const { subject, text, html } = claimMail(data, ['cy', 'en']);
 * ```
 */
export function claimMail(d: ClaimMailData, langs: MailLanguage[]): RenderedMail {
  const subject = langs.map((l) => WORDS[l].subject(d)).join(' / ');
  const text = langs
    .map((l) => {
      const w = WORDS[l];
      return [
        w.heading(d),
        '',
        w.intro(d),
        '',
        ...(d.pageUrl ? [`${w.page}`, d.pageUrl, ''] : []),
        ...(d.claimPageUrl ? [w.claimPage, d.claimPageUrl, ''] : []),
        `${w.lcw}`,
        d.lcwUrl,
        '',
        `${w.interaction}`,
        d.interactionUrl,
        '',
        `${w.oid4vci}${d.pinSeparately ? ` ${w.pin}` : ''}`,
        d.oid4vciUrl,
        '',
        w.expires(day(d.expiresAt, l)),
        w.once,
      ].join('\n');
    })
    .join('\n\n----\n\n');
  const html = `<!DOCTYPE html>${renderToString(
    <Document lang={langs[0] ?? 'en'} title={subject}>
      {langs.map((l) => (
        <ClaimSection d={d} lang={l} />
      ))}
    </Document>,
  )}`;
  return { subject, text, html };
}

/**
 * The PIN e-mail (sent apart from the links, so one intercepted message is not enough).
 *
 * @example
 * ```ts
 * const { text } = pinMail(data, '048213', ['en']);
 * ```
 */
export function pinMail(d: ClaimMailData, pin: string, langs: MailLanguage[]): RenderedMail {
  const subject = langs.map((l) => WORDS[l].pinSubject(d)).join(' / ');
  const text = langs.map((l) => [WORDS[l].pinIntro(d), '', pin, '', WORDS[l].pinUse].join('\n')).join('\n\n----\n\n');
  const html = `<!DOCTYPE html>${renderToString(
    <Document lang={langs[0] ?? 'en'} title={subject}>
      {langs.map((l) => (
        <section lang={l}>
          <p>{WORDS[l].pinIntro(d)}</p>
          <p>
            <strong>{pin}</strong>
          </p>
          <p>{WORDS[l].pinUse}</p>
        </section>
      ))}
    </Document>,
  )}`;
  return { subject, text, html };
}
