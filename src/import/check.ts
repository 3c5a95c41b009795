/**
 * Validating mapped rows as completion records, without a database (the library's dry run), and the problem
 * bookkeeping the service shares: validation problems name the CSV columns they come from, and a field the mapping
 * already reported is not reported again by validation.
 */
import { catalogueReference, unknownCourseProblem, validateWithCourse, type CatalogueCourse } from '../record/catalogue.js';
import type { RecordProblem } from '../record/problems.js';
import { validateRecord } from '../record/validate.js';
import { columnsFor, type CsvMapping } from './mapping.js';
import type { ImportRow, ReportRow, RowProblem } from './types.js';

const within = (path: string, base: string): boolean => path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);

/**
 * The problems of a row: those found while reading and mapping it, then the validation problems at paths the
 * mapping did not already report on, each naming its column(s) when a mapping is given.
 *
 * @example
 * ```ts
 * const all = rowProblems(row.problems, validation.problems, mapping);
 * ```
 */
export function rowProblems(mapped: readonly RowProblem[], validation: readonly RecordProblem[], mapping?: CsvMapping): RowProblem[] {
  const out: RowProblem[] = [...mapped];
  for (const p of validation) {
    if (mapped.some((m) => m.path !== '$' && (within(p.path, m.path) || within(m.path, p.path)))) continue;
    const columns = mapping ? columnsFor(mapping, p.path) : [];
    if (columns.length === 0) out.push(p);
    else {
      const which = columns.length === 1 ? `column ${columns[0]}` : `columns ${columns.join(', ')}`;
      out.push({ ...p, column: columns.join(', '), message: `${p.path} (${which}): expected ${p.expected}, found ${p.found}` });
    }
  }
  return out;
}

export interface CheckOptions {
  /** The mapping the rows came from (CSV), to name columns in problems. */
  mapping?: CsvMapping;
  /** An issuer's catalogue, for records that carry only the course code (every version of every course). */
  courses?: readonly CatalogueCourse[];
}

/**
 * Validates every row as a completion record (completed from `courses` when it names a course there: the current,
 * i.e. highest, version unless it names one) and yields the report: `would-issue` or `rejected` with every
 * problem. Nothing is issued and nothing is written.
 *
 * @example
 * ```ts
 * for await (const r of checkRows(readCsvRows(file, mapping), { mapping, courses })) if (r.outcome === 'rejected') console.log(r.line, r.problems);
 * ```
 */
export async function* checkRows(rows: AsyncIterable<ImportRow> | Iterable<ImportRow>, options: CheckOptions = {}): AsyncGenerator<ReportRow> {
  const byCode = new Map<string, CatalogueCourse[]>();
  for (const c of options.courses ?? []) byCode.set(c.code, [...(byCode.get(c.code) ?? []), c].sort((a, b) => a.version - b.version));
  for await (const row of rows) {
    const recordId = typeof row.record?.['recordId'] === 'string' ? (row.record['recordId'] as string) : undefined;
    const base = { row: row.row, line: row.line, ...(recordId !== undefined ? { recordId } : {}) };
    let validation: RecordProblem[] = [];
    if (row.record) {
      const ref = catalogueReference(row.record);
      const versions = ref ? (byCode.get(ref.code) ?? []) : [];
      if (ref && versions.length > 0) {
        const entry = ref.version === undefined ? versions[versions.length - 1] : versions.find((v) => v.version === ref.version);
        if (!entry) validation = [unknownCourseProblem(ref, versions.map((v) => v.version))];
        else {
          const v = validateWithCourse(row.record, entry);
          if (!v.ok) validation = v.problems;
        }
      } else if (ref?.version !== undefined) {
        validation = [unknownCourseProblem(ref, [])];
      } else {
        const v = validateRecord(row.record);
        if (!v.ok) validation = v.problems;
      }
    }
    const problems = rowProblems(row.problems, validation, options.mapping);
    yield problems.length === 0 && row.record ? { ...base, outcome: 'would-issue' } : { ...base, outcome: 'rejected', problems };
  }
}
