/**
 * Bulk jobs and their chunks. A chunk is claimed by one worker at a time with `FOR UPDATE SKIP LOCKED` and a lease
 * (a token and a time in the database's clock); when the lease runs out (the worker died) another worker claims the
 * chunk again, and only the holder of the current token can complete it.
 */
import type { Queryable } from './db.js';
import { isoTime } from './db.js';

export type JobState = 'receiving' | 'queued' | 'running' | 'done' | 'cancelled';
export type JobInputType = 'csv' | 'ndjson';

export interface JobOptions {
  format: 'di' | 'jwt';
  alg?: 'ES256' | 'EdDSA';
  dryRun: boolean;
}

export interface JobRow {
  id: string;
  issuerSlug: string;
  inputType: JobInputType;
  mapping?: unknown;
  options: JobOptions;
  state: JobState;
  total: number;
  inputBytes: number;
  createdBy: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
}

/** Per-job totals over its chunks. */
export interface JobProgress {
  chunks: number;
  doneChunks: number;
  processed: number;
  issued: number;
  existing: number;
  rejected: number;
  valid: number;
  /** Rows completed in the last `windowSeconds` seconds, and the seconds they cover. */
  recentRows: number;
  recentSeconds: number;
}

export interface ClaimedChunk {
  jobId: string;
  seq: number;
  firstRow: number;
  rowCount: number;
  items: unknown[];
  attempts: number;
  leaseToken: string;
}

function toJob(r: Record<string, unknown>): JobRow {
  return {
    id: String(r.id),
    issuerSlug: String(r.issuer_slug),
    inputType: r.input_type as JobInputType,
    ...(r.mapping != null ? { mapping: r.mapping } : {}),
    options: r.options as JobOptions,
    state: r.state as JobState,
    total: Number(r.total),
    inputBytes: Number(r.input_bytes),
    createdBy: String(r.created_by),
    createdAt: isoTime(r.created_at),
    ...(r.started_at != null ? { startedAt: isoTime(r.started_at) } : {}),
    ...(r.finished_at != null ? { finishedAt: isoTime(r.finished_at) } : {}),
    updatedAt: isoTime(r.updated_at),
  };
}

/**
 * Creates a job in state `receiving` (its rows are added with {@link insertJobChunk}, then {@link queueJob}).
 *
 * @example
 * ```ts
 * await insertJob(db, { id, issuerSlug: 'northbridge', inputType: 'csv', mapping, options: { format: 'di', dryRun: false }, createdBy: 'cli' });
 * ```
 */
export async function insertJob(
  q: Queryable,
  job: { id: string; issuerSlug: string; inputType: JobInputType; mapping?: unknown; options: JobOptions; createdBy: string },
): Promise<void> {
  await q.query(
    `INSERT INTO jobs (id, issuer_slug, input_type, mapping, options, state, created_by) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, 'receiving', $6)`,
    [job.id, job.issuerSlug, job.inputType, job.mapping === undefined ? null : JSON.stringify(job.mapping), JSON.stringify(job.options), job.createdBy],
  );
}

/**
 * Stores one chunk of a job's input rows and notes that the upload is alive (one statement).
 *
 * @example
 * ```ts
 * await insertJobChunk(db, jobId, 0, 1, rows);
 * ```
 */
export async function insertJobChunk(q: Queryable, jobId: string, seq: number, firstRow: number, items: readonly unknown[]): Promise<void> {
  await q.query(
    `WITH c AS (INSERT INTO job_chunks (job_id, seq, first_row, row_count, items) VALUES ($1, $2, $3, $4, $5::jsonb))
     UPDATE jobs SET updated_at = now() WHERE id = $1`,
    [
    jobId,
    seq,
    firstRow,
    items.length,
    JSON.stringify(items),
    ],
  );
}

/** Marks a received job ready for workers. */
export async function queueJob(q: Queryable, jobId: string, total: number, inputBytes: number): Promise<void> {
  await q.query(`UPDATE jobs SET state = 'queued', total = $2, input_bytes = $3, updated_at = now() WHERE id = $1 AND state = 'receiving'`, [jobId, total, inputBytes]);
}

/** Removes a job and its chunks (an upload that failed half-way leaves nothing). */
export async function deleteJob(q: Queryable, jobId: string): Promise<void> {
  await q.query('DELETE FROM jobs WHERE id = $1', [jobId]);
}

/** One job of an issuer, or undefined. */
export async function getJob(q: Queryable, issuerSlug: string, jobId: string): Promise<JobRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM jobs WHERE issuer_slug = $1 AND id = $2', [issuerSlug, jobId]);
  return res.rows[0] ? toJob(res.rows[0]) : undefined;
}

/** An issuer's jobs, newest first. */
export async function listJobs(q: Queryable, issuerSlug: string, limit = 50): Promise<JobRow[]> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM jobs WHERE issuer_slug = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [
    issuerSlug,
    Math.max(1, Math.min(limit, 500)),
  ]);
  return res.rows.map(toJob);
}

/**
 * Totals of a job over its chunks, and the rows completed in the last `windowSeconds` (for the rate).
 *
 * @example
 * ```ts
 * const p = await jobProgress(db, jobId); // { processed: 1500, issued: 1490, rejected: 10, ... }
 * ```
 */
export async function jobProgress(q: Queryable, jobId: string, windowSeconds = 30): Promise<JobProgress> {
  const res = await q.query<Record<string, unknown>>(
    `SELECT count(*)::int AS chunks,
            count(*) FILTER (WHERE c.state = 'done')::int AS done_chunks,
            coalesce(sum(c.row_count) FILTER (WHERE c.state = 'done'), 0)::int AS processed,
            coalesce(sum(c.issued), 0)::int AS issued, coalesce(sum(c.existing), 0)::int AS existing,
            coalesce(sum(c.rejected), 0)::int AS rejected, coalesce(sum(c.valid), 0)::int AS valid,
            coalesce(sum(c.row_count) FILTER (WHERE c.state = 'done' AND c.done_at > now() - make_interval(secs => $2)), 0)::int AS recent_rows,
            extract(epoch FROM now() - greatest(min(j.started_at), now() - make_interval(secs => $2)))::float8 AS recent_seconds
       FROM job_chunks c JOIN jobs j ON j.id = c.job_id WHERE c.job_id = $1`,
    [jobId, windowSeconds],
  );
  const r = res.rows[0] ?? {};
  return {
    chunks: Number(r.chunks ?? 0),
    doneChunks: Number(r.done_chunks ?? 0),
    processed: Number(r.processed ?? 0),
    issued: Number(r.issued ?? 0),
    existing: Number(r.existing ?? 0),
    rejected: Number(r.rejected ?? 0),
    valid: Number(r.valid ?? 0),
    recentRows: Number(r.recent_rows ?? 0),
    recentSeconds: r.recent_seconds == null ? 0 : Number(r.recent_seconds),
  };
}

/**
 * Claims the oldest open chunk of any queued or running job (FIFO over jobs), skipping chunks another worker holds,
 * and marks its job running, in ONE statement. A chunk whose lease has run out counts as open. Undefined when there
 * is nothing to do.
 *
 * @example
 * ```ts
 * const chunk = await claimJobChunk(db, { token: randomUUID(), worker: 'host:1234', leaseMs: 60_000 });
 * ```
 */
export async function claimJobChunk(q: Queryable, lease: { token: string; worker: string; leaseMs: number }): Promise<ClaimedChunk | undefined> {
  const res = await q.query<Record<string, unknown>>(
    `WITH picked AS (
       SELECT c.job_id, c.seq FROM job_chunks c JOIN jobs j ON j.id = c.job_id
        WHERE j.state IN ('queued', 'running')
          AND (c.state = 'pending' OR (c.state = 'running' AND c.lease_until < now()))
        ORDER BY j.created_at, j.id, c.seq
        LIMIT 1
        FOR UPDATE OF c SKIP LOCKED
     ), claimed AS (
       UPDATE job_chunks c SET state = 'running', lease_token = $1, claimed_by = $2, attempts = c.attempts + 1,
              lease_until = now() + make_interval(secs => $3::float8 / 1000)
         FROM picked WHERE c.job_id = picked.job_id AND c.seq = picked.seq
       RETURNING c.job_id, c.seq, c.first_row, c.row_count, c.items, c.attempts
     ), started AS (
       UPDATE jobs SET state = 'running', started_at = coalesce(started_at, now()), updated_at = now()
        WHERE id IN (SELECT job_id FROM claimed) AND state = 'queued'
     )
     SELECT * FROM claimed`,
    [lease.token, lease.worker, lease.leaseMs],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    jobId: String(r.job_id),
    seq: Number(r.seq),
    firstRow: Number(r.first_row),
    rowCount: Number(r.row_count),
    items: (r.items as unknown[] | null) ?? [],
    attempts: Number(r.attempts),
    leaseToken: lease.token,
  };
}

/** Extends the lease of a chunk still held with `token`; false when it was lost. */
export async function renewJobLease(q: Queryable, jobId: string, seq: number, token: string, leaseMs: number): Promise<boolean> {
  const res = await q.query(
    `UPDATE job_chunks SET lease_until = now() + make_interval(secs => $4::float8 / 1000)
      WHERE job_id = $1 AND seq = $2 AND lease_token = $3 AND state = 'running' RETURNING seq`,
    [jobId, seq, token, leaseMs],
  );
  return res.rows.length === 1;
}

/**
 * Inside the chunk's completing transaction, first: locks the chunk if `token` still holds it and its job is still
 * running (the job row is share-locked, so a cancel waits for this transaction or wins before it). False: stop
 * and roll back (another worker took the chunk over, or the job was cancelled).
 */
export async function lockHeldChunk(tx: Queryable, jobId: string, seq: number, token: string): Promise<boolean> {
  const res = await tx.query(
    `SELECT c.seq FROM job_chunks c JOIN jobs j ON j.id = c.job_id
      WHERE c.job_id = $1 AND c.seq = $2 AND c.lease_token = $3 AND c.state = 'running' AND j.state = 'running'
      FOR UPDATE OF c FOR SHARE OF j`,
    [jobId, seq, token],
  );
  return res.rows.length === 1;
}

/** Completes a locked chunk with its results and counts; its input rows are dropped. */
export async function completeJobChunk(
  tx: Queryable,
  jobId: string,
  seq: number,
  results: readonly unknown[],
  counts: { issued: number; existing: number; rejected: number; valid: number },
): Promise<void> {
  await tx.query(
    `UPDATE job_chunks SET state = 'done', results = $3::jsonb, items = NULL, issued = $4, existing = $5, rejected = $6, valid = $7,
            done_at = now(), lease_token = NULL, lease_until = NULL
      WHERE job_id = $1 AND seq = $2`,
    [jobId, seq, JSON.stringify(results), counts.issued, counts.existing, counts.rejected, counts.valid],
  );
}

/**
 * Marks running jobs whose chunks are all done as done (any worker may do it, any number of times; run after a
 * chunk's transaction committed, so the last two chunks completing at once cannot both miss it).
 */
export async function finishCompletedJobs(q: Queryable, jobId?: string): Promise<void> {
  await q.query(
    `UPDATE jobs j SET state = 'done', finished_at = now(), updated_at = now()
      WHERE j.state = 'running' AND ($1::text IS NULL OR j.id = $1::text)
        AND NOT EXISTS (SELECT 1 FROM job_chunks c WHERE c.job_id = j.id AND c.state <> 'done')`,
    [jobId ?? null],
  );
}

/**
 * Deletes uploads abandoned half-way (the receiving process died): jobs still `receiving` with no chunk stored for
 * `idleMs`. Returns how many.
 */
export async function purgeAbandonedUploads(q: Queryable, idleMs: number): Promise<number> {
  const res = await q.query(
    `DELETE FROM jobs WHERE state = 'receiving' AND updated_at < now() - make_interval(secs => $1::float8 / 1000) RETURNING id`,
    [idleMs],
  );
  return res.rows.length;
}

/** Cancels a job that has not finished; returns its state afterwards (undefined when unknown). */
export async function cancelJobRow(q: Queryable, issuerSlug: string, jobId: string): Promise<JobState | undefined> {
  const res = await q.query<{ state: JobState }>(
    `WITH c AS (
       UPDATE jobs SET state = 'cancelled', finished_at = now(), updated_at = now()
        WHERE issuer_slug = $1 AND id = $2 AND state IN ('receiving', 'queued', 'running') RETURNING state
     )
     SELECT state FROM c UNION ALL SELECT state FROM jobs WHERE issuer_slug = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM c)`,
    [issuerSlug, jobId],
  );
  return res.rows[0]?.state;
}

/** Chunks of a job from `fromSeq` on, in order: results of done chunks, input rows of the others. */
export async function readJobChunks(
  q: Queryable,
  jobId: string,
  fromSeq: number,
  limit: number,
): Promise<{ seq: number; state: string; firstRow: number; rowCount: number; results?: unknown[]; items?: unknown[] }[]> {
  const res = await q.query<Record<string, unknown>>(
    'SELECT seq, state, first_row, row_count, results, items FROM job_chunks WHERE job_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3',
    [jobId, fromSeq, limit],
  );
  return res.rows.map((r) => ({
    seq: Number(r.seq),
    state: String(r.state),
    firstRow: Number(r.first_row),
    rowCount: Number(r.row_count),
    ...(r.results != null ? { results: r.results as unknown[] } : {}),
    ...(r.items != null ? { items: r.items as unknown[] } : {}),
  }));
}

/** A job by id, whatever its issuer (workers). */
export async function getJobById(q: Queryable, jobId: string): Promise<JobRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM jobs WHERE id = $1', [jobId]);
  return res.rows[0] ? toJob(res.rows[0]) : undefined;
}

/** Lets a chunk that failed be claimed again at once (its lease is ended), when `token` still holds it. */
export async function releaseJobLease(q: Queryable, jobId: string, seq: number, token: string): Promise<void> {
  await q.query(`UPDATE job_chunks SET lease_until = now() WHERE job_id = $1 AND seq = $2 AND lease_token = $3 AND state = 'running'`, [jobId, seq, token]);
}
