/**
 * Internal: issuing many records in one request. Each record gets its own result (issued, already-issued, invalid
 * with its problems, conflict, error); one bad record never stops the others.
 */
import type { JwtAlg } from '../keyset/keyset.js';
import type { CredentialFormat, CredentialRow } from '../store/credentials.js';
import type { Queryable } from '../store/db.js';
import type { ServiceContext } from './context.js';
import { coreErrorToProblem, issueFromRecord } from './issuance.js';
import { credentialPageUrl } from './page-urls.js';
import { errorSummary } from './log.js';
import { HttpProblem } from './problem.js';

/** Most records one batch may hold. */
export const MAX_BATCH = 1000;

/** One record of a batch, or the reason a line of JSON Lines could not be read. */
export interface BatchItem {
  record?: unknown;
  parseError?: string;
}

export interface BatchOptions {
  format: CredentialFormat;
  reissue: boolean;
  alg?: JwtAlg;
  actor: string;
  /** Request id for the log lines of failed items. */
  reqId: string;
  /** Runs in each item's issuing transaction (the claim e-mail). */
  onStored?: (tx: Queryable, row: CredentialRow) => Promise<void>;
}

export type BatchOutcome = 'issued' | 'already-issued' | 'invalid' | 'conflict' | 'error';

/**
 * The records of a JSON Lines text, one per non-blank line; a line that is not JSON is kept as its parse error.
 *
 * @example
 * ```ts
 * jsonLines('{"recordId":"a"}\n{not json\n'); // [{ record: { recordId: 'a' } }, { parseError: '...' }]
 * ```
 */
export function jsonLines(text: string): BatchItem[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return { record: JSON.parse(line) as unknown };
      } catch (e) {
        return { parseError: (e as Error).message };
      }
    });
}

async function issueItem(ctx: ServiceContext, slug: string, item: BatchItem, index: number, options: BatchOptions): Promise<Record<string, unknown>> {
  const recordId = (item.record as { recordId?: unknown } | undefined)?.recordId;
  const base = { index, ...(typeof recordId === 'string' ? { recordId } : {}) };
  if (item.parseError !== undefined) {
    return { ...base, outcome: 'invalid', problems: [{ path: '$', expected: 'one JSON object per line', found: 'malformed JSON', message: `Line ${index + 1} is not valid JSON.` }] };
  }
  try {
    const { format, reissue, alg, actor, onStored } = options;
    const out = await issueFromRecord(ctx, slug, item.record, { format, reissue, ...(alg ? { alg } : {}), actor, ...(onStored ? { onStored } : {}) });
    const credential = out.row.format === 'di' ? JSON.parse(out.row.credential) : out.row.credential;
    return { ...base, outcome: out.outcome === 'issued' ? 'issued' : 'already-issued', id: out.row.id, status: out.row.status, ...(out.row.pageToken ? { pageUrl: credentialPageUrl(ctx, out.row.pageToken) } : {}), credential, ...(out.superseded.length ? { superseded: out.superseded } : {}) };
  } catch (e) {
    const p = coreErrorToProblem(e);
    if (p instanceof HttpProblem && p.status === 422) return { ...base, outcome: 'invalid', detail: p.message, problems: p.extensions.problems ?? [] };
    if (p instanceof HttpProblem && p.status === 409) return { ...base, outcome: 'conflict', detail: p.message, existing: p.extensions.existing };
    if (p instanceof HttpProblem && p.status === 503) {
      ctx.logger.warn({ reqId: options.reqId, error: errorSummary(p.cause) }, 'batch item failed: service unavailable');
      return { ...base, outcome: 'error', detail: p.message };
    }
    ctx.logger.error({ reqId: options.reqId, error: errorSummary(e) }, 'batch item failed');
    return { ...base, outcome: 'error', detail: 'The server failed to issue this record; it has been logged with the request id.' };
  }
}

/**
 * Issues every item (several at once on PostgreSQL, one at a time on the embedded database) and returns a summary
 * by outcome and the results in the items' order.
 *
 * @example
 * ```ts
 * const { summary, results } = await issueBatch(ctx, 'northbridge', records.map((record) => ({ record })), { format: 'di', reissue: false, actor, reqId });
 * ```
 */
export async function issueBatch(ctx: ServiceContext, slug: string, items: readonly BatchItem[], options: BatchOptions): Promise<{ summary: Record<string, number>; results: Record<string, unknown>[] }> {
  const results: Record<string, unknown>[] = new Array(items.length);
  const summary: Record<BatchOutcome, number> = { issued: 0, 'already-issued': 0, invalid: 0, conflict: 0, error: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const result = await issueItem(ctx, slug, items[index] as BatchItem, index, options);
      summary[result.outcome as BatchOutcome] = (summary[result.outcome as BatchOutcome] ?? 0) + 1;
      results[index] = result;
    }
  };
  await Promise.all(Array.from({ length: ctx.db.kind === 'postgres' ? 4 : 1 }, worker));
  return { summary, results };
}
