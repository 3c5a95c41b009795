/**
 * The issuance service: an express 5 app composed of the routers in `routes/` (over the core library and the store)
 * with the request observer, the body parsers and the error handler (`http/compose.ts`, `middleware/`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { ServiceConfig } from './config.js';
import { ServiceContext } from './context.js';
import { openServiceDb, seedExampleIssuer } from './database.js';
import type { ServiceDeps } from './http/declare.js';
import { composeApp } from './http/compose.js';
import { startJobWorker } from './job-worker.js';
import { defaultLogger } from './log.js';
import { credentialPageUrlOf } from './credential-page.js';
import { ClaimMailer } from './mail/mailer.js';
import { createAuthenticator } from './middleware/auth.js';
import { openApiDocument } from './openapi.js';
import { ROUTERS } from './routes/index.js';
import { createVerifier } from './verification.js';
import type { Verifier } from './verification.js';

/**
 * A Node HTTP request handler: pass it to `http.createServer`, or mount it in an express or connect app. Typed with
 * Node's own types, so users of `microcred/service` need no express type definitions.
 */
export type RequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export interface ServiceApp {
  /** The service's request handler (an express application): mount it or pass it to `http.createServer`. */
  app: RequestListener;
  /** Shared state: database, loaded issuers, metrics. */
  context: ServiceContext;
  verifier: Verifier;
  /** The claim e-mail worker (started when SMTP is configured). */
  mailer: ClaimMailer;
  /** Stops the bulk job worker (waiting for the chunks in hand) and the e-mail worker, and closes the database if `createApp` opened it. */
  close(): Promise<void>;
}

/** Loads every issuer's keys, and says loudly when one signs with the published example keys. */
async function loadIssuers(ctx: ServiceContext, logger: Logger): Promise<void> {
  const failed = await ctx.loadAll();
  if (failed.length > 0) logger.warn({ issuers: failed }, 'could not load the keys of some issuers');
  // Fine for a try-out, never for real awards.
  for (const loading of ctx.issuers.values()) {
    const loaded = await loading.catch(() => undefined);
    if (loaded?.keys.example) {
      logger.warn({ issuer: loaded.row.slug }, 'issuer uses the PUBLIC EXAMPLE keys from keys.example/: anyone can forge its credentials; create a real issuer before issuing real awards');
    }
  }
}

/**
 * Builds the service: opens (or uses) the database, applies migrations, loads issuers, starts a bulk job worker
 * (unless `jobWorker: false`) and returns the express app.
 * Listening is separate (`startServer`), so tests and embedders choose the socket.
 *
 * @example
 * ```ts
 * const { app, close } = await createApp({ dataDir: './data', publicUrl: 'https://credentials.example.ac.uk' });
 * const server = http.createServer(app).listen(3000, '127.0.0.1');
 * ```
 */
export async function createApp(config: ServiceConfig = {}): Promise<ServiceApp> {
  const ownsDb = !config.db;
  const dataDir = config.dataDir ?? 'data';
  const db: Db = config.db ?? (await openServiceDb(config));
  if (config.db && config.exampleIssuer) await seedExampleIssuer(db);
  const ctx = new ServiceContext(db, config, config.logger ?? defaultLogger(config));
  await loadIssuers(ctx, ctx.logger);
  const verifier = createVerifier(ctx);
  const mailer = new ClaimMailer(ctx, { ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}), pageUrl: (slug, id) => credentialPageUrlOf(ctx, slug, id) });
  mailer.start();
  const worker = config.jobWorker === false ? undefined : await startJobWorker(ctx, { mailer, ...(config.jobWorkerThreads !== undefined ? { poolSize: config.jobWorkerThreads } : {}) });
  const deps: ServiceDeps = {
    ctx,
    verifier,
    mailer,
    keysRoot: config.keysDir ?? path.join(dataDir === 'memory' ? 'data' : dataDir, 'keys'),
    openApi: () => openApiDocument(ctx.publicUrl),
    ...(worker ? { wakeJobWorker: () => worker.wake() } : {}),
  };
  const auth = createAuthenticator(db, config.adminToken);
  return {
    app: composeApp(ROUTERS, deps, { auth, metrics: ctx.metrics, logger: ctx.logger, bodyLimit: config.bodyLimit ?? '5mb' }),
    context: ctx,
    verifier,
    mailer,
    async close() {
      await mailer.stop();
      await worker?.stop();
      await ctx.close();
      if (ownsDb) await db.close();
    },
  };
}
