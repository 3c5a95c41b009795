/**
 * A `worker_threads` pool for batch issuance and batch verification with the fast eddsa-rdfc-2022 suite, so one
 * process uses every core (the fast path allocates little, so it scales almost linearly; the stock pipeline's GC
 * already occupies a second core).
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { MicrocredError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../lib/paths.js';
import type { PoolItemResult, PoolJsonResult, PoolRequest, PoolResponse } from './pool-worker.js';

export interface FastDiPoolOptions {
  /** Number of workers (default: every core, `os.availableParallelism()`). */
  size?: number;
  /** Credentials per message to a worker (default 32). */
  chunkSize?: number;
  /** Controller documents (did:web, https) by id for verification; did:key is resolved offline. */
  controllerDocuments?: Record<string, object>;
}

export interface PoolIssueOptions {
  /** Verification method id (the proof's `verificationMethod`). */
  signerId: string;
  /** Ed25519 private key; KeyObjects are cloned into the workers, never serialized to text. */
  privateKey: KeyObject;
  /** Fixed `created` for every proof (default: the time of each signature). */
  created?: string;
}

export type PoolIssueResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };
/** A credential signed from its JSON text: the signed credential's JSON text. */
export type PoolIssueJsonResult = PoolJsonResult;
export interface PoolVerifyResult {
  verified: boolean;
  error?: string;
}

function workerUrl(): URL {
  const here = new URL('./pool-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // Running from TypeScript sources (tests): use the built worker.
  const built = path.join(PACKAGE_ROOT, 'dist', 'proof', 'fast', 'pool-worker.js');
  if (existsSync(built)) return new URL(`file://${built}`);
  throw new MicrocredError('UNSUPPORTED', 'The fast Data Integrity worker pool needs the built package (npm run build): dist/proof/fast/pool-worker.js is missing.');
}

interface Pending {
  resolve(r: PoolResponse): void;
}

/**
 * A pool of workers, each with its own fast cryptosuite (compiled contexts are per thread).
 *
 * @example
 * ```ts
 * const pool = await FastDiPool.create();
 * const signed = await pool.issue(credentials, { signerId: keys.activeKey('di').id, privateKey: keys.signingKey(id) });
 * const checks = await pool.verify(signed.flatMap((r) => (r.ok ? [r.value] : [])));
 * await pool.close();
 * ```
 */
export class FastDiPool {
  private readonly workers: Worker[];
  private readonly idle: Worker[] = [];
  private readonly queue: { req: PoolRequest; pending: Pending }[] = [];
  private readonly inflight = new Map<number, Pending>();
  private nextJob = 1;
  private closed = false;

  private constructor(
    size: number,
    private readonly chunkSize: number,
  ) {
    const url = workerUrl();
    this.workers = Array.from({ length: size }, () => new Worker(url));
    for (const w of this.workers) {
      w.on('message', (res: PoolResponse) => {
        const p = this.inflight.get(res.job);
        this.inflight.delete(res.job);
        this.idle.push(w);
        this.pump();
        p?.resolve(res);
      });
      // A worker that dies takes the pool down: every waiting job fails instead of hanging.
      w.on('error', (e) => this.fail(e.message));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(`a worker exited (code ${code})`);
      });
    }
  }

  /** Starts the workers and waits until each has run its self-test and loaded the controller documents. */
  static async create(options: FastDiPoolOptions = {}): Promise<FastDiPool> {
    const size = Math.max(1, options.size ?? availableParallelism());
    const pool = new FastDiPool(size, Math.max(1, options.chunkSize ?? 32));
    const controllerDocuments = options.controllerDocuments ?? {};
    await Promise.all(
      pool.workers.map((w) => {
        const job = pool.nextJob++;
        return new Promise<void>((resolve, reject) => {
          pool.inflight.set(job, { resolve: (r) => ('fatal' in r ? reject(new Error(r.fatal)) : resolve()) });
          w.postMessage({ job, op: 'init', controllerDocuments } satisfies PoolRequest);
        });
      }),
    );
    // init replies pushed every worker onto `idle` once
    return pool;
  }

  private fail(reason: string): void {
    this.closed = true;
    for (const [job, p] of this.inflight) p.resolve({ job, fatal: reason });
    this.inflight.clear();
    for (const { req, pending } of this.queue.splice(0)) pending.resolve({ job: req.job, fatal: reason });
  }

  get size(): number {
    return this.workers.length;
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      const { req, pending } = this.queue.shift() as { req: PoolRequest; pending: Pending };
      this.inflight.set(req.job, pending);
      w.postMessage(req);
    }
  }

  private submit(make: (job: number) => PoolRequest): Promise<PoolResponse> {
    if (this.closed) return Promise.reject(new MicrocredError('UNSUPPORTED', 'The worker pool is closed.'));
    const req = make(this.nextJob++);
    return new Promise((resolve) => {
      this.queue.push({ req, pending: { resolve } });
      this.pump();
    });
  }

  private async run<T, I = Record<string, unknown>>(items: I[], make: (job: number, chunk: I[]) => PoolRequest): Promise<T[]> {
    const chunks: Promise<PoolResponse>[] = [];
    for (let i = 0; i < items.length; i += this.chunkSize) {
      const chunk = items.slice(i, i + this.chunkSize);
      chunks.push(this.submit((job) => make(job, chunk)));
    }
    const out: T[] = [];
    for (const r of await Promise.all(chunks)) {
      if ('fatal' in r) throw new MicrocredError('SIGNING_FAILED', `A pool worker failed: ${r.fatal}`);
      out.push(...(r.results as T[]));
    }
    return out;
  }

  /**
   * Signs every credential (in input order) as `vc.issue` does (the proof added as `proof`); per-credential errors
   * are returned, not thrown. The inputs are not modified.
   */
  async issue(credentials: Record<string, unknown>[], options: PoolIssueOptions): Promise<PoolIssueResult[]> {
    const proofs = await this.run<PoolItemResult>(credentials, (job, chunk) => ({
      job,
      op: 'issue',
      credentials: chunk,
      signerId: options.signerId,
      privateKey: options.privateKey,
      ...(options.created ? { created: options.created } : {}),
    }));
    return proofs.map((r, i) =>
      r.ok ? { ok: true, value: r.full ?? { ...(credentials[i] as Record<string, unknown>), proof: r.proof } } : r,
    );
  }

  /**
   * {@link issue} for credentials given as JSON text, answered as the signed credentials' JSON text: only flat
   * strings cross between threads, so the calling thread neither copies object graphs into the workers nor writes
   * the signed credentials out itself (what a caller that stores the text wants).
   *
   * @example
   * ```ts
   * const [r] = await pool.issueJson([JSON.stringify(credential)], { signerId, privateKey });
   * if (r?.ok) store(r.json);
   * ```
   */
  issueJson(texts: string[], options: PoolIssueOptions): Promise<PoolIssueJsonResult[]> {
    return this.run<PoolIssueJsonResult, string>(texts, (job, chunk) => ({
      job,
      op: 'issue-json',
      texts: chunk,
      signerId: options.signerId,
      privateKey: options.privateKey,
      ...(options.created ? { created: options.created } : {}),
    }));
  }

  /**
   * Verifies every credential's Data Integrity proof through the stock `verifyCredential` checks (proof, purpose,
   * controller and `assertionMethod`, dates). Status lists are not checked here.
   */
  verify(credentials: Record<string, unknown>[]): Promise<PoolVerifyResult[]> {
    return this.run<PoolVerifyResult>(credentials, (job, chunk) => ({ job, op: 'verify', credentials: chunk }));
  }

  /** Stops the workers; jobs still queued fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { req, pending } of this.queue.splice(0)) pending.resolve({ job: req.job, fatal: 'the pool was closed' });
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
