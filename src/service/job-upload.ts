/**
 * Internal: reading a job upload from an HTTP request body without buffering it: `multipart/form-data` (the
 * column mapping and options as parts first, then the export as the part named `file`, read as a stream), or the
 * export itself (`application/x-ndjson`). Used by the jobs route and the staff page.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { JwtAlg } from '../keyset/keyset.js';
import type { JobInputType } from '../store/jobs.js';
import type { ServiceContext } from './context.js';
import { submitJob } from './jobs.js';
import type { JobStatus } from './jobs.js';
import { badParam } from './params.js';
import { problems } from './problem.js';

/** Media types a job upload may have. */
export const UPLOAD_TYPES = ['multipart/form-data', 'application/x-ndjson'] as const;

/** Largest text part (the mapping, options) of a multipart upload, bytes. */
const MAX_PART = 1024 * 1024;

/** What came before the data file: text parts (a `mapping` sent as a file is read as text too). */
export interface UploadParts {
  fields: Record<string, string>;
  /** The data file's declared name and media type (multipart only). */
  filename?: string;
  mimeType?: string;
}

function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function readText(stream: Readable, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += (c as Buffer).length;
    if (size > MAX_PART) throw problems.tooLarge(`The part "${name}" is larger than ${MAX_PART} bytes.`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads an upload: for multipart, collects the text parts up to the part named `file` and calls `onFile` with them
 * and that part's stream; for NDJSON, calls `onFile` with no parts and the body. Parts after `file` are ignored, so
 * forms put the file input last. Resolves with what `onFile` resolves with; a body without a `file` part, or of
 * another media type, is a problem naming what is missing.
 *
 * @example
 * ```ts
 * const job = await readUpload(req.headers, req, (parts, file) => submitJob(ctx, slug, file, { input: 'csv', mapping: JSON.parse(parts.fields.mapping), actor }));
 * ```
 */
export function readUpload<T>(headers: IncomingHttpHeaders, body: Readable, onFile: (parts: UploadParts, file: Readable) => Promise<T>): Promise<T> {
  const type = mediaType(headers);
  if (type === 'application/x-ndjson') return onFile({ fields: {} }, body);
  if (type !== 'multipart/form-data') {
    body.resume();
    return Promise.reject(
      headers['content-type']
        ? problems.unsupportedMedia(`Expected Content-Type multipart/form-data (parts "mapping" and "file") or application/x-ndjson; found ${JSON.stringify(headers['content-type'])}.`)
        : problems.badRequest('This request needs a body: multipart/form-data with the parts "mapping" and "file", or application/x-ndjson.'),
    );
  }
  return new Promise<T>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers, limits: { fieldSize: MAX_PART, fields: 20, files: 3, parts: 25 } });
    } catch (e) {
      body.resume();
      return reject(problems.badRequest(`The multipart body cannot be read: ${(e as Error).message}.`));
    }
    const fields: Record<string, string> = {};
    const pending: Promise<void>[] = [];
    let started = false;
    const fail = (e: unknown): void => {
      body.unpipe(bb);
      body.resume();
      reject(e);
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(problems.tooLarge(`The part "${name}" is larger than ${MAX_PART} bytes.`));
      if (!started) fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (started || name !== 'file') {
        if (!started && name === 'mapping') pending.push(readText(stream, name).then((t) => void (fields[name] = t), fail));
        else stream.resume();
        return;
      }
      started = true;
      Promise.all(pending)
        .then(() => onFile({ fields, ...(info.filename ? { filename: info.filename } : {}), mimeType: info.mimeType }, stream))
        .then(
          (out) => {
            stream.resume();
            resolve(out);
          },
          (e: unknown) => {
            stream.resume();
            fail(e);
          },
        );
    });
    bb.on('error', (e) => fail(problems.badRequest(`The multipart body cannot be read: ${(e as Error).message}.`)));
    bb.on('close', () => {
      if (!started) fail(problems.badRequest('The upload has no part named "file" (the CSV or NDJSON export).'));
    });
    body.pipe(bb);
  });
}

/** CSV when the upload says so (the `input` part, a mapping, the file's type or name), else NDJSON. */
function uploadInput(parts: UploadParts): JobInputType {
  const input = parts.fields['input'];
  if (input !== undefined) {
    if (input !== 'csv' && input !== 'ndjson') throw badParam('body', 'input', `must be "csv" or "ndjson"; found ${JSON.stringify(input)}.`);
    return input;
  }
  if (parts.fields['mapping'] !== undefined && parts.fields['mapping'].trim() !== '') return 'csv';
  const csvFile = parts.mimeType === 'text/csv' || /\.csv$/i.test(parts.filename ?? '');
  return csvFile ? 'csv' : 'ndjson';
}

function uploadMapping(parts: UploadParts, input: JobInputType): unknown {
  const text = parts.fields['mapping'];
  if (text === undefined || text.trim() === '') {
    if (input === 'csv') throw badParam('body', 'mapping', 'is missing: a CSV upload needs its column mapping (JSON) as the part "mapping", before the part "file".');
    return undefined;
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw badParam('body', 'mapping', `is not valid JSON: ${(e as Error).message}.`);
  }
}

export interface JobUploadOptions {
  format?: 'di' | 'jwt';
  alg?: JwtAlg;
  dryRun?: boolean;
  actor: string;
  /**
   * Checks the text parts before the file is read (the staff page's CSRF token; throws to refuse) and may take
   * options from them (the staff page's dry-run box).
   */
  check?(parts: UploadParts): { dryRun?: boolean } | void;
}

/**
 * Submits the job an HTTP upload carries (see `readUpload`): CSV with its mapping, or NDJSON.
 *
 * @example
 * ```ts
 * const job = await submitJobUpload(ctx, 'northbridge', req.headers, req, { dryRun: true, actor: 'api-key:ak_1' });
 * ```
 */
export function submitJobUpload(ctx: ServiceContext, slug: string, headers: IncomingHttpHeaders, body: Readable, options: JobUploadOptions): Promise<JobStatus> {
  return readUpload(headers, body, async (parts, file) => {
    const fromParts = options.check?.(parts) ?? {};
    const input = uploadInput(parts);
    const mapping = uploadMapping(parts, input);
    return submitJob(ctx, slug, file, {
      input,
      ...(mapping !== undefined ? { mapping } : {}),
      ...(options.format ? { format: options.format } : {}),
      ...(options.alg ? { alg: options.alg } : {}),
      dryRun: fromParts.dryRun ?? options.dryRun === true,
      actor: options.actor,
      ...(ctx.config.jobLimits ? { limits: ctx.config.jobLimits } : {}),
    });
  });
}
