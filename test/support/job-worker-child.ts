/**
 * Entry point of a bulk job worker process started by tests (`node --import ./test/support/ts-register.mjs
 * test/support/job-worker-child.ts`, i.e. `tsLoaderArgs()`): reads `{ databaseUrl | dataDir, publicUrl, ...JobWorkerOptions }`
 * as JSON from MICROCRED_WORKER_CONFIG, prints `{"ready": id}` once working and `{"chunk": seq, "job": id, "rows": n}`
 * after each chunk it writes, and stops when stdin closes or on SIGTERM. `killAfterReserve: n` makes the process kill
 * itself with SIGKILL right after its n-th claim of status indexes, before signing: the worst moment to die.
 */
import pino from 'pino';
import { openDb } from '../../src/store/open.js';
import { ServiceContext } from '../../src/service/context.js';
import { startJobWorker } from '../../src/service/job-worker.js';
import type { JobWorkerOptions } from '../../src/service/job-worker.js';

type ChildConfig = { databaseUrl?: string; dataDir?: string; publicUrl?: string; statusListSize?: number; killAfterReserve?: number } & Omit<
  JobWorkerOptions,
  'pool' | 'onChunk' | 'onReserved'
>;

const config = JSON.parse(process.env.MICROCRED_WORKER_CONFIG ?? '{}') as ChildConfig;
const db = await openDb({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), ...(config.dataDir ? { dataDir: config.dataDir } : {}) });
const ctx = new ServiceContext(db, { publicUrl: config.publicUrl ?? 'http://127.0.0.1:3000', ...(config.statusListSize ? { statusListSize: config.statusListSize } : {}) }, pino({ level: 'warn' }, pino.destination(2)));
const { databaseUrl: _u, dataDir: _d, publicUrl: _p, statusListSize: _s, killAfterReserve, ...workerOptions } = config;
let reserved = 0;
const worker = await startJobWorker(ctx, {
  ...workerOptions,
  ...(killAfterReserve !== undefined
    ? {
        onReserved: () => {
          if (++reserved >= killAfterReserve) process.kill(process.pid, 'SIGKILL');
        },
      }
    : {}),
  onChunk: ({ jobId, seq, results }) => process.stdout.write(`${JSON.stringify({ chunk: seq, job: jobId, rows: results.length })}\n`),
});
process.stdout.write(`${JSON.stringify({ ready: worker.id })}\n`);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await worker.stop().catch(() => {});
  await db.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
