/**
 * Reading a student record system export: CSV in, one mapped row at a time out, streaming (csv-parse).
 *
 * What exports and spreadsheets do and how it is read:
 * - UTF-8 with or without BOM; anything else is refused with the line that is not UTF-8;
 * - a first line `sep=;` (Excel's delimiter hint) sets the delimiter;
 * - CRLF or LF line ends; quoted fields may hold delimiters, quotes ("") and line breaks;
 * - blank lines and rows of empty cells (",,,,") are skipped; cells after the header's last column must be empty;
 *   a row with fewer cells has empty cells at the end;
 * - `="0123"` (Excel's way to keep leading zeros) is read as `0123`; cells are trimmed.
 * Problems of a row carry its start line and the column they come from. A file that cannot be read at all (a quote
 * never closed, a header without a column the mapping needs) throws `MicrocredError('INPUT_INVALID')` with the line.
 */
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { MicrocredError } from '../errors.js';
import { describe, problem } from '../record/problems.js';
import { parseDate } from './dates.js';
import type { CsvMapping, MappedField } from './mapping.js';
import { countLineBreaks, decodeUtf8, type ByteSource } from './text.js';
import type { ImportRow, RowProblem } from './types.js';

export interface ReadOptions {
  /** Refuse files larger than this many bytes (`INPUT_TOO_LARGE`). */
  maxBytes?: number;
  /** Refuse files with more data rows than this (`INPUT_TOO_LARGE`). */
  maxRows?: number;
  /** Called with the size of each chunk read (progress of an upload). */
  onBytes?(n: number): void;
}

/** Longest record csv-parse buffers (a quote never closed would otherwise swallow the whole file). */
const MAX_RECORD_CHARS = 1 << 20;

/** Excel's text forcing: `="0123"` stands for the text 0123. */
function unforce(cell: string): string {
  const m = /^="(.*)"$/s.exec(cell);
  return m ? (m[1] as string).replace(/""/g, '"') : cell;
}

function withColumn(p: RowProblem, column: string | undefined): RowProblem {
  if (column === undefined) return p;
  return { ...p, column, message: `${p.path} (column ${column}): expected ${p.expected}, found ${p.found}` };
}

function setPath(target: Record<string, unknown>, segments: (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  segments.forEach((s, i) => {
    if (i === segments.length - 1) {
      node[s] = value;
      return;
    }
    const next = segments[i + 1];
    if (node[s] === undefined) node[s] = typeof next === 'number' ? [] : {};
    node = node[s] as Record<string | number, unknown>;
  });
}

/** Drops the holes list items with empty cells leave. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = compact(v);
  }
  return value;
}

function convert(field: MappedField, text: string): { value: unknown } | { problem: RowProblem } {
  const column = 'column' in field.source ? field.source.column : undefined;
  const fail = (expected: string, found: string): { problem: RowProblem } => ({ problem: withColumn(problem(field.path, expected, found), column) });
  if (field.map) {
    const key = field.ignoreCase ? text.toLowerCase() : text;
    if (field.map.has(key)) return { value: structuredClone(field.map.get(key)) };
    const codes = [...field.map.keys()];
    const shown = codes.slice(0, 12).map((c) => JSON.stringify(c)).join(', ') + (codes.length > 12 ? `, ... (${codes.length} codes)` : '');
    return fail(`one of the codes the mapping knows: ${shown}`, describe(text));
  }
  switch (field.type) {
    case 'number':
      return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? { value: Number(text) } : fail('a number such as 64 or 64.5', describe(text));
    case 'integer':
      return /^[+-]?\d+$/.test(text) ? { value: Number(text) } : fail('a whole number', describe(text));
    case 'boolean': {
      const t = text.toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(t)) return { value: true };
      if (['false', 'no', 'n', '0'].includes(t)) return { value: false };
      return fail('true/false, yes/no, y/n or 1/0', describe(text));
    }
    case 'date': {
      const format = field.dateFormat as NonNullable<MappedField['dateFormat']>;
      const d = parseDate(text, format);
      if (d.ok) return { value: d.date };
      return fail(`a date written ${format.text}`, d.reason === 'date' ? `${describe(text)}, which is not a date` : describe(text));
    }
    default:
      return { value: text };
  }
}

/**
 * Maps the cells of one data row to a completion record.
 *
 * @example
 * ```ts
 * const { record, problems } = mapCells(mapping, (column) => cells[index.get(column)!] ?? '');
 * ```
 */
export function mapCells(mapping: CsvMapping, cell: (column: string) => string): { record: Record<string, unknown>; problems: RowProblem[] } {
  const record: Record<string, unknown> = {};
  const problems: RowProblem[] = [];
  for (const field of mapping.fields) {
    if ('value' in field.source) {
      setPath(record, field.segments, structuredClone(field.source.value));
      continue;
    }
    let text: string;
    if ('column' in field.source) {
      text = cell(field.source.column);
    } else {
      const empty = field.source.template.find((p) => 'column' in p && cell(p.column) === '');
      if (empty && 'column' in empty) {
        problems.push(withColumn(problem(field.path, `a value in column ${empty.column} (the template of ${field.name} uses it)`, 'an empty cell'), empty.column));
        continue;
      }
      text = field.source.template.map((p) => ('column' in p ? cell(p.column) : p.text)).join('');
    }
    if (text === '') {
      if (field.hasDefault) setPath(record, field.segments, structuredClone(field.default));
      else if (field.required) {
        problems.push(withColumn(problem(field.path, 'a value (the mapping makes this column required)', 'an empty cell'), field.columns[0]));
      }
      continue;
    }
    const out = convert(field, text);
    if ('problem' in out) problems.push(out.problem);
    else setPath(record, field.segments, out.value);
  }
  return { record: compact(record) as Record<string, unknown>, problems };
}

function headerIndex(header: string[], mapping: CsvMapping, line: number): Map<string, number> {
  const index = new Map<string, number>();
  const missing: string[] = [];
  for (const column of mapping.columns) {
    let at = header.flatMap((h, i) => (h === column ? [i] : []));
    if (at.length === 0) at = header.flatMap((h, i) => (h.toLowerCase() === column.toLowerCase() ? [i] : []));
    if (at.length > 1) {
      throw new MicrocredError('INPUT_INVALID', `The header (line ${line}) has the column ${JSON.stringify(column)} ${at.length} times; the mapping cannot tell which one to read.`, { line, column });
    }
    if (at.length === 0) missing.push(column);
    else index.set(column, at[0] as number);
  }
  if (missing.length > 0) {
    const fields = mapping.fields.filter((f) => f.columns.some((c) => missing.includes(c))).map((f) => f.name);
    throw new MicrocredError(
      'INPUT_INVALID',
      `The header (line ${line}) has no column ${missing.map((m) => JSON.stringify(m)).join(', ')}, which the mapping reads for ${fields.join(', ')}. ` +
        `The header's columns are: ${header.filter((h) => h !== '').map((h) => JSON.stringify(h)).join(', ')}.`,
      { line, missing },
    );
  }
  return index;
}

/**
 * Reads a CSV export and yields each data row mapped to a completion record, with its row number, start line and
 * problems (see the module description for the CSV dialect).
 *
 * @example
 * ```ts
 * const mapping = compileMapping(mappingJson);
 * for await (const row of readCsvRows(fs.createReadStream('cohort.csv'), mapping)) {
 *   if (row.problems.length) console.log(row.line, row.problems.map((p) => p.message));
 * }
 * ```
 */
export async function* readCsvRows(source: ByteSource, mapping: CsvMapping, options: ReadOptions = {}): AsyncGenerator<ImportRow> {
  const text = decodeUtf8(source, { ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), ...(options.onBytes ? { onBytes: options.onBytes } : {}) });
  // The first lines decide the dialect: a `sep=` line and the lines to skip before the header.
  let head = '';
  let rest: AsyncGenerator<string> | undefined = text;
  const need = mapping.skipLines + 1;
  while (countLineBreaks(head) < need) {
    const next = await text.next();
    if (next.done) {
      rest = undefined;
      break;
    }
    head += next.value;
  }
  let delimiter = mapping.delimiter;
  let lineOffset = 0;
  const sep = /^sep=(.)\r?\n?/.exec(head);
  if (sep) {
    delimiter = sep[1] as string;
    head = head.slice(sep[0].length);
    lineOffset++;
  }
  for (let i = 0; i < mapping.skipLines; i++) {
    const m = /\r\n|\n|\r/.exec(head);
    if (!m) {
      head = '';
      break;
    }
    head = head.slice(m.index + m[0].length);
    lineOffset++;
  }
  const parser = parse({
    delimiter,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  // Written with back-pressure; stopped when the reader stops (a consumer that breaks out, or an error).
  const stop = new AbortController();
  const feeding = (async () => {
    const write = async (s: string): Promise<void> => {
      if (stop.signal.aborted) throw stop.signal.reason;
      if (!parser.write(s)) await once(parser, 'drain', { signal: stop.signal });
    };
    if (head) await write(head);
    if (rest) for await (const chunk of rest) await write(chunk);
    parser.end();
  })().catch((e: unknown) => parser.destroy(e as Error));

  let lines = lineOffset;
  let header: string[] | undefined;
  let index: Map<string, number> | undefined;
  let row = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const start = lines + 1;
      lines += countLineBreaks(item.raw);
      const cells = item.record.map((c) => unforce(c.trim()));
      if (cells.every((c) => c === '')) continue;
      if (!header) {
        header = cells;
        while (header.length > 0 && header[header.length - 1] === '') header.pop();
        index = headerIndex(header, mapping, start);
        continue;
      }
      row++;
      if (options.maxRows !== undefined && row > options.maxRows) {
        throw new MicrocredError('INPUT_TOO_LARGE', `The file has more than ${options.maxRows} data rows (the limit), at line ${start}.`, { limit: options.maxRows, line: start });
      }
      const cols = index as Map<string, number>;
      const { record, problems } = mapCells(mapping, (column) => cells[cols.get(column) as number] ?? '');
      const width = header.length;
      const extra = cells.slice(width).findIndex((c) => c !== '');
      if (extra >= 0) {
        problems.unshift(problem('$', `at most ${width} cells (the header has ${width} columns)`, `${cells.length} cells, with a value in cell ${width + extra + 1}`));
      }
      yield { row, line: start, record, problems };
    }
  } catch (e) {
    if (e instanceof MicrocredError) throw e;
    const err = e as { code?: string; lines?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      const line = lines + 1;
      const what =
        err.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted cell starts here and its closing quote never comes'
          : err.code === 'CSV_MAX_RECORD_SIZE'
            ? `a row starting here is longer than ${MAX_RECORD_CHARS} characters (often a quote that is never closed)`
            : (err.message ?? err.code);
      throw new MicrocredError('INPUT_INVALID', `Line ${line} cannot be read as CSV: ${what}.`, { line, code: err.code });
    }
    throw e;
  } finally {
    stop.abort(new Error('reading stopped'));
    parser.destroy();
    await feeding;
  }
  if (!header) throw new MicrocredError('INPUT_INVALID', 'The file is empty: it has no header line.', { line: lines + 1 });
}
