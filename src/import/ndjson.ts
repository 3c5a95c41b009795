/**
 * Reading NDJSON (JSON Lines): one completion record per line, streaming. Blank lines are skipped; a line that is
 * not a JSON object is a rejected row (with its line number), not a failed file.
 */
import { MicrocredError } from '../errors.js';
import { problem } from '../record/problems.js';
import type { ReadOptions } from './csv.js';
import { decodeUtf8, type ByteSource } from './text.js';
import type { ImportRow } from './types.js';

const MAX_LINE_CHARS = 1 << 20;

/**
 * Yields each non-blank line of an NDJSON upload as a row (1-based row and line numbers).
 *
 * @example
 * ```ts
 * for await (const row of readNdjsonRows(fs.createReadStream('records.ndjson'))) console.log(row.row, row.record?.recordId);
 * ```
 */
export async function* readNdjsonRows(source: ByteSource, options: ReadOptions = {}): AsyncGenerator<ImportRow> {
  let buffer = '';
  let line = 0;
  let row = 0;
  const emit = (text: string): ImportRow | undefined => {
    line++;
    const body = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (body.trim() === '') return undefined;
    row++;
    if (options.maxRows !== undefined && row > options.maxRows) {
      throw new MicrocredError('INPUT_TOO_LARGE', `The file has more than ${options.maxRows} records (the limit), at line ${line}.`, { limit: options.maxRows, line });
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return { row, line, problems: [problem('$', 'one JSON object (a completion record) per line', `text that is not JSON (${(e as Error).message})`)] };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { row, line, problems: [problem('$', 'one JSON object (a completion record) per line', Array.isArray(value) ? 'a list' : typeof value === 'string' ? 'a text' : String(value))] };
    }
    return { row, line, record: value as Record<string, unknown>, problems: [] };
  };
  const decodeOptions = { ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), ...(options.onBytes ? { onBytes: options.onBytes } : {}) };
  for await (const text of decodeUtf8(source, decodeOptions)) {
    buffer += text;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const out = emit(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      if (out) yield out;
    }
    if (buffer.length > MAX_LINE_CHARS) {
      throw new MicrocredError('INPUT_INVALID', `Line ${line + 1} is longer than ${MAX_LINE_CHARS} characters; a record is one line of JSON.`, { line: line + 1 });
    }
  }
  if (buffer !== '') {
    const out = emit(buffer);
    if (out) yield out;
  }
}
