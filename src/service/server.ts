/**
 * Listening: `startServer(config)` = `createApp(config)` + an HTTP server on 127.0.0.1 (by default).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import type { ServiceApp } from './app.js';
import type { ServiceConfig } from './config.js';

export interface RunningServer extends ServiceApp {
  server: http.Server;
  /** Base URL of the listening socket, e.g. http://127.0.0.1:3000. */
  url: string;
  port: number;
  /** Stops accepting connections, waits for open requests, closes the database (if opened here). */
  close(): Promise<void>;
}

/**
 * Starts the service. Listens on `config.host` (default 127.0.0.1, never all interfaces unless asked) and
 * `config.port` (default 3000; 0 = any free port). Without `publicUrl`, URLs in credentials use the socket address.
 *
 * @example
 * ```ts
 * const srv = await startServer({ port: 0, dataDir: 'memory' });
 * console.log(`listening on ${srv.url}`);
 * await srv.close();
 * ```
 */
export async function startServer(config: ServiceConfig = {}): Promise<RunningServer> {
  const svc = await createApp(config);
  const host = config.host ?? '127.0.0.1';
  const server = http.createServer(svc.app);
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 3000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!config.publicUrl) svc.context.publicUrl = url;
  svc.context.logger.info({ url, database: svc.context.db.kind }, 'microcred service listening');
  return {
    ...svc,
    server,
    url,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await svc.close();
    },
  };
}
