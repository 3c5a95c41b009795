/**
 * Internal: what an employer submits to `/verify`, read and checked: a pasted credential or presentation (JSON or
 * compact JWT), an uploaded file (JSON, JWT, or a baked PNG/SVG badge, read out with `unbake`), or an https URL
 * (fetched through the verifier's guarded fetch; a link to one of this service's credential pages is read from the
 * page's own credential). Nothing submitted is stored or logged: it lives in memory for the one request.
 */
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import busboy from 'busboy';
import { imageKind } from '../baking/bake.js';
import { unbake } from '../baking/unbake.js';
import { MicrocredError } from '../errors.js';
import type { FetchedDocument } from '../lib/guarded-fetch.js';
import { credentialByPageToken } from '../store/pages.js';
import type { ServiceContext } from './context.js';
import type { PresentationReport, Verifier } from './verification.js';
import { unwrapEnveloped } from './verification.js';
import type { VerificationReport } from '../verify/types.js';

/** The largest uploaded file, and the largest pasted text. */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
export const MAX_PASTE_BYTES = 1024 * 1024;

export interface Submission {
  text?: string;
  url?: string;
  file?: Uint8Array;
}

/** Why a submission could not be checked: the page's sentence (a label key) and, where useful, the reason in English. */
export class SubmissionError extends Error {
  constructor(
    readonly key: 'empty' | 'unreadable' | 'fetch' | 'tooLarge',
    readonly detail?: string,
    readonly status = key === 'tooLarge' ? 413 : key === 'empty' ? 400 : 422,
  ) {
    super(detail ?? key);
  }
}

/**
 * Reads the form (multipart/form-data): the fields `credential` and `url`, the file `file`. Too large a field or
 * file is a `SubmissionError('tooLarge')`.
 *
 * @example
 * ```ts
 * const sub = await readSubmission(input.stream, input.headers); // { text: '{"@context": …}' }
 * ```
 */
export function readSubmission(stream: Readable, headers: IncomingHttpHeaders): Promise<Submission> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers, limits: { fileSize: MAX_UPLOAD_BYTES, fieldSize: MAX_PASTE_BYTES, files: 1, fields: 4, parts: 6 } });
    } catch (e) {
      reject(new SubmissionError('unreadable', `The form could not be read: ${(e as Error).message}`, 400));
      return;
    }
    const out: Submission = {};
    let tooLarge = false;
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) tooLarge = true;
      if (name === 'credential' && value.trim() !== '') out.text = value.trim();
      if (name === 'url' && value.trim() !== '') out.url = value.trim();
    });
    bb.on('file', (name, file) => {
      const chunks: Buffer[] = [];
      file.on('data', (c: Buffer) => chunks.push(c));
      file.on('limit', () => {
        tooLarge = true;
      });
      file.on('end', () => {
        if (name === 'file' && chunks.length > 0) out.file = new Uint8Array(Buffer.concat(chunks));
      });
    });
    bb.on('error', (e) => reject(new SubmissionError('unreadable', `The form could not be read: ${(e as Error).message}`, 400)));
    bb.on('close', () => (tooLarge ? reject(new SubmissionError('tooLarge')) : resolve(out)));
    stream.pipe(bb);
  });
}

/** Where the checked credential came from. */
export interface SubmissionSource {
  image?: 'png' | 'svg';
  /** Read through the link of a PDF certificate. */
  pdf?: boolean;
  url?: string;
}

export type CheckedSubmission =
  | { kind: 'credential'; report: VerificationReport; source: SubmissionSource }
  | { kind: 'presentation'; report: PresentationReport; source: SubmissionSource };

const ACCEPT = 'application/vc+ld+json, application/vc+jwt, application/ld+json;q=0.9, application/json;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8';

/** The credential a credential page of this service shows, when `url` is one. */
async function ownPageCredential(ctx: ServiceContext, url: URL): Promise<string | undefined> {
  const own = new URL(ctx.publicUrl);
  const base = own.pathname.replace(/\/+$/, '');
  if (url.host !== own.host || !url.pathname.startsWith(`${base}/c/`)) return undefined;
  const token = url.pathname.slice(base.length + 3).split('/')[0] ?? '';
  return (await credentialByPageToken(ctx.db, token))?.credential;
}

/** The web addresses a PDF links to (its link annotations), in page order: a certificate links to its page. */
async function pdfLinks(bytes: Uint8Array): Promise<string[]> {
  // pdf-lib loads at the first PDF submitted, not with the service.
  const { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } = await import('pdf-lib');
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    const links: string[] = [];
    for (const page of doc.getPages()) {
      const annots = page.node.Annots();
      for (let i = 0; i < (annots?.size() ?? 0); i++) {
        const uri = annots?.lookupMaybe(i, PDFDict)?.lookupMaybe(PDFName.of('A'), PDFDict)?.lookup(PDFName.of('URI'));
        if (uri instanceof PDFString || uri instanceof PDFHexString) links.push(uri.decodeText());
      }
    }
    return links;
  } catch (e) {
    // Whatever a damaged PDF makes the reader throw is a problem with the input.
    throw new SubmissionError('unreadable', `The PDF could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The credential a web page offers: its `<link rel="alternate" type="application/vc+ld+json" href="…">`. */
function alternateCredential(html: string, base: string): string | undefined {
  for (const tag of html.match(/<link\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1]?.replace(/&amp;/g, '&');
    if (attr('rel')?.toLowerCase().split(/\s+/).includes('alternate') && attr('type')?.toLowerCase() === 'application/vc+ld+json') {
      const href = attr('href');
      if (href !== undefined) return new URL(href, base).href;
    }
  }
  return undefined;
}

/** The bytes behind an https URL, through the guarded fetch; a web page is followed once to the credential it offers. */
async function fetched(ctx: ServiceContext, verifier: Verifier, text: string, source: SubmissionSource, follow = true): Promise<Uint8Array | string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SubmissionError('fetch', `${JSON.stringify(text.slice(0, 200))} is not a web address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SubmissionError('fetch', 'Only https web addresses are fetched.');
  source.url = url.href;
  const own = await ownPageCredential(ctx, url);
  if (own !== undefined) return own;
  let doc: FetchedDocument;
  try {
    doc = await verifier.fetch(url.href, { accept: ACCEPT });
  } catch (e) {
    if (e instanceof MicrocredError) throw new SubmissionError('fetch', e.message);
    throw e;
  }
  if (!/^text\/html/i.test(doc.contentType ?? '')) return doc.body;
  const alternate = follow ? alternateCredential(new TextDecoder().decode(doc.body), doc.url ?? url.href) : undefined;
  if (alternate === undefined) throw new SubmissionError('fetch', `The page at ${url.href} offers no credential to check.`);
  const out = await fetched(ctx, verifier, alternate, source, false);
  source.url = url.href;
  return out;
}

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

/** A PDF certificate: the credential its page link leads to (the first link that gives one). */
async function certificateCredential(ctx: ServiceContext, verifier: Verifier, bytes: Uint8Array, source: SubmissionSource): Promise<Uint8Array | string> {
  const links = (await pdfLinks(bytes)).filter((l) => /^https?:\/\//i.test(l));
  if (links.length === 0) throw new SubmissionError('unreadable', 'The PDF links to no web page, so there is no credential to check.');
  source.pdf = true;
  return fetched(ctx, verifier, links[0] as string, source);
}

/** Text or bytes to a credential or presentation: a baked badge is read out, text parsed when it is JSON. */
function content(data: Uint8Array | string, source: SubmissionSource): unknown {
  if (typeof data !== 'string') {
    const kind = imageKind(data);
    if (kind !== undefined) {
      try {
        const out = unbake(data);
        source.image = out.image;
        return out.credential;
      } catch (e) {
        if (e instanceof MicrocredError) throw new SubmissionError('unreadable', e.message);
        throw e;
      }
    }
    data = new TextDecoder('utf-8', { fatal: false }).decode(data);
  }
  const text = data.replace(/^\uFEFF/, '').trim();
  if (text === '') throw new SubmissionError('empty');
  if (!text.startsWith('{')) return text;
  try {
    return unwrapEnveloped(JSON.parse(text));
  } catch {
    throw new SubmissionError('unreadable', 'The text starts like JSON but is not valid JSON.');
  }
}

function isPresentation(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return (Array.isArray(type) ? type : [type]).includes('VerifiablePresentation');
}

/**
 * Verifies what was submitted (the file first, then the pasted text, then the URL).
 *
 * @example
 * ```ts
 * const checked = await checkSubmission(ctx, verifier, { file: pngBytes }); // { kind: 'credential', report, source: { image: 'png' } }
 * ```
 */
export async function checkSubmission(ctx: ServiceContext, verifier: Verifier, sub: Submission): Promise<CheckedSubmission> {
  const source: SubmissionSource = {};
  let data = sub.file ?? sub.text ?? (sub.url !== undefined ? await fetched(ctx, verifier, sub.url, source) : undefined);
  if (data === undefined) throw new SubmissionError('empty');
  if (typeof data !== 'string' && PDF_MAGIC.every((b, i) => data instanceof Uint8Array && data[i] === b)) data = await certificateCredential(ctx, verifier, data, source);
  const value = content(data, source);
  if (isPresentation(value)) return { kind: 'presentation', report: await verifier.presentation(value, { unsigned: value.proof === undefined }), source };
  return { kind: 'credential', report: await verifier.credential(value as string | object), source };
}
