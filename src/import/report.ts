/**
 * The per-row report as CSV (for the registry office's spreadsheet) or NDJSON (for programs), written as it is read.
 */
import type { ReportRow } from './types.js';

export const REPORT_COLUMNS = ['row', 'line', 'recordId', 'outcome', 'credentialId', 'url', 'problems'] as const;

type Rows = AsyncIterable<ReportRow> | Iterable<ReportRow>;

/** One CSV cell (RFC 4180 quoting). Text a spreadsheet would run as a formula gets a leading apostrophe. */
function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The report as CSV text chunks: a header line, then one line per row (CRLF line ends; a UTF-8 BOM first unless
 * `bom: false`, so spreadsheets read the file as UTF-8). Problems are one cell, their sentences separated by " | ".
 *
 * @example
 * ```ts
 * await pipeline(Readable.from(reportCsv(rows)), fs.createWriteStream('report.csv'));
 * ```
 */
export async function* reportCsv(rows: Rows, options: { bom?: boolean } = {}): AsyncGenerator<string> {
  yield `${options.bom === false ? '' : '\ufeff'}${REPORT_COLUMNS.join(',')}\r\n`;
  for await (const r of rows) {
    const problems = r.problems?.map((p) => p.message).join(' | ');
    yield [r.row, r.line, r.recordId, r.outcome, r.credentialId, r.url, problems].map(cell).join(',') + '\r\n';
  }
}

/**
 * The report as NDJSON: one JSON object per row and line.
 *
 * @example
 * ```ts
 * for await (const line of reportNdjson(rows)) res.write(line);
 * ```
 */
export async function* reportNdjson(rows: Rows): AsyncGenerator<string> {
  for await (const r of rows) yield `${JSON.stringify(r)}\n`;
}
