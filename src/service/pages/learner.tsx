/**
 * Internal: the learner's credential page. Mobile first, no script needed (the one script only adds a copy button):
 * the live status banner, the credential's head and every element from what was signed, the downloads (none for a
 * revoked credential), sharing (LinkedIn's add-certification link, the page's link), a slot for the wallet hand-off,
 * and how the credential was checked. The learner's e-mail address and student id are never read.
 */
import type { ComponentChildren } from 'preact';
import { label } from '../../display/i18n/index.js';
import type { LabelKey, Lang } from '../../display/i18n/index.js';
import type { CredentialView } from '../../display/view.js';
import { offeredDownloads } from '../credential-page.js';
import type { DownloadName, LearnerPageData } from '../credential-page.js';
import { Checks, CredentialHead, CredentialRows, Section, StatusBanner } from './credential.js';
import type { Reply } from '../http/declare.js';
import { htmlPage } from './page.js';
import type { PageContext } from './page.js';

const DOWNLOAD_LABELS: Record<DownloadName, LabelKey> = {
  'credential.json': 'page.credential.download.json',
  'credential.jwt': 'page.credential.download.jwt',
  'badge.png': 'page.credential.download.png',
  'badge.svg': 'page.credential.download.svg',
  'certificate.pdf': 'page.credential.download.pdf',
};

/**
 * LinkedIn's "add a licence or certification" link, filled in from the credential.
 *
 * @example
 * ```ts
 * linkedInUrl(view, 'https://credentials.example.ac.uk/c/…'); // 'https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=…'
 * ```
 */
export function linkedInUrl(view: CredentialView, pageUrl: string): string {
  const u = new URL('https://www.linkedin.com/profile/add');
  const q = u.searchParams;
  q.set('startTask', 'CERTIFICATION_NAME');
  if (view.title !== undefined) q.set('name', view.title);
  const org = view.signer?.known?.name ?? (view.awardingBody ?? view.issuer).name;
  if (org !== undefined) q.set('organizationName', org);
  const issued = view.dates.issued !== undefined ? new Date(view.dates.issued) : undefined;
  if (issued && !Number.isNaN(issued.getTime())) {
    q.set('issueYear', String(issued.getUTCFullYear()));
    q.set('issueMonth', String(issued.getUTCMonth() + 1));
  }
  const until = view.dates.validUntil !== undefined ? new Date(view.dates.validUntil) : undefined;
  if (until && !Number.isNaN(until.getTime())) {
    q.set('expirationYear', String(until.getUTCFullYear()));
    q.set('expirationMonth', String(until.getUTCMonth() + 1));
  }
  q.set('certUrl', pageUrl);
  if (view.id !== undefined) q.set('certId', view.id);
  return u.href;
}

function Downloads({ pc, data, files }: { pc: PageContext; data: LearnerPageData; files: DownloadName[] }) {
  const href = (file: DownloadName) => `${new URL(data.pageUrl).pathname}/${file}${file === 'certificate.pdf' ? `?lang=${pc.lang}` : ''}`;
  return (
    <Section id="downloads" heading={label(pc.lang, 'page.credential.downloadsHeading')}>
      <ul class="actions">
        {files.map((file) => (
          <li>
            <a class="button button--secondary" href={href(file)} download>{label(pc.lang, DOWNLOAD_LABELS[file])}</a>
          </li>
        ))}
      </ul>
      <p class="hint">{label(pc.lang, 'page.credential.downloadsHint')}</p>
    </Section>
  );
}

function Share({ lang, data }: { lang: Lang; data: LearnerPageData }) {
  return (
    <Section id="share" heading={label(lang, 'page.credential.shareHeading')}>
      <ul class="actions">
        <li>
          <a class="button" href={linkedInUrl(data.view, data.pageUrl)} rel="noopener noreferrer">{label(lang, 'page.credential.linkedin')}</a>
        </li>
      </ul>
      <div class="field">
        <label for="page-link">{label(lang, 'page.credential.linkLabel')}</label>
        <p class="hint" id="page-link-hint">{label(lang, 'page.credential.linkHint')}</p>
        <div class="copy-field" data-copy={label(lang, 'page.credential.copy')} data-copied={label(lang, 'page.credential.copied')}>
          <input type="text" id="page-link" readonly value={data.pageUrl} aria-describedby="page-link-hint" />
        </div>
        <p class="hint" data-copy-status aria-live="polite"></p>
      </div>
    </Section>
  );
}

/** A page of this deployment as a link that keeps the reader's language. */
function pagePath(pageUrl: string, lang: Lang): string {
  return `${new URL(pageUrl).pathname}?lang=${lang}`;
}

export interface LearnerPageProps {
  pc: PageContext;
  data: LearnerPageData;
  /** The wallet hand-off ("Add to your wallet"), placed after the downloads; nothing when absent. */
  wallet?: ComponentChildren;
}

/** The learner's page body. */
export function LearnerPage({ pc, data, wallet }: LearnerPageProps) {
  const files = offeredDownloads(data);
  return (
    <>
      <StatusBanner lang={pc.lang} state={data.state} view={data.view} {...(data.replacedBy !== undefined ? { replacedBy: pagePath(data.replacedBy, pc.lang) } : {})} />
      <CredentialHead pc={pc} view={data.view} {...(data.issuerLogo !== undefined ? { issuerLogo: data.issuerLogo } : {})} />
      <Section id="details" heading={label(pc.lang, 'page.credential.detailsHeading')}>
        <CredentialRows lang={pc.lang} view={data.view} />
      </Section>
      {files.length > 0 && <Downloads pc={pc} data={data} files={files} />}
      {wallet !== undefined && data.state !== 'revoked' && <div class="wallet-slot">{wallet}</div>}
      {data.state !== 'revoked' && <Share lang={pc.lang} data={data} />}
      <Checks lang={pc.lang} report={data.report} heading={label(pc.lang, 'page.credential.checksHeading')} />
    </>
  );
}

/**
 * The learner's page as a handler's reply: noindex unless the issuer opted in; the header names the issuer when it
 * is known (hosted here or listed).
 *
 * @example
 * ```ts
 * return learnerPageReply(pageContext({ headers, query: rawQuery }, ctx), await learnerPageData(ctx, verifier, token));
 * ```
 */
export function learnerPageReply(pc: PageContext, data: LearnerPageData, wallet?: ComponentChildren): Reply {
  return htmlPage(pc, {
    title: data.view.title ?? label(pc.lang, 'badge.noTitle'),
    body: <LearnerPage pc={pc} data={data} wallet={wallet} />,
    noindex: !data.indexable,
    script: true,
    // Where a verifier given this page's address finds the credential (none once it is revoked).
    ...(offeredDownloads(data).includes('credential.json') ? { head: <link rel="alternate" type="application/vc+ld+json" href={`${new URL(data.pageUrl).pathname}/credential.json`} /> } : {}),
    ...(data.view.signer?.known ? { siteName: data.view.signer.known.name } : {}),
  });
}
