/**
 * The PDF certificate: A4, every element of the credential view in reading order, selectable text in the bundled
 * Source Sans 3 (embedded, subset), a QR code to the credential's page and the page's URL as a link, in English or
 * Welsh. Long titles and long lists flow onto further pages. Drawn with pdf-lib; nothing is fetched (an issuer logo
 * is drawn only from a PNG or JPEG `data:` URI).
 */
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFString, rgb, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { MicrocredError } from '../errors.js';
import { fontBytes, wrapMeasured, type FontWeight } from './fonts.js';
import { formatDate, label, LOCALES, type Lang } from './i18n/index.js';
import { credentialRows, type RowItem } from './rows.js';
import type { CredentialView, ImageView } from './view.js';

export interface CertificateOptions {
  /** The credential's public page (https, or http for local testing): the QR code and the link point here. */
  url: string;
  /** Language of the labels. Default `en`. The credential's own text stays as issued. */
  lang?: Lang;
  /** Creation date written into the PDF metadata. Default: the credential's date of issue (so output is repeatable). */
  createdAt?: Date;
}

// A4 in points, and the layout grid.
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 56;
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const LABEL_WIDTH = 150;
const VALUE_X = MARGIN + LABEL_WIDTH + 12;
const VALUE_WIDTH = PAGE.width - MARGIN - VALUE_X;
const FOOTER_HEIGHT = 46;
const QR_SIZE = 104;
const INK = rgb(0.09, 0.11, 0.14);
const MUTED = rgb(0.35, 0.38, 0.43);
const BRAND = rgb(11 / 255, 60 / 255, 93 / 255);
const ACCENT = rgb(242 / 255, 193 / 255, 78 / 255);
const LINK = rgb(0.05, 0.3, 0.6);

type Fonts = Record<FontWeight, PDFFont>;

class Layout {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  y = 0;

  constructor(private readonly doc: PDFDocument, private readonly fonts: Fonts, private readonly header: (page: PDFPage) => number) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages.push(this.page);
    this.page.drawRectangle({ x: 0, y: PAGE.height - 10, width: PAGE.width, height: 10, color: BRAND });
    this.y = PAGE.height - MARGIN;
    if (this.pages.length > 1) this.y = this.header(this.page);
  }

  /** Room for `height` more points on this page, else a new page. */
  ensure(height: number): void {
    if (this.y - height < MARGIN + FOOTER_HEIGHT) this.newPage();
  }

  lines(text: string, weight: FontWeight, size: number, width: number): string[] {
    const font = this.fonts[weight];
    return wrapMeasured(text, (s) => font.widthOfTextAtSize(s, size), width);
  }

  /** Draws wrapped text at x, flowing onto new pages; returns nothing, advances y. A URL makes each line a link. */
  text(text: string, o: { x: number; width: number; weight: FontWeight; size: number; color?: ReturnType<typeof rgb>; url?: string; gapAfter?: number }): void {
    const lineHeight = o.size * 1.32;
    for (const line of this.lines(text, o.weight, o.size, o.width)) {
      this.ensure(lineHeight);
      this.y -= lineHeight;
      if (line !== '') {
        this.page.drawText(line, { x: o.x, y: this.y + o.size * 0.28, size: o.size, font: this.fonts[o.weight], color: o.url ? LINK : o.color ?? INK });
        if (o.url) link(this.doc, this.page, o.url, [o.x, this.y, o.x + this.fonts[o.weight].widthOfTextAtSize(line, o.size), this.y + lineHeight]);
      }
    }
    this.y -= o.gapAfter ?? 0;
  }
}

/** A URI link annotation over a rectangle [x1, y1, x2, y2]. */
function link(doc: PDFDocument, page: PDFPage, url: string, rect: number[]): void {
  const annotation = doc.context.register(doc.context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: rect,
    Border: [0, 0, 0],
    A: { Type: 'Action', S: 'URI', URI: PDFString.of(url) },
  }));
  page.node.addAnnot(annotation);
}

async function embedLogo(doc: PDFDocument, logo: ImageView | undefined): Promise<PDFImage | undefined> {
  if (!logo?.dataUri) return undefined;
  const m = /^data:(image\/png|image\/jpeg);base64,([A-Za-z0-9+/=\s]+)$/i.exec(logo.url);
  if (!m) return undefined;
  const bytes = Buffer.from(m[2] as string, 'base64');
  try {
    return (m[1] as string).toLowerCase() === 'image/png' ? await doc.embedPng(bytes) : await doc.embedJpg(bytes);
  } catch {
    return undefined; // a logo that does not decode is left out, not fatal
  }
}

function checkUrl(url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new MicrocredError('UNSUPPORTED', `The certificate's url must be the credential page's http(s) URL; found ${JSON.stringify(url)}.`);
  }
  return url as string;
}

/**
 * The PDF certificate of a credential view: A4, every element of the view, fonts embedded, a QR code to `url` and
 * the URL as a link; in `lang`.
 *
 * @throws MicrocredError `UNSUPPORTED` when `url` is not an http(s) URL or `lang` is unknown.
 * @example
 * ```ts
 * const pdf = await certificatePdf(credentialView(signed), { url: 'https://credentials.example.ac.uk/c/3f9a…', lang: 'cy' });
 * await writeFile('certificate.pdf', pdf);
 * ```
 */
export async function certificatePdf(view: CredentialView, options: CertificateOptions): Promise<Uint8Array> {
  const url = checkUrl(options.url);
  const lang = options.lang ?? 'en';
  const L = (key: Parameters<typeof label>[1], params?: Record<string, string | number>) => label(lang, key, params);
  const rows = credentialRows(view, lang);

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  // Two faces, subset: each embedded face costs time and bytes, and semibold carries the emphasis well enough.
  const semibold = await doc.embedFont(fontBytes('semibold'), { subset: true });
  const fonts: Fonts = { regular: await doc.embedFont(fontBytes('regular'), { subset: true }), semibold, bold: semibold };
  const title = view.title ?? L('badge.noTitle');
  const name = view.learner.name;
  const issuer = view.awardingBody?.name ?? view.issuer.name;

  const created = options.createdAt ?? (view.dates.issued !== undefined && !Number.isNaN(Date.parse(view.dates.issued)) ? new Date(view.dates.issued) : new Date(0));
  doc.setTitle(name !== undefined ? L('certificate.documentTitle', { title, name }) : title, { showInWindowTitleBar: true });
  doc.setSubject(title);
  if (issuer !== undefined) doc.setAuthor(issuer);
  doc.setLanguage(LOCALES[lang]);
  doc.setCreator('microcred');
  doc.setProducer('microcred (pdf-lib)');
  doc.setCreationDate(created);
  doc.setModificationDate(created);

  // Continuation pages repeat who and what, small, so a loose page still says whose certificate it is.
  const header = (page: PDFPage): number => {
    const line = [title, name].filter(Boolean).join(' · ');
    page.drawText(wrapMeasured(line, (s) => fonts.regular.widthOfTextAtSize(s, 9), CONTENT_WIDTH)[0] ?? '', {
      x: MARGIN, y: PAGE.height - MARGIN + 8, size: 9, font: fonts.regular, color: MUTED,
    });
    return PAGE.height - MARGIN - 10;
  };
  const layout = new Layout(doc, fonts, header);

  // Page 1: issuer, "Certificate", the learner and the title, big.
  const logo = await embedLogo(doc, view.awardingBody?.logo ?? view.issuer.logo);
  let textX = MARGIN;
  if (logo) {
    const scale = Math.min(48 / logo.width, 48 / logo.height);
    layout.page.drawImage(logo, { x: MARGIN, y: layout.y - 48, width: logo.width * scale, height: logo.height * scale });
    textX = MARGIN + 60;
  }
  const topY = layout.y;
  if (issuer !== undefined) layout.text(issuer, { x: textX, width: CONTENT_WIDTH - (textX - MARGIN), weight: 'semibold', size: 13, color: BRAND });
  layout.text(L('certificate.heading'), { x: textX, width: CONTENT_WIDTH - (textX - MARGIN), weight: 'regular', size: 11, color: MUTED });
  layout.y = Math.min(layout.y, topY - (logo ? 56 : 0)) - 22;
  if (name !== undefined) {
    layout.text(L('element.learner'), { x: MARGIN, width: CONTENT_WIDTH, weight: 'regular', size: 11, color: MUTED, gapAfter: 2 });
    layout.text(name, { x: MARGIN, width: CONTENT_WIDTH, weight: 'bold', size: 26, gapAfter: 10 });
  }
  layout.text(title, { x: MARGIN, width: CONTENT_WIDTH, weight: 'semibold', size: 20, color: BRAND, gapAfter: 6 });
  if (view.dates.issued !== undefined) {
    layout.text(`${L('element.issued')}: ${formatDate(view.dates.issued, lang)}`, { x: MARGIN, width: CONTENT_WIDTH, weight: 'regular', size: 11, color: MUTED });
  }
  layout.y -= 14;
  layout.page.drawRectangle({ x: MARGIN, y: layout.y, width: 80, height: 3, color: ACCENT });
  layout.y -= 18;

  // The check block: QR code on the left, what it is for and the link on the right.
  const qr = await doc.embedPng(await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 }));
  layout.ensure(QR_SIZE + 8);
  const blockTop = layout.y;
  layout.page.drawImage(qr, { x: MARGIN - 4, y: blockTop - QR_SIZE, width: QR_SIZE, height: QR_SIZE });
  link(doc, layout.page, url, [MARGIN - 4, blockTop - QR_SIZE, MARGIN - 4 + QR_SIZE, blockTop]);
  const textLeft = MARGIN + QR_SIZE + 10;
  const textWidth = PAGE.width - MARGIN - textLeft;
  layout.text(L('certificate.verifyHeading'), { x: textLeft, width: textWidth, weight: 'semibold', size: 12, gapAfter: 2 });
  layout.text(L('certificate.verifyText'), { x: textLeft, width: textWidth, weight: 'regular', size: 10, gapAfter: 4 });
  layout.text(url, { x: textLeft, width: textWidth, weight: 'regular', size: 10, url, gapAfter: 4 });
  layout.text(L('certificate.notice'), { x: textLeft, width: textWidth, weight: 'regular', size: 9, color: MUTED });
  layout.y = Math.min(layout.y, blockTop - QR_SIZE) - 24;

  // Details: every row of the view, label on the left, values on the right.
  layout.ensure(40);
  layout.text(L('certificate.details'), { x: MARGIN, width: CONTENT_WIDTH, weight: 'semibold', size: 14, color: BRAND, gapAfter: 6 });
  for (const row of rows) {
    if (row.key === 'learner' || row.key === 'title') continue; // already the certificate's headline
    const labelLines = layout.lines(row.label, 'semibold', 9.5, LABEL_WIDTH);
    const first = row.items[0] as RowItem;
    const firstLines = layout.lines(first.label ? `${first.label}: ${first.text}` : first.text, 'regular', 10.5, VALUE_WIDTH);
    // Keep a row's label with at least its first lines of value.
    layout.ensure(Math.max(labelLines.length * 9.5, Math.min(firstLines.length, 3) * 10.5) * 1.32 + 6);
    const rowTop = layout.y;
    const startPage = layout.page;
    layout.text(row.label, { x: MARGIN, width: LABEL_WIDTH, weight: 'semibold', size: 9.5, color: MUTED });
    const labelBottom = layout.y;
    layout.y = rowTop;
    for (const item of row.items) {
      layout.text(item.label ? `${item.label}: ${item.text}` : item.text, {
        x: VALUE_X, width: VALUE_WIDTH, weight: 'regular', size: 10.5, ...(item.url ? { url: item.url } : {}), gapAfter: 2,
      });
    }
    if (layout.page === startPage) layout.y = Math.min(layout.y, labelBottom);
    layout.y -= 8;
  }

  // Footers, now that the number of pages is known.
  const total = layout.pages.length;
  layout.pages.forEach((page, i) => {
    page.drawLine({ start: { x: MARGIN, y: MARGIN + 18 }, end: { x: PAGE.width - MARGIN, y: MARGIN + 18 }, thickness: 0.5, color: MUTED });
    const pageLabel = L('certificate.page', { n: i + 1, total });
    const pageWidth = fonts.regular.widthOfTextAtSize(pageLabel, 8.5);
    page.drawText(pageLabel, { x: PAGE.width - MARGIN - pageWidth, y: MARGIN, size: 8.5, font: fonts.regular, color: MUTED });
    const shortUrl = wrapMeasured(url, (s) => fonts.regular.widthOfTextAtSize(s, 8.5), CONTENT_WIDTH - pageWidth - 16)[0] ?? '';
    page.drawText(shortUrl, { x: MARGIN, y: MARGIN, size: 8.5, font: fonts.regular, color: LINK });
    link(doc, page, url, [MARGIN, MARGIN - 2, MARGIN + fonts.regular.widthOfTextAtSize(shortUrl, 8.5), MARGIN + 9]);
  });

  return doc.save();
}
