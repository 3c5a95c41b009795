/**
 * Set-up of the unit project (test/vitest.config.ts): unit tests start no processes or workers, open no sockets
 * (so no HTTP and no PostgreSQL) and load no database. Each of those throws here, naming the project to move the
 * test to, so a test cannot land in the wrong layer unnoticed.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import workerThreads from 'node:worker_threads';
import { vi } from 'vitest';

const refuse = (what: string) => () => {
  throw new Error(`unit tests do not ${what}: take this test file out of UNIT in test/vitest.config.ts (it is an integration test)`);
};

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as Record<string, unknown>)[name] = refuse('start processes');
}
(workerThreads as { Worker: unknown }).Worker = refuse('start worker threads');
net.Server.prototype.listen = refuse('listen on sockets (HTTP servers)');
net.Socket.prototype.connect = refuse('open network connections (HTTP, PostgreSQL)');
syncBuiltinESMExports();

// vi.mock is hoisted above everything else in this file, so its factories cannot use `refuse`.
vi.mock('@electric-sql/pglite', () => {
  throw new Error('unit tests do not open a database (PGlite): take this test file out of UNIT in test/vitest.config.ts (it is an integration test)');
});
vi.mock('pg', () => {
  throw new Error('unit tests do not open a database (PostgreSQL): take this test file out of UNIT in test/vitest.config.ts (it is an integration test)');
});
