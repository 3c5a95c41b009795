/**
 * Internal: the frame of every page (server-side Preact JSX, so every text and attribute is escaped): a skip link,
 * a header with the deployment's or issuer's name and the language switch (plain links, no script), the main
 * content, and a footer. Styles come from the one stylesheet of the app (assets/microcred.css); no inline style or
 * script is ever written.
 */
import type { ComponentChildren } from 'preact';
import { label, LANGS } from '../../display/i18n/index.js';
import type { Lang } from '../../display/i18n/index.js';
import { assetUrl } from './assets.js';

export interface LayoutProps {
  lang: Lang;
  /** The page's own title; the document title adds the site name. */
  title: string;
  /** Shown in the header: the deployment's name, or the issuer's on a learner's page. */
  siteName: string;
  /** Path prefix of the deployment (the path of its public URL, without a trailing slash). */
  base: string;
  /** Adds `<meta name="robots" content="noindex, nofollow">`. */
  noindex?: boolean;
  /** More elements for `<head>` (alternate links). */
  head?: ComponentChildren;
  /** Loads the app's one script, which only enhances (the copy-link button); pages work without it. */
  script?: boolean;
  /** Above the main content, full width (a status banner). */
  banner?: ComponentChildren;
  children: ComponentChildren;
}

/** The language switch: a link to this page in each other language, named in that language. */
function LanguageSwitch({ lang }: { lang: Lang }) {
  return (
    <nav class="lang-switch" aria-label={label(lang, 'page.languageNav')}>
      <ul>
        {LANGS.filter((l) => l !== lang).map((other) => (
          <li>
            <a href={`?lang=${other}`} hreflang={other} lang={other}>
              {label(other, `page.language.${other}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * A whole page.
 *
 * @example
 * ```tsx
 * renderPage(<Layout lang="cy" title="Gwirio tystlythyr" siteName="Prifysgol Enghreifftiol" base=""><p>…</p></Layout>);
 * ```
 */
export function Layout(props: LayoutProps) {
  const { lang, base } = props;
  return (
    <html lang={lang} dir="ltr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} – ${props.siteName}`}</title>
        {props.noindex && <meta name="robots" content="noindex, nofollow" />}
        <link rel="stylesheet" href={assetUrl(base, 'microcred.css')} />
        {LANGS.filter((l) => l !== lang).map((other) => <link rel="alternate" hreflang={other} href={`?lang=${other}`} />)}
        {props.head}
        {props.script && <script src={assetUrl(base, 'microcred.js')} defer />}
      </head>
      <body>
        <a class="skip-link" href="#main">{label(lang, 'page.skipLink')}</a>
        <header class="site-header">
          <div class="wrap site-header__inner">
            <p class="site-name">{props.siteName}</p>
            <LanguageSwitch lang={lang} />
          </div>
        </header>
        {props.banner}
        <main id="main" class="wrap" tabindex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>
              <a href={`${base}/verify`}>{label(lang, 'page.footer.verify')}</a>
            </p>
            <p>{label(lang, 'page.footer.about')}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
