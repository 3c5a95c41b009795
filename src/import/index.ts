/**
 * Bulk input: CSV exports of student record systems (with a column mapping) and NDJSON, read as a stream into
 * completion records with per-row problems, checked without issuing, and the per-row report writers.
 */
export { compileMapping, columnsFor } from './mapping.js';
export type { CsvMapping, MappingDocument, FieldSpec, FieldType, MappedField } from './mapping.js';
export { compileDateFormat, parseDate } from './dates.js';
export type { DateFormat } from './dates.js';
export { readCsvRows, mapCells } from './csv.js';
export type { ReadOptions } from './csv.js';
export { readNdjsonRows } from './ndjson.js';
export { checkRows, rowProblems } from './check.js';
export type { CheckOptions } from './check.js';
export { reportCsv, reportNdjson, REPORT_COLUMNS } from './report.js';
export type { ImportRow, ReportRow, ReportOutcome, RowProblem } from './types.js';
export type { ByteSource } from './text.js';
