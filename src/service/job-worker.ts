/**
 * Internal: the worker of bulk jobs. Any number of workers, in any processes sharing the database, claim chunks
 * (`FOR UPDATE SKIP LOCKED`, with a lease renewed while they work) and issue them (`bulk-issue.ts`). A worker that
 * dies leaves its chunk to be claimed again when the lease runs out; exactly-once issuance rests on the recordId
 * (the unique current credential of a record), the chunk's stable credential ids and the lease token checked in the
 * writing transaction.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { compileMapping, type CsvMapping } from '../import/mapping.js';
import type { ReportRow } from '../import/types.js';
import { FastDiPool } from '../proof/fast/pool.js';
import { problem } from '../record/problems.js';
import {
  claimJobChunk,
  completeJobChunk,
  finishCompletedJobs,
  getJobById,
  purgeAbandonedUploads,
  lockHeldChunk,
  releaseJobLease,
  renewJobLease,
} from '../store/jobs.js';
import type { ClaimedChunk, JobRow } from '../store/jobs.js';
import { getClaimSettings } from '../store/offers.js';
import { releaseStatusIndexes } from '../store/status-lists-bulk.js';
import { bulkCredentialId, countResults, prepareChunk, writeChunk } from './bulk-issue.js';
import type { BulkItem, BulkOptions, PreparedChunk } from './bulk-issue.js';
import type { ServiceContext } from './context.js';

export interface JobWorkerOptions {
  /** A pool to sign Data Integrity proofs with (not closed by the worker). Default: one of `poolSize` workers. */
  pool?: FastDiPool;
  /** Threads of the pool the worker creates (default: every core); 0 signs in this thread. */
  poolSize?: number;
  /** Chunks worked on at once (default 2: one is signed while the other is read or written). */
  concurrency?: number;
  /** How often an idle worker looks for work, ms (default 1000). */
  pollMs?: number;
  /** Lease of a claimed chunk, ms (default 60 s; renewed every third of it while the chunk is worked on). */
  leaseMs?: number;
  /** Claims of one chunk before its rows are reported as failed (default 5). */
  maxAttempts?: number;
  /** An upload that stored no chunk for this long is taken as abandoned and deleted (default 15 min). */
  abandonedUploadMs?: number;
  /** Name in `job_chunks.claimed_by` (default host:pid:random). */
  workerId?: string;
  /** Called when a chunk's status indexes are claimed, before it is signed (the crash tests kill the process here). */
  onReserved?(info: { jobId: string; seq: number }): void;
  /**
   * The claim e-mail sender: when it has SMTP, each credential a job writes gets its claim e-mail queued in the
   * chunk's transaction (as a single issuance does), and the sender is woken once the chunk commits.
   */
  mailer?: { readonly configured: boolean; kick(): void };
  /** Called after each chunk is written. */
  onChunk?(info: { jobId: string; seq: number; results: readonly ReportRow[] }): void;
}

export interface JobWorker {
  readonly id: string;
  /** Chunks this worker wrote. */
  readonly chunks: number;
  /** Resolves the next time the worker finds nothing to claim. */
  idle(): Promise<void>;
  /** Looks for work now instead of at the next poll (a job was just submitted). */
  wake(): void;
  /** Stops claiming, waits for the chunks in hand, closes the pool it created. */
  stop(): Promise<void>;
}

class ChunkNotHeld extends Error {}

/** What the chunks of one worker share. */
interface WorkerState {
  readonly ctx: ServiceContext;
  readonly options: JobWorkerOptions;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly maxAttempts: number;
  /** The signing pool, made at the first chunk to sign (a worker that never gets a job starts no threads). */
  pool(): Promise<FastDiPool | undefined>;
  /** Compiled mappings by job id. */
  readonly mappings: Map<string, CsvMapping>;
}

type Tx = Parameters<Parameters<ServiceContext['db']['transaction']>[0]>[0];

/** Completes the held chunk with the results `fn` writes, in one transaction that first checks the chunk is still held. */
function writeHeld(state: WorkerState, chunk: ClaimedChunk, fn: (tx: Tx) => Promise<ReportRow[]>): Promise<ReportRow[]> {
  return state.ctx.db.transaction(async (tx) => {
    if (!(await lockHeldChunk(tx, chunk.jobId, chunk.seq, chunk.leaseToken))) throw new ChunkNotHeld();
    const out = await fn(tx);
    await completeJobChunk(tx, chunk.jobId, chunk.seq, out, countResults(out));
    return out;
  });
}

/** A chunk tried too often (each attempt failed or its worker died): its rows are reported instead of tried for ever. */
function giveUp(state: WorkerState, chunk: ClaimedChunk, job: JobRow, items: BulkItem[]): Promise<ReportRow[]> {
  return writeHeld(state, chunk, async (tx) => {
    // Indexes an earlier attempt claimed for these rows are handed back.
    await releaseStatusIndexes(tx, items.map((i) => bulkCredentialId(job.id, i.row)));
    return items.map((i) => ({
      row: i.row,
      line: i.line,
      ...(typeof i.record?.['recordId'] === 'string' ? { recordId: i.record['recordId'] as string } : {}),
      outcome: 'rejected' as const,
      problems: [problem('$', 'a row the server can process', `${state.maxAttempts} failed attempts (the server logged why); send the row again`)],
    }));
  });
}

/** Signs and writes a chunk; `onPrepared` learns what was signed (so a cancel can hand its indexes back). */
async function issueChunk(state: WorkerState, chunk: ClaimedChunk, job: JobRow, items: BulkItem[], onPrepared: (p: PreparedChunk) => void): Promise<ReportRow[]> {
  const { ctx, options, mappings } = state;
  const pool = await state.pool();
  if (job.mapping !== undefined && !mappings.has(job.id)) mappings.set(job.id, compileMapping(job.mapping));
  const mapping = mappings.get(job.id);
  const issuer = await ctx.issuer(job.issuerSlug);
  const bulk: BulkOptions = {
    format: job.options.format,
    ...(job.options.alg ? { alg: job.options.alg } : {}),
    dryRun: job.options.dryRun,
    // Audit entries name who submitted the job; their details name the job.
    actor: job.createdBy,
    jobId: job.id,
    ...(mapping ? { mapping } : {}),
    ...(pool ? { pool } : {}),
    ...(options.onReserved ? { onReserved: () => options.onReserved?.({ jobId: chunk.jobId, seq: chunk.seq }) } : {}),
    ...(options.mailer?.configured && !job.options.dryRun ? { claimMail: { mailFrom: Boolean((await getClaimSettings(ctx.db, job.issuerSlug)).mailFrom) } } : {}),
  };
  const prepared = await prepareChunk(ctx, issuer, items, bulk);
  onPrepared(prepared);
  const results = await writeHeld(state, chunk, (tx) => writeChunk(tx, ctx, job.issuerSlug, prepared, bulk));
  const issued = results.filter((r) => r.outcome === 'issued').length;
  if (issued > 0) ctx.metrics.issued.inc({ issuer: job.issuerSlug, format: job.options.format }, issued);
  if (issued > 0 && bulk.claimMail) options.mailer?.kick();
  return results;
}

/** Works on one claimed chunk, renewing its lease meanwhile; true when it was written. */
async function processChunk(state: WorkerState, chunk: ClaimedChunk): Promise<boolean> {
  const { ctx, options, leaseMs } = state;
  const job = (await getJobById(ctx.db, chunk.jobId)) as JobRow;
  const items = chunk.items as BulkItem[];
  const heartbeat = setInterval(() => {
    renewJobLease(ctx.db, chunk.jobId, chunk.seq, chunk.leaseToken, leaseMs).catch(() => {});
  }, Math.max(50, Math.floor(leaseMs / 3)));
  let prepared: PreparedChunk | undefined;
  try {
    const results = chunk.attempts > state.maxAttempts ? await giveUp(state, chunk, job, items) : await issueChunk(state, chunk, job, items, (p) => (prepared = p));
    await finishCompletedJobs(ctx.db, chunk.jobId);
    options.onChunk?.({ jobId: chunk.jobId, seq: chunk.seq, results });
    return true;
  } catch (e) {
    if (e instanceof ChunkNotHeld) {
      // Cancelled meanwhile: hand back the indexes claimed for this chunk. (Taken over by another worker after
      // the lease ran out: that worker uses them, nothing to do.)
      const jobState = (await getJobById(ctx.db, chunk.jobId))?.state;
      const p = prepared as PreparedChunk | undefined;
      if (jobState === 'cancelled' && p) {
        const ids = [...p.signed.map((s) => s.id), ...p.dropped];
        await ctx.db.transaction((tx) => releaseStatusIndexes(tx, ids)).catch(() => {});
      }
      return false;
    }
    ctx.logger.error({ job: chunk.jobId, chunk: chunk.seq, err: { name: (e as Error).name, message: (e as Error).message } }, 'bulk job chunk failed; it will be tried again');
    await releaseJobLease(ctx.db, chunk.jobId, chunk.seq, chunk.leaseToken).catch(() => {});
    await sleep(Math.min(state.pollMs, 1000));
    return false;
  } finally {
    clearInterval(heartbeat);
  }
}

/** The worker's pool: the one given, none (`poolSize: 0`), or its own, made once at the first call. */
function workerPool(ctx: ServiceContext, options: JobWorkerOptions): { get(): Promise<FastDiPool | undefined>; close(): Promise<void> } {
  let own: Promise<FastDiPool | undefined> | undefined;
  return {
    get() {
      if (options.pool || options.poolSize === 0) return Promise.resolve(options.pool);
      own ??= FastDiPool.create(options.poolSize !== undefined ? { size: options.poolSize } : {}).catch((e: unknown) => {
        ctx.logger.warn({ err: (e as Error).message }, 'bulk jobs: no Data Integrity worker pool; signing in this thread');
        return undefined;
      });
      return own;
    },
    async close() {
      await (await own)?.close();
    },
  };
}

/**
 * Starts a worker in this process.
 *
 * @example
 * ```ts
 * const worker = await startJobWorker(ctx);
 * // ... on shutdown:
 * await worker.stop();
 * ```
 */
export async function startJobWorker(ctx: ServiceContext, options: JobWorkerOptions = {}): Promise<JobWorker> {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pool = workerPool(ctx, options);
  const state: WorkerState = {
    ctx,
    options,
    leaseMs: options.leaseMs ?? 60_000,
    pollMs: options.pollMs ?? 1000,
    maxAttempts: options.maxAttempts ?? 5,
    pool: () => pool.get(),
    mappings: new Map(),
  };
  const abandonedMs = options.abandonedUploadMs ?? 15 * 60_000;
  let stopping = false;
  let chunks = 0;
  let busy = 0;
  let idleWaiters: (() => void)[] = [];
  let wake = new AbortController();

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let chunk: ClaimedChunk | undefined;
      try {
        chunk = await claimJobChunk(ctx.db, { token: randomUUID(), worker: id, leaseMs: state.leaseMs });
      } catch (e) {
        ctx.logger.error({ err: { name: (e as Error).name, message: (e as Error).message } }, 'bulk jobs: could not claim a chunk');
      }
      if (chunk) {
        busy++;
        try {
          if (await processChunk(state, chunk)) chunks++;
        } finally {
          busy--;
        }
        continue;
      }
      await finishCompletedJobs(ctx.db).catch(() => {});
      await purgeAbandonedUploads(ctx.db, abandonedMs).catch(() => {});
      // Idle: nothing to claim and no chunk in hand in any of this worker's loops.
      if (busy === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
      await sleep(state.pollMs, undefined, { signal: wake.signal }).catch(() => {});
      if (wake.signal.aborted && !stopping) wake = new AbortController();
    }
  };
  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 2) }, () => loop());

  return {
    id,
    get chunks() {
      return chunks;
    },
    idle: () => new Promise<void>((resolve) => idleWaiters.push(resolve)),
    wake: () => wake.abort(),
    async stop() {
      stopping = true;
      wake.abort();
      await Promise.all(loops);
      for (const w of idleWaiters) w();
      await pool.close();
    },
  };
}

/**
 * Works on every open job until none is left, then stops (the CLI's local run, tests).
 *
 * @example
 * ```ts
 * await runJobsUntilIdle(ctx, { poolSize: 2 });
 * ```
 */
export async function runJobsUntilIdle(ctx: ServiceContext, options: JobWorkerOptions = {}): Promise<void> {
  const worker = await startJobWorker(ctx, { pollMs: 50, ...options });
  try {
    await worker.idle();
  } finally {
    await worker.stop();
  }
}
