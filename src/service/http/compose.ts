/**
 * The express app around a set of routers: request observer, the routes whose body is a stream, the body parsers
 * (JSON and JSON Lines), the other routes, the 404 and the error handler, in this order.
 */
import express from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../middleware/auth.js';
import { observeRequests } from '../middleware/observe.js';
import { problemHandlers } from '../middleware/problems.js';
import type { Metrics } from '../metrics.js';
import { parseQueryString } from '../params.js';
import type { Router, ServiceDeps } from './declare.js';
import { mountPreflights, mountRouters } from './pipeline.js';

const JSON_TYPES = ['application/json', 'application/*+json', 'application/vc', 'application/vp'];
const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'];

export interface ComposeOptions {
  auth: Authenticator;
  metrics: Metrics;
  logger: Logger;
  /** Largest request body (body-parser syntax). */
  bodyLimit: string;
}

/**
 * An express app serving `routers`.
 *
 * @example
 * ```ts
 * const app = composeApp(ROUTERS, deps, { auth, metrics: ctx.metrics, logger: ctx.logger, bodyLimit: '5mb' });
 * ```
 */
export function composeApp(routers: readonly Router[], deps: ServiceDeps, options: ComposeOptions): express.Express {
  const { auth, bodyLimit } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('json spaces', 0);
  app.set('query parser', parseQueryString);
  app.use(observeRequests(options.metrics, options.logger));
  mountPreflights(app, routers);
  mountRouters(app, routers, deps, auth, { phase: 'streamed', bodyLimit });
  app.use(express.json({ limit: bodyLimit, type: JSON_TYPES }));
  app.use(express.text({ limit: bodyLimit, type: JSONL_TYPES }));
  mountRouters(app, routers, deps, auth, { phase: 'parsed', bodyLimit });
  app.use(...problemHandlers(options.logger, bodyLimit));
  return app;
}
