/**
 * Internal: background bulk jobs. A job takes a CSV export (with a column mapping) or NDJSON, up to configured
 * limits; the upload is read as a stream and stored in the database in chunks of rows as it arrives (so any instance
 * sharing the database can work on it, and a restart loses nothing). Workers (`job-worker.ts`) issue the chunks;
 * the per-row report is read back as a stream, in row order.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicrocredError } from '../errors.js';
import { readCsvRows } from '../import/csv.js';
import { compileMapping } from '../import/mapping.js';
import { readNdjsonRows } from '../import/ndjson.js';
import type { ByteSource } from '../import/text.js';
import type { ImportRow, ReportRow } from '../import/types.js';
import type { JwtAlg } from '../keyset/keyset.js';
import { recordAudit } from '../store/audit.js';
import {
  cancelJobRow,
  deleteJob,
  getJob,
  insertJob,
  insertJobChunk,
  jobProgress,
  listJobs,
  queueJob,
  readJobChunks,
} from '../store/jobs.js';
import type { JobInputType, JobRow, JobState } from '../store/jobs.js';
import { pageTokensOf } from '../store/pages.js';
import { releaseStatusIndexes } from '../store/status-lists-bulk.js';
import { bulkCredentialId } from './bulk-issue.js';
import { unstorablePath } from './record-resolution.js';
import { problem } from '../record/problems.js';
import type { ServiceContext } from './context.js';
import { credentialPageUrl } from './page-urls.js';
import { HttpProblem, problems } from './problem.js';

/** Limits of one upload (part of the service configuration). */
export interface JobLimits {
  /** Largest upload in bytes (default 256 MiB). */
  maxBytes: number;
  /** Most data rows (default 1,000,000). */
  maxRows: number;
  /** Rows per stored chunk: the unit a worker claims and commits (default 500). */
  chunkRows: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = { maxBytes: 256 * 2 ** 20, maxRows: 1_000_000, chunkRows: 500 };

export interface SubmitJobOptions {
  input: JobInputType;
  /** The column mapping document (CSV only). */
  mapping?: unknown;
  format?: 'di' | 'jwt';
  alg?: JwtAlg;
  /** Validate every row and report what would happen; issue nothing. */
  dryRun?: boolean;
  actor: string;
  limits?: Partial<JobLimits>;
}

/** What a job looks like to its owner. */
export interface JobStatus {
  id: string;
  issuer: string;
  state: JobState;
  input: JobInputType;
  format: 'di' | 'jwt';
  dryRun: boolean;
  /** Data rows of the upload. */
  total: number;
  /** Rows with an outcome. */
  processed: number;
  counts: { issued: number; alreadyIssued: number; rejected: number; wouldIssue: number };
  /** Rows per second over the last 30 s of work (undefined before any). */
  rate?: number;
  /** Seconds until done at that rate (running jobs). */
  etaSeconds?: number;
  createdBy: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

function toProblem(e: unknown): unknown {
  if (!(e instanceof MicrocredError)) return e;
  if (e.code === 'MAPPING_INVALID') {
    return problems.invalid('mapping-invalid', 'Invalid column mapping', e.message.split('\n')[0] ?? e.message, { problems: e.details });
  }
  if (e.code === 'INPUT_INVALID') return problems.invalid('input-invalid', 'Unreadable upload', e.message, { ...(e.details as object) });
  if (e.code === 'INPUT_TOO_LARGE') return new HttpProblem(413, 'payload-too-large', 'Payload too large', e.message, { ...(e.details as object) });
  return e;
}

/**
 * Receives a job: checks the options and mapping first (422, nothing stored), then reads the upload as a stream,
 * storing its rows in chunks as they arrive, and queues it for the workers. A file that cannot be read (not UTF-8, a
 * quote never closed, a header without a mapped column, over a limit) is refused with its line (422/413) and
 * nothing of it stays stored. Rows with problems do not stop the upload: they are rejected rows in the report.
 *
 * @example
 * ```ts
 * const job = await submitJob(ctx, 'northbridge', fs.createReadStream('cohort.csv'), { input: 'csv', mapping, actor: 'api-key:ak_1' });
 * job.state; // 'queued'
 * ```
 */
export async function submitJob(ctx: ServiceContext, slug: string, source: ByteSource, options: SubmitJobOptions): Promise<JobStatus> {
  const issuer = await ctx.issuer(slug);
  const limits = { ...DEFAULT_JOB_LIMITS, ...options.limits };
  const format = options.format ?? 'di';
  if (format !== 'di' && format !== 'jwt') throw problems.badRequest(`format must be "di" or "jwt"; found ${JSON.stringify(format)}.`);
  if (options.alg !== undefined && format === 'jwt') {
    try {
      issuer.keys.activeKey('jwt', options.alg);
    } catch (e) {
      throw problems.badRequest(`This issuer cannot sign ${options.alg} JWTs: ${(e as Error).message}`);
    }
  }
  let rows: AsyncGenerator<ImportRow>;
  let mappingDoc: unknown;
  const read = { maxBytes: limits.maxBytes, maxRows: limits.maxRows, onBytes: (n: number) => (bytes += n) };
  let bytes = 0;
  if (options.input === 'csv') {
    if (options.mapping === undefined) throw problems.badRequest('A CSV job needs a column mapping.');
    let mapping;
    try {
      mapping = compileMapping(options.mapping);
    } catch (e) {
      throw toProblem(e);
    }
    mappingDoc = mapping.document;
    rows = readCsvRows(source, mapping, read);
  } else if (options.input === 'ndjson') {
    if (options.mapping !== undefined) throw problems.badRequest('An NDJSON job has one completion record per line and no column mapping.');
    rows = readNdjsonRows(source, read);
  } else {
    throw problems.badRequest(`input must be "csv" or "ndjson"; found ${JSON.stringify(options.input)}.`);
  }
  const id = randomUUID();
  const jobOptions = { format, ...(options.alg ? { alg: options.alg } : {}), dryRun: options.dryRun === true };
  await insertJob(ctx.db, { id, issuerSlug: slug, inputType: options.input, ...(mappingDoc !== undefined ? { mapping: mappingDoc } : {}), options: jobOptions, createdBy: options.actor });
  let total = 0;
  try {
    let seq = 0;
    let chunk: ImportRow[] = [];
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      await insertJobChunk(ctx.db, id, seq++, chunk[0]?.row as number, chunk);
      chunk = [];
    };
    for await (const read of rows) {
      total++;
      // Text the database cannot hold (NUL, unpaired surrogates) makes the row a rejected one, not a failed upload.
      const bad = unstorablePath(read.record) ?? (unstorablePath(read.problems) ? '$' : undefined);
      const row: ImportRow = bad
        ? { row: read.row, line: read.line, problems: [problem(bad, 'text without NUL characters or unpaired surrogates', 'a character that cannot be stored')] }
        : read;
      chunk.push(row);
      if (chunk.length >= limits.chunkRows) await flush();
    }
    await flush();
    if (total === 0) throw new MicrocredError('INPUT_INVALID', 'The upload has no data rows.', {});
    await ctx.db.transaction(async (tx) => {
      await queueJob(tx, id, total, bytes);
      await recordAudit(tx, { actor: options.actor, issuerSlug: slug, action: 'job.submit', target: id, details: { input: options.input, rows: total, ...jobOptions } });
    });
  } catch (e) {
    await deleteJob(ctx.db, id).catch(() => {});
    throw toProblem(e);
  }
  return getJobStatus(ctx, slug, id);
}

function statusOf(job: JobRow, p: Awaited<ReturnType<typeof jobProgress>>): JobStatus {
  const rate = p.recentRows > 0 && p.recentSeconds > 0 ? p.recentRows / p.recentSeconds : undefined;
  const remaining = job.total - p.processed;
  return {
    id: job.id,
    issuer: job.issuerSlug,
    state: job.state,
    input: job.inputType,
    format: job.options.format,
    dryRun: job.options.dryRun,
    total: job.total,
    processed: p.processed,
    counts: { issued: p.issued, alreadyIssued: p.existing, rejected: p.rejected, wouldIssue: p.valid },
    ...(rate !== undefined ? { rate: Math.round(rate * 10) / 10 } : {}),
    ...(rate !== undefined && job.state === 'running' ? { etaSeconds: Math.ceil(remaining / rate) } : {}),
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
  };
}

/**
 * A job's state, counts, rate and ETA (404 problem when the issuer has no such job).
 *
 * @example
 * ```ts
 * const { state, processed, total, etaSeconds } = await getJobStatus(ctx, 'northbridge', id);
 * ```
 */
export async function getJobStatus(ctx: ServiceContext, slug: string, id: string): Promise<JobStatus> {
  const job = await getJob(ctx.db, slug, id);
  if (!job) throw problems.notFound(`Issuer ${slug} has no job ${JSON.stringify(id)}.`);
  return statusOf(job, await jobProgress(ctx.db, id));
}

/**
 * An issuer's most recent jobs, newest first.
 *
 * @example
 * ```ts
 * const recent = await listJobStatuses(ctx, 'northbridge', { limit: 20 });
 * ```
 */
export async function listJobStatuses(ctx: ServiceContext, slug: string, options: { limit?: number } = {}): Promise<JobStatus[]> {
  await ctx.issuer(slug);
  const jobs = await listJobs(ctx.db, slug, options.limit ?? 50);
  return Promise.all(jobs.map(async (j) => statusOf(j, await jobProgress(ctx.db, j.id))));
}

/**
 * Cancels a job that has not finished: no further chunk is started, a chunk being worked on is not written, and
 * rows not processed are reported `not-processed`. Credentials already issued stay issued. Returns the status.
 *
 * @example
 * ```ts
 * await cancelJob(ctx, 'northbridge', id, { actor: 'api-key:ak_1' });
 * ```
 */
export async function cancelJob(ctx: ServiceContext, slug: string, id: string, options: { actor: string }): Promise<JobStatus> {
  const before = await getJob(ctx.db, slug, id);
  if (!before) throw problems.notFound(`Issuer ${slug} has no job ${JSON.stringify(id)}.`);
  const state = await cancelJobRow(ctx.db, slug, id);
  if (state === 'cancelled' && before.state !== 'cancelled') {
    await recordAudit(ctx.db, { actor: options.actor, issuerSlug: slug, action: 'job.cancel', target: id });
    // Status indexes claimed for chunks that were started but not written (their worker died, or will stop
    // without writing now) are handed back.
    const open = await ctx.db.query<{ items: { row: number }[] | null }>(
      `SELECT items FROM job_chunks WHERE job_id = $1 AND state <> 'done' AND attempts > 0 AND (lease_until IS NULL OR lease_until < now())`,
      [id],
    );
    const ids = open.rows.flatMap((r) => (r.items ?? []).map((i) => bulkCredentialId(id, i.row)));
    if (ids.length > 0) await ctx.db.transaction((tx) => releaseStatusIndexes(tx, ids));
  }
  return getJobStatus(ctx, slug, id);
}

export interface ReadResultsOptions {
  /** Wait for rows still being worked on, until the job is done or cancelled (default: report what is done). */
  follow?: boolean;
  /** Polling interval while following, ms (default 500). */
  pollMs?: number;
  /** Stop following after this long, ms. */
  timeoutMs?: number;
}

/**
 * The per-row report of a job, in row order, as a stream (read from the database a few chunks at a time). Without
 * `follow`, rows not processed yet are left out (or reported `not-processed` when the job was cancelled); with
 * `follow` it waits for them.
 *
 * @example
 * ```ts
 * for await (const chunk of reportCsv(readJobResults(ctx, 'northbridge', id, { follow: true }))) res.write(chunk);
 * ```
 */
export async function* readJobResults(ctx: ServiceContext, slug: string, id: string, options: ReadResultsOptions = {}): AsyncGenerator<ReportRow> {
  const job = await getJob(ctx.db, slug, id);
  if (!job) throw problems.notFound(`Issuer ${slug} has no job ${JSON.stringify(id)}.`);
  const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : Infinity;
  let seq = 0;
  for (;;) {
    const chunks = await readJobChunks(ctx.db, id, seq, 8);
    if (chunks.length === 0) return;
    for (const c of chunks) {
      if (c.state !== 'done') {
        const state = (await getJob(ctx.db, slug, id))?.state;
        if (state === 'cancelled') {
          for (const item of (c.items ?? []) as { row: number; line: number; record?: { recordId?: unknown } }[]) {
            const recordId = item.record?.recordId;
            yield { row: item.row, line: item.line, ...(typeof recordId === 'string' ? { recordId } : {}), outcome: 'not-processed' };
          }
          seq = c.seq + 1;
          continue;
        }
        if (!options.follow || state === 'done' || state === undefined) {
          seq = c.seq + 1;
          continue;
        }
        if (Date.now() > deadline) throw problems.unavailable(`Job ${id} was still running when the wait ended.`);
        await sleep(options.pollMs ?? 500);
        break;
      }
      // Each row names its credential's page (`url`), read when the report is: a page withdrawn since is left out.
      const results = (c.results ?? []) as ReportRow[];
      const tokens = await pageTokensOf(ctx.db, slug, results.flatMap((r) => (r.credentialId !== undefined ? [r.credentialId] : [])));
      for (const r of results) {
        const token = r.credentialId !== undefined ? tokens.get(r.credentialId) : undefined;
        yield token !== undefined ? { ...r, url: credentialPageUrl(ctx, token) } : r;
      }
      seq = c.seq + 1;
    }
  }
}
