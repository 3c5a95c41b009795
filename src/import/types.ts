import type { RecordProblem } from '../record/problems.js';

/** A problem of one input row: a record problem, with the CSV column it comes from when there is one. */
export interface RowProblem extends RecordProblem {
  column?: string;
}

/** One data row of an upload, read and mapped (not yet validated as a completion record). */
export interface ImportRow {
  /** 1 for the first data row. */
  row: number;
  /** The line of the file where the row starts (1-based, counting every line of the file). */
  line: number;
  /** The completion record the row maps to (possibly incomplete when it has problems). */
  record?: Record<string, unknown>;
  /** Problems found while reading or mapping the row; validation adds its own later. */
  problems: RowProblem[];
}

/**
 * What happened to a row: `issued`; `already-issued` (the record had this credential already: idempotent);
 * `rejected` (see problems); in a dry run `would-issue`; `not-processed` (the job was cancelled first).
 */
export type ReportOutcome = 'issued' | 'already-issued' | 'rejected' | 'would-issue' | 'not-processed';

/** One line of the per-row report. */
export interface ReportRow {
  row: number;
  line: number;
  recordId?: string;
  outcome: ReportOutcome;
  credentialId?: string;
  /** The credential's page, when the caller knows how to name it. */
  url?: string;
  problems?: RowProblem[];
}
