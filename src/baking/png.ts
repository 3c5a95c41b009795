/**
 * PNG carrier (OB 3.0 §5.3.1): one `iTXt` chunk with keyword `openbadgecredential`, no compression, empty language
 * tag and translated keyword. Baking inserts that chunk after `IHDR` and copies every other byte as it was; the
 * image itself is never decoded or re-encoded. Every chunk's CRC is checked (node:zlib's CRC-32).
 *
 * Reading is a little more lenient than writing, for other implementations' badges: a compressed `iTXt` and a
 * `tEXt` chunk with the same keyword are read too (and count towards "more than one credential").
 */
import { crc32, inflateSync } from 'node:zlib';
import { MicrocredError } from '../errors.js';

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const PNG_KEYWORD = 'openbadgecredential';
/** Open Badges 2.0 used this keyword; such images carry an OB 2.0 assertion, not an OB 3.0 credential. */
const OB2_KEYWORD = 'openbadges';

interface Chunk {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  /** Offset just after its CRC. */
  end: number;
  data: Uint8Array;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function invalid(message: string): MicrocredError {
  return new MicrocredError('BADGE_IMAGE_INVALID', `This PNG is damaged: ${message}`);
}

/** The chunks up to and including IEND (bytes after IEND are not part of the image and are left alone). */
function readChunks(bytes: Uint8Array): { chunks: Chunk[]; iendEnd: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) throw invalid(`it ends inside a chunk header at byte ${at} (no IEND chunk).`);
    const length = view.getUint32(at);
    const typeBytes = bytes.subarray(at + 4, at + 8);
    const type = String.fromCharCode(...typeBytes);
    if (!/^[A-Za-z]{4}$/.test(type)) throw invalid(`bad chunk type at byte ${at + 4}.`);
    if (length > 0x7fffffff || at + 12 + length > bytes.length) throw invalid(`chunk ${type} at byte ${at} runs past the end of the file.`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    const crc = view.getUint32(at + 8 + length);
    if (crc32(data, crc32(typeBytes)) !== crc) throw invalid(`chunk ${type} at byte ${at} fails its CRC check.`);
    if (chunks.length === 0 && type !== 'IHDR') throw invalid('the first chunk is not IHDR.');
    const chunk = { type, start: at, end: at + 12 + length, data };
    chunks.push(chunk);
    at = chunk.end;
    if (type === 'IEND') return { chunks, iendEnd: at };
  }
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Keyword of a text chunk (iTXt / tEXt / zTXt), or undefined for other chunks. */
function keywordOf(chunk: Chunk): string | undefined {
  if (chunk.type !== 'iTXt' && chunk.type !== 'tEXt' && chunk.type !== 'zTXt') return undefined;
  const nul = chunk.data.indexOf(0);
  return nul > 0 && nul < 80 ? latin1.decode(chunk.data.subarray(0, nul)) : undefined;
}

function textOf(chunk: Chunk, maxBytes: number): string {
  const d = chunk.data;
  const nul = d.indexOf(0);
  if (chunk.type === 'tEXt') return latin1.decode(d.subarray(nul + 1));
  if (chunk.type !== 'iTXt') throw new MicrocredError('BADGE_CREDENTIAL_INVALID', `The credential is in a ${chunk.type} chunk; Open Badges 3.0 uses iTXt.`);
  const compressed = d[nul + 1];
  const method = d[nul + 2];
  const langEnd = d.indexOf(0, nul + 3);
  const keyEnd = langEnd < 0 ? -1 : d.indexOf(0, langEnd + 1);
  if (compressed === undefined || method === undefined || langEnd < 0 || keyEnd < 0) throw invalid('its iTXt chunk is malformed.');
  let text = d.subarray(keyEnd + 1);
  if (compressed === 1) {
    if (method !== 0) throw invalid(`its iTXt chunk uses an unknown compression method ${method}.`);
    try {
      text = inflateSync(text, { maxOutputLength: maxBytes + 1 });
    } catch (e) {
      throw new MicrocredError((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'BADGE_TOO_LARGE' : 'BADGE_IMAGE_INVALID',
        `The compressed iTXt chunk could not be read: ${(e as Error).message}`);
    }
  } else if (compressed !== 0) {
    throw invalid(`its iTXt chunk has compression flag ${compressed}.`);
  }
  try {
    return utf8.decode(text);
  } catch {
    throw new MicrocredError('BADGE_CREDENTIAL_INVALID', 'The iTXt text is not valid UTF-8.');
  }
}

/** The text of the one credential chunk. */
export function unbakePng(bytes: Uint8Array, maxCredentialBytes: number): string {
  const { chunks } = readChunks(bytes);
  const carriers = chunks.filter((c) => keywordOf(c) === PNG_KEYWORD);
  if (carriers.length > 1) {
    throw new MicrocredError('BADGE_MULTIPLE_CREDENTIALS', `This PNG carries ${carriers.length} "${PNG_KEYWORD}" chunks; a baked badge carries exactly one credential.`);
  }
  const [carrier] = carriers;
  if (carrier === undefined) {
    const ob2 = chunks.some((c) => keywordOf(c) === OB2_KEYWORD);
    throw new MicrocredError('BADGE_NOT_BAKED', ob2
      ? 'This PNG carries an Open Badges 2.0 assertion ("openbadges" chunk), not an Open Badges 3.0 credential.'
      : 'This PNG carries no credential (no iTXt chunk with the keyword "openbadgecredential").');
  }
  return textOf(carrier, maxCredentialBytes);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(data, crc32(typeBytes)));
  return out;
}

/** The iTXt chunk OB 3.0 prescribes: keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword. */
export function credentialChunk(text: string): Uint8Array {
  const keyword = new TextEncoder().encode(PNG_KEYWORD);
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(keyword.length + 5 + body.length);
  data.set(keyword, 0);
  // keyword NUL, compression flag 0, compression method 0, language tag "" NUL, translated keyword "" NUL
  data.set(body, keyword.length + 5);
  return chunk('iTXt', data);
}

/** The PNG with the credential chunk right after IHDR; every other byte as it was (existing carriers removed when replacing). */
export function bakePng(bytes: Uint8Array, text: string, replace: boolean): Uint8Array {
  const { chunks } = readChunks(bytes);
  const existing = chunks.filter((c) => keywordOf(c) === PNG_KEYWORD);
  if (existing.length > 0 && !replace) {
    throw new MicrocredError('BADGE_ALREADY_BAKED', 'This PNG already carries a credential; pass { replace: true } to replace it.');
  }
  const ihdr = chunks[0] as Chunk;
  const parts: Uint8Array[] = [bytes.subarray(0, ihdr.end), credentialChunk(text)];
  let copied = ihdr.end;
  for (const c of existing) {
    parts.push(bytes.subarray(copied, c.start));
    copied = c.end;
  }
  parts.push(bytes.subarray(copied));
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
