/**
 * Entry point of a service process started by tests and the benchmark (`node dist/service/child.js`, or the
 * TypeScript source through `tsLoaderArgs()`): reads its ServiceConfig as JSON from MICROCRED_CHILD_CONFIG,
 * listens, prints one line `{"url": ...}` on stdout, and exits when stdin closes or on SIGTERM.
 */
import { startServer } from './server.js';
import type { ServiceConfig } from './config.js';

const config = JSON.parse(process.env.MICROCRED_CHILD_CONFIG ?? '{}') as ServiceConfig;
const srv = await startServer({ logLevel: 'warn', ...config, port: config.port ?? 0 });
process.stdout.write(`${JSON.stringify({ url: srv.url, pid: process.pid })}\n`);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await srv.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
