/**
 * Internal: a credential as pages show it, shared by the learner's page and the verification page: the status
 * banner, the head (badge, title, learner, awarding body with its logo), every element as labelled rows in reading
 * order (src/display/rows.ts), and the verifier's checks in plain sentences. The issuer's name is shown as a claim
 * ("says it is …") unless the verifier found the issuer on a trust list (or hosted here).
 */
import type { ComponentChildren } from 'preact';
import { badgeSvg, badgeText } from '../../display/badge.js';
import { formatDate, label } from '../../display/i18n/index.js';
import type { LabelKey, Lang } from '../../display/i18n/index.js';
import { credentialRows } from '../../display/rows.js';
import type { RowItem, ViewRow } from '../../display/rows.js';
import type { CredentialView, ImageView } from '../../display/view.js';
import type { Check, VerificationReport } from '../../verify/types.js';
import type { PageState } from '../credential-page.js';
import { sentences } from './messages-cy.js';
import type { PageContext } from './page.js';

const TONE: Record<PageState, 'ok' | 'warn' | 'bad'> = { valid: 'ok', revoked: 'bad', suspended: 'bad', expired: 'bad', invalid: 'bad', unknown: 'warn' };

/**
 * The status banner: the word and a sentence, coloured by tone (the word always carries the meaning).
 * `verdict`: the verification page's words for valid / not valid / not confirmed.
 */
export function StatusBanner({ lang, state, view, verdict, warnings, replacedBy }: { lang: Lang; state: PageState; view: CredentialView; verdict?: boolean; warnings?: boolean; replacedBy?: string }) {
  const own = !verdict || state === 'revoked' || state === 'suspended' || state === 'expired';
  const title = own ? label(lang, `page.credential.status.${state}.title` as LabelKey) : label(lang, `verdict.${state === 'valid' ? 'valid' : state === 'unknown' ? 'unknown' : 'invalid'}.title`);
  const text = own
    ? label(lang, `page.credential.status.${state}.text` as LabelKey, { date: view.dates.validUntil !== undefined ? formatDate(view.dates.validUntil, lang) : '' })
    : state === 'valid'
      ? label(lang, warnings ? 'verdict.validWithWarnings.text' : 'verdict.valid.text')
      : label(lang, state === 'unknown' ? 'verdict.unknown.text' : 'verdict.invalid.text');
  return (
    <div class={`banner banner--${TONE[state]}`} data-state={state}>
      <p class="banner__title">{title}</p>
      <p>{text}</p>
      {replacedBy !== undefined && (
        <p>
          {label(lang, 'page.credential.replaced.text')} <a href={replacedBy}>{label(lang, 'page.credential.replaced.link')}</a>
        </p>
      )}
    </div>
  );
}

/** An image the page may show: a `data:` URI or a URL of this deployment (the CSP allows nothing else). */
export function pageImage(pc: PageContext, image: ImageView | undefined): string | undefined {
  if (!image) return undefined;
  if (image.dataUri) return /^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i.test(image.url) ? image.url : undefined;
  if (!image.url.startsWith(`${pc.publicUrl}/`)) return undefined;
  const u = new URL(image.url);
  return `${u.pathname}${u.search}`;
}

/** The badge to show: the achievement's image where the page may show it, else the drawn one as a data: URI. */
export function badgeSource(pc: PageContext, view: CredentialView): string {
  return pageImage(pc, view.image) ?? `data:image/svg+xml;base64,${Buffer.from(badgeSvg(view, { lang: pc.lang })).toString('base64')}`;
}

/** The issuer's name as a claim, unless the verifier found it on a list. */
function claimedNames(rows: ViewRow[], view: CredentialView, lang: Lang): ViewRow[] {
  if (view.signer?.known) return rows;
  const claim = (item: RowItem, name: string | undefined): RowItem => (name !== undefined && item.text === name && item.label === undefined ? { ...item, text: label(lang, 'value.issuer.claims', { name }) } : item);
  return rows.map((row) => {
    if (row.key === 'awardingBody') return { ...row, items: row.items.map((i) => claim(i, (view.awardingBody ?? view.issuer).name)) };
    if (row.key === 'issuer') return { ...row, items: row.items.map((i) => claim(i, view.issuer.name)) };
    return row;
  });
}

function Item({ item }: { item: RowItem }) {
  return (
    <>
      {item.label !== undefined && <span class="sub-label">{`${item.label}: `}</span>}
      {item.url !== undefined ? <a href={item.url}>{item.text}</a> : item.text}
    </>
  );
}

/** Every element the credential carries, labelled, in reading order. */
export function CredentialRows({ lang, view }: { lang: Lang; view: CredentialView }) {
  const rows = claimedNames(credentialRows(view, lang), view, lang);
  return (
    <dl class="rows">
      {rows.map((row) => (
        <div class="rows__row" data-row={row.key}>
          <dt>{row.label}</dt>
          <dd>
            {row.items.length === 1 ? (
              <Item item={row.items[0] as RowItem} />
            ) : (
              <ul>
                {row.items.map((item) => (
                  <li>
                    <Item item={item} />
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The head: badge, title, the learner, and the awarding body with its logo. `issuerLogo`: the logo the issuer
 * uploaded here, shown when the credential's own logo cannot be (a URL of another site) and no other awarding body
 * is named.
 */
export function CredentialHead({ pc, view, heading = 'h1', issuerLogo }: { pc: PageContext; view: CredentialView; heading?: 'h1' | 'h2' | 'h3' | 'h4'; issuerLogo?: string }) {
  const words = badgeText(view, pc.lang);
  const body = view.awardingBody ?? view.issuer;
  const uploaded = issuerLogo !== undefined && view.awardingBody === undefined ? pageImage(pc, { url: issuerLogo, dataUri: false }) : undefined;
  const logo = pageImage(pc, body.logo) ?? uploaded;
  const Heading = heading;
  return (
    <div class="credential-head">
      <div class="credential-head__badge">
        <img src={badgeSource(pc, view)} alt={words.accessibleName} width={160} height={160} />
      </div>
      <div>
        <Heading>{view.title ?? label(pc.lang, 'badge.noTitle')}</Heading>
        {view.learner.name !== undefined && <p class="learner-name">{label(pc.lang, 'page.credential.awardedTo', { name: view.learner.name })}</p>}
        {body.name !== undefined && (
          <p class="eyebrow">
            {logo !== undefined && <img class="issuer-logo" src={logo} alt="" />}
            {view.signer?.known ? view.signer.known.name : label(pc.lang, 'value.issuer.claims', { name: body.name })}
          </p>
        )}
      </div>
    </div>
  );
}

const MARKS: Record<Check['status'], string> = { pass: '✓', fail: '✗', warning: '!', unknown: '?', 'not-applicable': '–' };

/** The verifier's checks, each with its outcome and its plain sentences. */
export function Checks({ lang, report, headingLevel = 'h2', heading }: { lang: Lang; report: VerificationReport; headingLevel?: 'h2' | 'h3'; heading: string }) {
  const H = headingLevel;
  return (
    <div class="checks-block">
      <H>{heading}</H>
      <ul class="checks">
        {report.checks.map((c) => (
          <li data-check={c.id} data-status={c.status}>
            <span class={`mark mark--${c.status}`} aria-hidden="true">{MARKS[c.status]}</span>
            <p class="check__title">{label(lang, `check.${c.id}` as LabelKey)}</p>
            <p class="check__outcome">{label(lang, `check.outcome.${c.status}` as LabelKey)}</p>
            {sentences(lang, c.message, c.messages).map((s) => (
              <p class="check__text" lang={s.lang}>{s.text}</p>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A section with a heading (an accessible region). */
export function Section({ id, heading, children }: { id: string; heading: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      {children}
    </section>
  );
}
