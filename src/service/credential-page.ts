/**
 * Internal: the learner's credential page as data, and its downloads. Everything shown comes from the signed
 * credential (`credentialView`), its status from the service's verifier run now (as `/credentials/verify` does), who
 * signed it from what the verifier proved. Downloads: the credential as JSON and (a JWT credential) as VC-JWT, baked
 * into the achievement's badge image as PNG and SVG, and the PDF certificate whose QR code leads back to the page.
 */
import { bake } from '../baking/bake.js';
import { badgePng, badgeSvg } from '../display/badge.js';
import type { Lang } from '../display/i18n/index.js';
import { credentialView } from '../display/view.js';
import type { CredentialView, SignerView } from '../display/view.js';
import { getCredential } from '../store/credentials.js';
import type { CredentialRow } from '../store/credentials.js';
import { achievementImage, credentialByPageToken, issuerLogoDigest, pageSettings, pageTokenOf } from '../store/pages.js';
import type { ProvenSigner, VerificationReport } from '../verify/types.js';
import type { ServiceContext } from './context.js';
import { credentialPageUrl, issuerLogoUrl } from './page-urls.js';
import { HttpProblem, problems } from './problem.js';
import { verifiableCredential } from './resources.js';
import { hostedIssuerSlug } from './trust.js';
import type { Verifier } from './verification.js';

/** What the page's banner says. */
export type PageState = 'valid' | 'revoked' | 'suspended' | 'expired' | 'invalid' | 'unknown';

export interface LearnerPageData {
  row: CredentialRow;
  /** The signed credential's content, with the signer as proven. */
  view: CredentialView;
  report: VerificationReport;
  state: PageState;
  /** The issuer opted in to search engines. */
  indexable: boolean;
  pageUrl: string;
  /** A re-issue replaced this credential: the page of the credential that is current now (unless withdrawn). */
  replacedBy?: string;
  /** The URL of the logo the issuer uploaded, if it did. */
  issuerLogo?: string;
}

/**
 * The display's signer from the verifier's proven signer. `hostedList`: how the page names the issuers this service
 * hosts, in its language (instead of the registry's English name for them).
 */
export function signerView(signer: ProvenSigner | undefined, hostedList?: string): SignerView | null {
  if (!signer) return null;
  const list = signer.known && (signer.known.listFormat === 'hosted' && hostedList !== undefined ? hostedList : signer.known.list);
  return {
    method: signer.method,
    id: signer.id,
    ...(signer.host !== undefined ? { host: signer.host } : {}),
    ...(signer.known ? { known: { name: signer.known.name, list: list as string } } : {}),
  };
}

/**
 * The banner's state: the issuer's revocation or suspension first, then the verifier's verdict (an expired
 * credential is told apart from one that fails otherwise).
 */
export function pageState(report: VerificationReport, stored?: CredentialRow['status']): PageState {
  if (stored === 'revoked') return 'revoked';
  if (stored === 'suspended') return 'suspended';
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (report.verified) return 'valid';
  if (failed.length === 0) return 'unknown';
  const status = report.checks.find((c) => c.id === 'status');
  if (status?.status === 'fail' && failed.length === 1) return /suspend/i.test(status.message) ? 'suspended' : 'revoked';
  const until = (report.credential?.validUntil ?? report.credential?.expirationDate) as unknown;
  const expired = typeof until === 'string' && Date.parse(until) < Date.now();
  if (expired && failed.every((c) => c.id === 'validity')) return 'expired';
  return 'invalid';
}

/** The view of a verified credential (what was signed), with who signed it as proven. */
export function verifiedView(credential: string | Record<string, unknown>, report: VerificationReport, hostedList?: string): CredentialView {
  return { ...credentialView(credential), signer: signerView(report.signer, hostedList) };
}

/**
 * The learner's page of the credential with this token: 404 when there is none or it was withdrawn.
 *
 * @example
 * ```ts
 * const data = await learnerPageData(ctx, verifier, token, 'the issuers credentials.example.ac.uk hosts'); // data.state === 'valid'
 * ```
 */
export async function learnerPageData(ctx: ServiceContext, verifier: Verifier, token: string, hostedList?: string): Promise<LearnerPageData> {
  const row = await credentialByPageToken(ctx.db, token);
  if (!row) throw problems.notFound('There is no credential page at this address.');
  const credential = row.format === 'di' ? (JSON.parse(row.credential) as Record<string, unknown>) : row.credential;
  const report = await verifier.credential(credential);
  const [settings, logo] = await Promise.all([pageSettings(ctx.db, row.issuerSlug), issuerLogoDigest(ctx.db, row.issuerSlug)]);
  const replacedBy = row.supersededBy !== undefined ? await currentPageUrl(ctx, row.issuerSlug, row.supersededBy) : undefined;
  return {
    row,
    view: verifiedView(credential, report, hostedList),
    report,
    state: pageState(report, row.status),
    indexable: settings.indexable,
    pageUrl: credentialPageUrl(ctx, token),
    ...(replacedBy !== undefined ? { replacedBy } : {}),
    ...(logo !== undefined ? { issuerLogo: issuerLogoUrl(ctx, row.issuerSlug, logo) } : {}),
  };
}

/**
 * The uploaded logos of the hosted issuers that signed verified credentials, by issuer id: only a signer the
 * verifier proved counts (a credential merely naming a hosted issuer's DID gets no logo).
 *
 * @example
 * ```ts
 * const logos = await uploadedLogos(ctx, [report.signer]); // Map { 'did:web:…' => 'https://…/issuers/northbridge/logo?v=…' }
 * ```
 */
export async function uploadedLogos(ctx: ServiceContext, signers: readonly (ProvenSigner | undefined)[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of new Set(signers.flatMap((s) => (s ? [s.id] : [])))) {
    const slug = await hostedIssuerSlug(ctx, id);
    const digest = slug !== undefined ? await issuerLogoDigest(ctx.db, slug) : undefined;
    if (slug !== undefined && digest !== undefined) out.set(id, issuerLogoUrl(ctx, slug, digest));
  }
  return out;
}

/** The page of the credential that replaced `id`, following re-issues of re-issues to the current one. */
async function currentPageUrl(ctx: ServiceContext, slug: string, id: string): Promise<string | undefined> {
  let current = id;
  // Each re-issue points at the next; a bound keeps a damaged chain from looping.
  for (let hop = 0; hop < 32; hop++) {
    const next = (await getCredential(ctx.db, slug, current))?.supersededBy;
    if (next === undefined) break;
    current = next;
  }
  return credentialPageUrlOf(ctx, slug, current);
}

/**
 * The page URL of an issuer's credential (for mail and reports that name the page), undefined when it has none or
 * it was withdrawn.
 *
 * @example
 * ```ts
 * const mailer = new ClaimMailer(ctx, { smtpUrl, pageUrl: (slug, id) => credentialPageUrlOf(ctx, slug, id) });
 * ```
 */
export async function credentialPageUrlOf(ctx: ServiceContext, slug: string, id: string): Promise<string | undefined> {
  const token = await pageTokenOf(ctx.db, slug, id);
  return token === undefined ? undefined : credentialPageUrl(ctx, token);
}

/** The files a page offers. */
export const DOWNLOADS = ['credential.json', 'credential.jwt', 'badge.png', 'badge.svg', 'certificate.pdf'] as const;
export type DownloadName = (typeof DOWNLOADS)[number];

export interface Download {
  type: string;
  body: string | Uint8Array;
  filename: string;
}

/** The files this credential offers (none when it is revoked; VC-JWT only for a JWT credential). */
export function offeredDownloads(data: Pick<LearnerPageData, 'row' | 'state'>): DownloadName[] {
  if (data.state === 'revoked') return [];
  return DOWNLOADS.filter((d) => d !== 'credential.jwt' || data.row.format === 'jwt');
}

/**
 * The badge image of an achievement: the one its issuer uploaded (when of the kind asked for), else drawn from the
 * credential's view.
 */
export async function badgeImage(ctx: ServiceContext, row: CredentialRow, view: CredentialView, kind: 'png' | 'svg'): Promise<Uint8Array | string> {
  const uploaded = row.courseCode !== undefined ? await achievementImage(ctx.db, row.issuerSlug, row.courseCode) : undefined;
  if (uploaded && uploaded.mediaType === (kind === 'png' ? 'image/png' : 'image/svg+xml')) return uploaded.bytes;
  return kind === 'png' ? badgePng(view) : badgeSvg(view);
}

/** A base name for downloaded files: the credential's title, in letters and digits. */
function baseName(view: CredentialView): string {
  const slug = (view.title ?? 'credential').normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 60);
  return slug === '' ? 'credential' : slug;
}

/**
 * One download of a page: 410 for a revoked credential (its page offers none), 404 for a file it does not offer.
 *
 * @example
 * ```ts
 * const file = await pageDownload(ctx, data, 'badge.png', 'en'); // { type: 'image/png', body, filename }
 * ```
 */
export async function pageDownload(ctx: ServiceContext, data: LearnerPageData, name: DownloadName, lang: Lang): Promise<Download> {
  if (data.state === 'revoked') throw new HttpProblem(410, 'gone', 'Gone', 'The issuer has revoked this credential: nothing is offered for download.');
  if (!offeredDownloads(data).includes(name)) throw problems.notFound(`This credential offers no ${name}.`);
  const { row, view } = data;
  const base = baseName(view);
  // The stored text as it was signed: JSON text is baked byte for byte, a JWT as it is.
  const signed = row.credential;
  switch (name) {
    case 'credential.json':
      return { type: 'application/vc+ld+json', body: row.format === 'di' ? row.credential : JSON.stringify(verifiableCredential(row), null, 2), filename: `${base}.json` };
    case 'credential.jwt':
      return { type: 'application/vc+jwt', body: row.credential, filename: `${base}.jwt` };
    case 'badge.png':
      return { type: 'image/png', body: bake(await badgeImage(ctx, row, view, 'png'), signed), filename: `${base}.png` };
    case 'badge.svg':
      return { type: 'image/svg+xml', body: bake(await badgeImage(ctx, row, view, 'svg'), signed), filename: `${base}.svg` };
    case 'certificate.pdf': {
      // The PDF stack (pdf-lib, the font engine) loads at the first certificate asked for, not with the service.
      const { certificatePdf } = await import('../display/certificate.js');
      return { type: 'application/pdf', body: await certificatePdf(view, { url: data.pageUrl, lang }), filename: `${base}.pdf` };
    }
  }
}
