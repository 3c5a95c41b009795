/**
 * `microcred/display`: what a person sees of a credential. The credential view (every EU Annex I and UK element, read
 * from what was signed), its labels in English and Welsh, the badge image (SVG, PNG) and the PDF certificate. It loads
 * the image and PDF libraries, so it is an entry of its own; the pages of `microcred/service` are built on it.
 */
export { credentialView } from './view.js';
export type { CredentialView, CredentialInput, OrganisationView, ImageView, SignerView, LevelView, SubjectView, GradeView, AlignmentView } from './view.js';
export { credentialRows } from './rows.js';
export type { ViewRow, RowItem, RowKey } from './rows.js';
export { labels, label, negotiateLang, LANGS } from './i18n/index.js';
export type { Lang, LabelKey, Catalogue } from './i18n/index.js';
export { badgeSvg, badgePng } from './badge.js';
export type { BadgeOptions, BadgePngOptions } from './badge.js';
export { certificatePdf } from './certificate.js';
export type { CertificateOptions } from './certificate.js';
