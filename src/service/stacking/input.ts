/**
 * Internal: what a stacking check is asked about, read from a request. A JSON body, or a multipart form (the staff
 * page's upload, or `curl -F`): the set (credentials as objects, JSON text, compact JWTs or baked PNG/SVG images,
 * and/or a presentation) and the rules (a document, or a parent course stored by an issuer). Every refusal is a
 * problem naming the field.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { imageKind } from '../../baking/bake.js';
import { isCompactJws } from '../../lib/jws.js';
import { badParam, describeValue } from '../params.js';
import { problems } from '../problem.js';
import { unwrapEnveloped } from '../verification.js';

/** Largest request (a set of baked images can be large; JSON credentials are small). */
export const MAX_CHECK_BYTES = 10 * 1024 * 1024;
/** Most items in one set. */
export const MAX_SET_SIZE = 200;

export interface CheckRequest {
  /** Objects, JSON text, compact JWTs, or image bytes. */
  credentials: unknown[];
  presentation?: Record<string, unknown>;
  /** The rules as given (validated by the check). */
  rules?: unknown;
  parentCourse?: { issuer: string; code: string };
  learner?: { did?: string; name?: string; email?: string; studentId?: string };
  challenge?: string;
  domain?: string;
  /** The secret of a completed wallet exchange's result: its set and rules stand for the fields above. */
  exchange?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function base64Bytes(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '');
  if (clean.length < 8 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64'));
}

/** One item of `credentials`: what the checker takes (an object, a JWT, image bytes), or a problem naming it. */
function credentialItem(item: unknown, name: string): unknown {
  const value = unwrapEnveloped(item);
  if (isObject(value)) return value;
  if (typeof value !== 'string') throw badParam('body', name, `must be a credential: an object, a compact JWT, JSON text, or a baked PNG/SVG badge as base64 (or a data: URL); found ${describeValue(value)}.`);
  const text = value.trim();
  if (isCompactJws(text)) return text;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed)) return parsed;
    } catch {
      // falls through to the problem below
    }
    throw badParam('body', name, 'is text starting with "{" that is not a JSON object.');
  }
  const data = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(text);
  const bytes = data ? (data[2] ? base64Bytes(data[3] ?? '') : new TextEncoder().encode(decodeURIComponent(data[3] ?? ''))) : base64Bytes(text);
  if (bytes && imageKind(bytes) !== undefined) return bytes;
  throw badParam('body', name, 'is a string that is none of: a compact JWT, JSON text of a credential, a baked PNG or SVG badge as base64 or a data: URL.');
}

function optionalText(body: Record<string, unknown>, key: string, max = 2000): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw badParam('body', key, `must be a string of at most ${max} characters; found ${describeValue(v)}.`);
  return v;
}

function parentCourseRef(v: unknown): { issuer: string; code: string } {
  if (typeof v === 'string') {
    const slash = v.indexOf('/');
    if (slash > 0 && slash < v.length - 1) return { issuer: v.slice(0, slash), code: v.slice(slash + 1) };
  } else if (isObject(v) && typeof v.issuer === 'string' && typeof v.code === 'string' && v.issuer !== '' && v.code !== '') {
    return { issuer: v.issuer, code: v.code };
  }
  throw badParam('body', 'parentCourse', `must be {"issuer": "<issuer slug>", "code": "<parent course code>"} (or "<slug>/<code>"); found ${describeValue(v)}.`);
}

function learnerOf(v: unknown): CheckRequest['learner'] {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badParam('body', 'learner', `must be an object {did?, name?, email?, studentId?}; found ${describeValue(v)}.`);
  const out: NonNullable<CheckRequest['learner']> = {};
  for (const key of ['did', 'name', 'email', 'studentId'] as const) {
    const t = v[key];
    if (t === undefined) continue;
    if (typeof t !== 'string' || t.length > 500) throw badParam('body', `learner.${key}`, `must be a string of at most 500 characters; found ${describeValue(t)}.`);
    if (t.trim() !== '') out[key] = t;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The rules a body names: `rules` (a document, or its JSON text) or `parentCourse`, exactly one of them.
 *
 * @example
 * ```ts
 * rulesChoice({ parentCourse: 'northbridge/BSC-COMP-TU' }); // { parentCourse: { issuer: 'northbridge', code: 'BSC-COMP-TU' } }
 * ```
 */
export function rulesChoice(body: Record<string, unknown>): Pick<CheckRequest, 'rules' | 'parentCourse'> {
  const hasRules = body.rules !== undefined;
  const hasRef = body.parentCourse !== undefined;
  if (hasRules === hasRef) {
    throw badParam('body', hasRules ? 'parentCourse' : 'rules', hasRules ? 'cannot be given with "rules": send one of them.' : 'is missing: send the stacking rules ("rules") or an issuer\'s stored parent course ("parentCourse": {"issuer", "code"}).');
  }
  if (hasRef) return { parentCourse: parentCourseRef(body.parentCourse) };
  return { rules: typeof body.rules === 'string' ? safeJson(body.rules) ?? body.rules : body.rules };
}

/**
 * A check request from a JSON body: `{credentials?, presentation?, rules? | parentCourse?, learner?, challenge?, domain?}`.
 *
 * @example
 * ```ts
 * const request = checkRequestFromJson({ credentials: [jwt, credential], parentCourse: { issuer: 'northbridge', code: 'BSC-COMP-TU' } });
 * ```
 */
export function checkRequestFromJson(body: unknown): CheckRequest {
  if (!isObject(body)) throw problems.badRequest('The body must be a JSON object: {"credentials": [...], "presentation": {...}, "rules": {...} or "parentCourse": {"issuer", "code"}}.');
  if (body.exchange !== undefined) return exchangeRequest(body);
  const listed = body.credentials;
  if (listed !== undefined && !Array.isArray(listed)) throw badParam('body', 'credentials', `must be a list of credentials; found ${describeValue(listed)}.`);
  const credentials = (listed ?? []).map((item, i) => credentialItem(item, `credentials[${i}]`));
  let presentation: Record<string, unknown> | undefined;
  if (body.presentation !== undefined) {
    const p = typeof body.presentation === 'string' ? safeJson(body.presentation) : body.presentation;
    if (!isObject(p)) throw badParam('body', 'presentation', `must be a verifiable presentation (a JSON object); found ${describeValue(body.presentation)}.`);
    presentation = p;
  }
  if (credentials.length === 0 && !presentation) throw badParam('body', 'credentials', 'must list at least one credential (or send a "presentation").');
  const inPresentation = presentation ? [presentation.verifiableCredential].flat().filter((x) => x !== undefined).length : 0;
  if (credentials.length + inPresentation > MAX_SET_SIZE) throw badParam('body', 'credentials', `must hold at most ${MAX_SET_SIZE} credentials in all.`);
  const learner = learnerOf(body.learner);
  const challenge = optionalText(body, 'challenge');
  const domain = optionalText(body, 'domain');
  return {
    credentials,
    ...(presentation ? { presentation } : {}),
    ...rulesChoice(body),
    ...(learner ? { learner } : {}),
    ...(challenge ? { challenge } : {}),
    ...(domain ? { domain } : {}),
  };
}

/** `{"exchange": secret}`: the set and rules of a completed wallet exchange, and nothing else. */
function exchangeRequest(body: Record<string, unknown>): CheckRequest {
  if (typeof body.exchange !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(body.exchange)) {
    throw badParam('body', 'exchange', `must be the secret of a wallet exchange's result (the last segment of its result URL); found ${describeValue(body.exchange)}.`);
  }
  for (const other of ['credentials', 'presentation', 'rules', 'parentCourse', 'challenge', 'domain']) {
    if (body[other] !== undefined) throw badParam('body', other, 'cannot be given with "exchange": the exchange holds the set and the rules.');
  }
  return { credentials: [], exchange: body.exchange };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A multipart form's fields and files (files as bytes, by field name, in order). */
export interface FormParts {
  fields: Record<string, string[]>;
  files: Record<string, { name: string; bytes: Uint8Array }[]>;
}

/**
 * Reads a multipart/form-data body (at most `MAX_CHECK_BYTES` in all, `MAX_SET_SIZE` files).
 *
 * @throws HttpProblem 400 for a malformed form, 413 beyond the limits.
 * @example
 * ```ts
 * const { fields, files } = await readMultipart(input.stream, input.headers);
 * ```
 */
export function readMultipart(stream: Readable, headers: IncomingHttpHeaders): Promise<FormParts> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { fileSize: MAX_CHECK_BYTES, files: MAX_SET_SIZE + 2, fields: 50, fieldSize: 1024 * 1024 } });
    } catch (e) {
      reject(problems.badRequest(`The form could not be read: ${(e as Error).message}.`));
      return;
    }
    const out: FormParts = { fields: {}, files: {} };
    let total = 0;
    let failed: Error | undefined;
    const fail = (e: Error): void => {
      if (!failed) failed = e;
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(problems.tooLarge(`The form field "${name}" is too large.`));
      total += value.length;
      (out.fields[name] ??= []).push(value);
    });
    parser.on('file', (name, file, info) => {
      const chunks: Buffer[] = [];
      file.on('data', (c: Buffer) => {
        total += c.length;
        if (total > MAX_CHECK_BYTES) fail(problems.tooLarge(`The upload is larger than ${MAX_CHECK_BYTES / 1024 / 1024} MB.`));
        else chunks.push(c);
      });
      file.on('limit', () => fail(problems.tooLarge(`The file ${JSON.stringify(info.filename)} is larger than ${MAX_CHECK_BYTES / 1024 / 1024} MB.`)));
      file.on('end', () => {
        const bytes = new Uint8Array(Buffer.concat(chunks));
        // An empty file input of a form sends a part without a name and without bytes: nothing was chosen.
        if (bytes.length > 0 || info.filename) (out.files[name] ??= []).push({ name: info.filename ?? name, bytes });
      });
    });
    parser.on('filesLimit', () => fail(problems.tooLarge(`At most ${MAX_SET_SIZE} files can be checked at once.`)));
    parser.on('error', (e: Error) => reject(problems.badRequest(`The form could not be read: ${e.message}.`)));
    parser.on('close', () => (failed ? reject(failed) : resolve(out)));
    stream.pipe(parser);
  });
}

/** Reads a whole JSON body from the stream (at most `MAX_CHECK_BYTES`). */
export async function readJsonStream(stream: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > MAX_CHECK_BYTES) throw problems.tooLarge(`The request is larger than ${MAX_CHECK_BYTES / 1024 / 1024} MB.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw problems.badRequest('This request needs a body: JSON (Content-Type: application/json) or a multipart form.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw problems.malformedJson(`The body is not valid JSON: ${(e as Error).message}`);
  }
}

/** A file of the form as a set item: image bytes as they are, text as text (JSON or a JWT). */
function fileItem(bytes: Uint8Array): unknown {
  if (imageKind(bytes) !== undefined) return bytes;
  return new TextDecoder().decode(bytes).trim();
}

/** Turns uploaded text into JSON values where it is JSON (a list of credentials in one file is spread). */
function expandFile(item: unknown, file: string): unknown[] {
  if (typeof item !== 'string') return [item];
  if (item === '') throw badParam('body', 'credential', `is an empty file (${file}).`);
  if (!item.startsWith('{') && !item.startsWith('[')) return [item];
  const parsed = safeJson(item);
  if (parsed === undefined) throw badParam('body', 'credential', `${file} is neither JSON nor a compact JWT nor a baked PNG/SVG badge.`);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * A check request from a multipart form: files `credential` (repeatable; JSON, a JWT, a baked PNG/SVG, or a JSON
 * list), `presentation` (a file or a field), the rules as a file or field `rules`, or a field `parentCourse`
 * ("slug/code"), and an optional field `learnerName`.
 *
 * @example
 * ```ts
 * const request = checkRequestFromForm(await readMultipart(stream, headers));
 * ```
 */
export function checkRequestFromForm(form: FormParts): CheckRequest {
  const one = (name: string): string | undefined => {
    const text = (form.files[name]?.[0] ? new TextDecoder().decode(form.files[name]![0]!.bytes) : undefined) ?? form.fields[name]?.[0];
    return text !== undefined && text.trim() !== '' ? text.trim() : undefined;
  };
  const credentials: unknown[] = [];
  for (const f of form.files.credential ?? []) {
    for (const item of expandFile(fileItem(f.bytes), f.name)) {
      const vpTypes = (item as { type?: unknown } | null)?.type;
      if (isObject(item) && [vpTypes].flat().includes('VerifiablePresentation')) form.fields.presentation ??= [JSON.stringify(item)];
      else credentials.push(item);
    }
  }
  for (const text of form.fields.credential ?? []) if (text.trim() !== '') credentials.push(...expandFile(text.trim(), 'the credential field'));
  const rulesText = one('rules');
  const parentCourse = form.fields.parentCourse?.[0]?.trim() || undefined;
  const presentation = one('presentation');
  const body: Record<string, unknown> = {
    credentials,
    ...(presentation ? { presentation } : {}),
    ...(rulesText !== undefined ? { rules: safeJson(rulesText) ?? rulesText } : {}),
    ...(parentCourse && rulesText === undefined ? { parentCourse } : {}),
    ...(form.fields.learnerName?.[0]?.trim() ? { learner: { name: form.fields.learnerName[0].trim() } } : {}),
  };
  if (rulesText !== undefined && typeof body.rules === 'string') throw badParam('body', 'rules', 'is not valid JSON (the stacking rules are a JSON document).');
  return checkRequestFromJson(body);
}

/**
 * The check request of a route whose body is streamed: JSON or a multipart form, by Content-Type.
 *
 * @throws HttpProblem 415 for another media type, 400/413 for a body that cannot be read, 400 naming the field.
 * @example
 * ```ts
 * const request = await readCheckRequest(input.stream!, input.headers);
 * ```
 */
export async function readCheckRequest(stream: Readable, headers: IncomingHttpHeaders): Promise<CheckRequest> {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return checkRequestFromForm(await readMultipart(stream, headers));
  if (type.startsWith('application/json') || /^application\/[a-z.+-]*\+json/.test(type) || type === '') {
    if (type === '') throw problems.badRequest('This request needs a body: JSON (Content-Type: application/json) or a multipart form.');
    return checkRequestFromJson(await readJsonStream(stream));
  }
  throw problems.unsupportedMedia(`Expected Content-Type application/json or multipart/form-data; found ${JSON.stringify(headers['content-type'])}.`);
}
