/**
 * Streaming UTF-8 decoding of uploaded files (internal): strict (a file saved in another encoding is refused with
 * the line where decoding failed, not read as mojibake), with a byte limit, and the UTF-8 BOM removed.
 */
import { MicrocredError } from '../errors.js';

export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Number of line breaks in `text` (CRLF, LF and a lone CR each count once); `pendingCr`: text ended in CR. */
export function countLineBreaks(text: string, state: { pendingCr: boolean } = { pendingCr: false }): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (state.pendingCr) state.pendingCr = false;
      else n++;
    } else {
      state.pendingCr = false;
      if (c === 13) {
        n++;
        state.pendingCr = true;
      }
    }
  }
  return n;
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence (or `bytes.length`). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    if (i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += len;
  }
  return i;
}

/**
 * Decodes a byte stream as UTF-8 text chunks. Throws `MicrocredError('INPUT_INVALID')` naming the line of the first
 * byte that is not UTF-8, and `MicrocredError('INPUT_TOO_LARGE')` past `maxBytes`. A leading BOM is dropped.
 *
 * @example
 * ```ts
 * for await (const text of decodeUtf8(fs.createReadStream('export.csv'), { maxBytes: 50 * 2 ** 20 })) parser.write(text);
 * ```
 */
export async function* decodeUtf8(source: ByteSource, options: { maxBytes?: number; onBytes?(n: number): void } = {}): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let bytes = 0;
  let lines = 0;
  const state = { pendingCr: false };
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const data = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    bytes += data.byteLength;
    options.onBytes?.(data.byteLength);
    if (options.maxBytes !== undefined && bytes > options.maxBytes) {
      throw new MicrocredError('INPUT_TOO_LARGE', `The file is larger than the limit of ${options.maxBytes} bytes.`, { limit: options.maxBytes });
    }
    let text: string;
    try {
      text = decoder.decode(data, { stream: true });
    } catch {
      const valid = new TextDecoder('utf-8').decode(data.subarray(0, firstInvalidUtf8(data)));
      const line = lines + countLineBreaks(valid, { ...state }) + 1;
      throw new MicrocredError(
        'INPUT_INVALID',
        `Line ${line} is not UTF-8 text. Save the file as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)") and send it again.`,
        { line },
      );
    }
    lines += countLineBreaks(text, state);
    if (text !== '') yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new MicrocredError('INPUT_INVALID', `The file ends in the middle of a UTF-8 character (line ${lines + 1}). Save it as UTF-8 and send it again.`, { line: lines + 1 });
  }
  if (rest !== '') yield rest;
}
