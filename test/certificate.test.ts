/**
 * The PDF certificate, read back with an independent PDF reader (pdfjs-dist): A4, fonts embedded, every element of
 * the full credential found in the text, in English and Welsh; the page URL is in the text, in link annotations and
 * in the QR code (decoded with jsQR from the image extracted from the PDF); long content flows onto more pages
 * without leaving the page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { pageQrCodes } from './support/pdf.js';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { buildCredential } from '../src/credential/annex1.js';
import { certificatePdf } from '../src/display/certificate.js';
import { credentialRows } from '../src/display/rows.js';
import { credentialView, type CredentialView } from '../src/display/view.js';
import { issuedFull, profile, read, record, type Issued } from './display-helpers.js';

const URL_ = 'https://credentials.northbridge.example.ac.uk/c/9f3a1c2e-57b1-4a43-9d1e-0b7a2f6c8d31';
const A4 = { width: 595.28, height: 841.89 };

interface ReadBack {
  pages: number;
  sizes: { width: number; height: number }[];
  /** All text, white space collapsed. */
  text: string;
  /** The text without the running header and footer (so text flowing across a page break reads on). */
  body: string;
  items: { str: string; x: number; y: number; width: number; page: number }[];
  links: string[][];
  qr: (string | undefined)[];
}

/** Reads a PDF the way a viewer does: text, link annotations and images (QR codes decoded). */
async function readBack(bytes: Uint8Array): Promise<ReadBack> {
  const doc = await getDocument({ data: bytes.slice(), isOffscreenCanvasSupported: false, verbosity: 0 }).promise;
  const out: ReadBack = { pages: doc.numPages, sizes: [], text: '', body: '', items: [], links: [], qr: [] };
  const texts: string[] = [];
  const body: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const [, , width, height] = page.view as [number, number, number, number];
    out.sizes.push({ width, height });
    const content = await page.getTextContent();
    for (const item of content.items) {
      if (!('str' in item)) continue;
      texts.push(item.str);
      const y = item.transform[5];
      if (y > 56 + 18 && !(n > 1 && y > height - 56)) body.push(item.str);
      if (item.str.trim() !== '') out.items.push({ str: item.str, x: item.transform[4], y: item.transform[5], width: item.width, page: n });
    }
    out.links.push((await page.getAnnotations()).filter((a: any) => a.subtype === 'Link').map((a: any) => a.url));
    out.qr.push(...(await pageQrCodes(page)));
  }
  out.text = texts.join(' ').replace(/\s+/g, ' ');
  out.body = body.join(' ').replace(/\s+/g, ' ');
  await doc.destroy();
  return out;
}

/** Text as found in the PDF regardless of where lines were broken. */
const squash = (s: string) => s.replace(/\s+/g, '');

let issued: Issued;
let view: CredentialView;
let en: ReadBack;
let cy: ReadBack;
let enBytes: Uint8Array;

beforeAll(async () => {
  issued = await issuedFull();
  view = credentialView(issued.di);
  enBytes = await certificatePdf(view, { url: URL_, lang: 'en' });
  en = await readBack(enBytes);
  cy = await readBack(await certificatePdf(view, { url: URL_, lang: 'cy' }));
});

describe('certificatePdf of the full example credential', () => {
  it('is A4 throughout, with the fonts embedded', async () => {
    for (const size of en.sizes) {
      expect(size.width).toBeCloseTo(A4.width, 1);
      expect(size.height).toBeCloseTo(A4.height, 1);
    }
    const doc = await PDFDocument.load(enBytes);
    const fonts = doc.context.enumerateIndirectObjects()
      .map(([, o]) => o)
      .filter((o): o is PDFDict => o instanceof PDFDict && o.get(PDFName.of('Type')) === PDFName.of('FontDescriptor'));
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const f of fonts) {
      expect(f.get(PDFName.of('FontFile2')), String(f.get(PDFName.of('FontName')))).toBeDefined();
      expect(String(f.get(PDFName.of('FontName')))).toContain('SourceSans3');
    }
    expect(doc.getTitle()).toBe('Data Analytics for Public Health: certificate for Amara Okafor-Reid');
    expect(doc.getAuthor()).toBe('Example University of Northbridge');
  });

  it.each(['en', 'cy'] as const)('has every element of the view in selectable text (%s)', (lang) => {
    const pdf = lang === 'en' ? en : cy;
    const text = squash(pdf.body);
    for (const row of credentialRows(view, lang)) {
      if (row.key !== 'learner' && row.key !== 'title') expect(text, `label of ${row.key}`).toContain(squash(row.label));
      for (const item of row.items) expect(text, `${row.key}: ${item.text}`).toContain(squash(item.label ? `${item.label}: ${item.text}` : item.text));
    }
  });

  it('shows each Annex I / UK element of the example record, in plain words', () => {
    const c = record.course;
    const expected = [
      'Amara Okafor-Reid', 'Data Analytics for Public Health', 'Example University of Northbridge', '10099999', 'England, United Kingdom',
      'Date of issue: 22 June 2026', '19 June 2026', '20 UK credits (200 notional hours)', '10 ECTS credits', 'FHEQ level 7', 'EQF level 7',
      'computer science (HECoS 100366)', 'computer science (CAH CAH11-01-01)', ...c.learningOutcomes.map((o: { text: string }) => o.text),
      'Blended (synchronous)', c.participation.description, c.assessment.type, c.assessment.description,
      'Supervised with identity verification (online)', c.qualityAssurance[0].type, c.qualityAssurance[0].body, c.psrb[0].body, c.psrb[0].recognition,
      c.prerequisites, 'Integrated, stackable towards MSc Public Health Data Science', 'Grade: B (scale: F, E, D, C, B, A)', 'Mark (%): 64',
      c.furtherInformation.text, 'PHM7021', 'British English', '2 March 2026 to 15 May 2026', record.result.assessor.name, issued.unsigned.id,
    ];
    for (const phrase of expected) expect(squash(en.body), phrase).toContain(squash(phrase));
    expect(en.text).not.toContain(record.learner.email);
    expect(en.text).not.toContain(record.learner.studentId);
  });

  it('speaks Welsh, keeping the credential\'s own text', () => {
    for (const phrase of ['Dyfarnwyd i', 'Canlyniadau dysgu', 'Credydau', 'Lefel 7 FHEQ', '20 credyd y DU (200 awr o ddysgu tybiannol)',
      'Dyddiad cyhoeddi: 22 Mehefin 2026', 'Gwirio’r tystlythyr hwn', 'Manylion', 'Tudalen 1 o', 'Data Analytics for Public Health']) {
      expect(squash(cy.text), phrase).toContain(squash(phrase));
    }
    expect(cy.text).not.toContain('Learning outcomes');
  });

  it('carries the page URL as text, as a link on every page, and in a QR code that decodes to it', () => {
    expect(squash(en.text)).toContain(squash(URL_));
    for (const pageLinks of en.links) expect(pageLinks).toContain(URL_);
    expect(en.qr.filter((q) => q !== undefined)).toEqual([URL_]);
    expect(cy.qr.filter((q) => q !== undefined)).toEqual([URL_]);
  });

  it('keeps all text inside the page margins', () => {
    for (const item of en.items) {
      expect(item.x, item.str).toBeGreaterThanOrEqual(50);
      expect(item.x + item.width, item.str).toBeLessThanOrEqual(A4.width - 50);
      expect(item.y, item.str).toBeGreaterThanOrEqual(50);
    }
  });

  it('is the same bytes for the same input', async () => {
    expect(Buffer.from(await certificatePdf(view, { url: URL_, lang: 'en' })).equals(Buffer.from(enBytes))).toBe(true);
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(certificatePdf(view, { url: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(certificatePdf(view, { url: 'not a url' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('long content', () => {
  it('flows a long title and 50 learning outcomes (the record limit) onto more pages, inside the margins, Welsh letters intact', async () => {
    const r = structuredClone(record);
    r.course.title = `Ymarfer proffesiynol uwch ym maes gwaith cymdeithasol gyda phlant, pobl ifanc a theuluoedd: ŵyr, ŷd, gŵr, ẁ ẃ ẅ ỳ — ${'cwrs hir iawn '.repeat(12)}`.trim();
    r.course.learningOutcomes = Array.from({ length: 50 }, (_, i) => ({ text: `Outcome ${i + 1}: demonstrate a systematic understanding of topic ${i + 1}, applying it critically to complex professional situations in practice.` }));
    const v = credentialView(buildCredential(profile, r, { issuerId: issued.keys.controller }));
    const pdf = await readBack(await certificatePdf(v, { url: URL_, lang: 'cy' }));
    expect(pdf.pages).toBeGreaterThan(3);
    const text = squash(pdf.body);
    expect(text).toContain(squash(r.course.title));
    for (const o of r.course.learningOutcomes) expect(text).toContain(squash(o.text));
    for (const item of pdf.items) {
      expect(item.x + item.width, item.str).toBeLessThanOrEqual(A4.width - 50);
      expect(item.y, item.str).toBeGreaterThanOrEqual(50);
      expect(item.y, item.str).toBeLessThanOrEqual(A4.height - 20);
    }
    expect(squash(pdf.text)).toContain(squash(`Tudalen ${pdf.pages} o ${pdf.pages}`));
  });

  it('renders another issuer\'s credential (no learner name, other alignments)', async () => {
    const v = credentialView(read('./fixtures/verify/ob30-spec-example-complete.json'));
    const pdf = await readBack(await certificatePdf(v, { url: 'https://verifier.example.org/c/1' }));
    expect(squash(pdf.text)).toContain(squash('1EdTech University Degree'));
    expect(squash(pdf.text)).toContain(squash('Other alignments'));
    expect(pdf.qr.filter(Boolean)).toEqual(['https://verifier.example.org/c/1']);
  });
});
