/**
 * Entry point of a service process started by tests and the benchmark (through `tsLoaderArgs()`, see
 * testing.ts): reads its ServiceConfig as JSON from MICROCRED_CHILD_CONFIG, listens, prints one line
 * `{"url": ...}` on stdout, and exits when stdin closes or on SIGTERM. With MICROCRED_CHILD_DIST=1 it runs the
 * built service in dist/ (what users run; the benchmark measures it), otherwise the TypeScript sources.
 */
import type { ServiceConfig } from '../../src/service/config.js';
import type * as Server from '../../src/service/server.js';

const { startServer } = (await import(
  process.env.MICROCRED_CHILD_DIST === '1' ? '../../dist/service/server.js' : '../../src/service/server.js'
)) as typeof Server;

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
