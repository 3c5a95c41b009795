/**
 * Entry point of a service process started by tests and the benchmark (spawnServiceProcess in testing.ts): reads
 * its ServiceConfig as JSON from MICROCRED_CHILD_CONFIG, listens, prints one line `{"url": ...}` on stdout, and
 * exits when stdin closes or on SIGTERM. With MICROCRED_CHILD_DIST=1 it runs the built service in dist/ as users
 * run it, with no TypeScript loader in the process (the benchmark measures it); otherwise the TypeScript sources,
 * through the loader the parent registers (`tsLoaderArgs()`). Plain JavaScript so that the first needs no loader.
 */
const { startServer } = await import(process.env.MICROCRED_CHILD_DIST === '1' ? '../../dist/service/server.js' : '../../src/service/server.ts');

const config = JSON.parse(process.env.MICROCRED_CHILD_CONFIG ?? '{}');
const srv = await startServer({ logLevel: 'warn', ...config, port: config.port ?? 0 });
process.stdout.write(`${JSON.stringify({ url: srv.url, pid: process.pid })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await srv.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
