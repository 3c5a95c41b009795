/**
 * Request id, access log and metrics. The log line names the route pattern, never the URL (query strings may hold
 * learner identifiers), and never bodies or headers.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ApiKeyRow } from '../../store/api-keys.js';
import type { Metrics } from '../metrics.js';

/** What the pipeline keeps about a request in `res.locals`. */
export interface Locals {
  reqId: string;
  started: number;
  /** The API key that authenticated the request (its id is logged, never its token). */
  apiKey?: Pick<ApiKeyRow, 'id'>;
  /** Fragment of the problem type of an error answer (or of a verification that failed), for logs and metrics. */
  problemType?: string;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The first middleware: takes a well-formed `X-Request-Id` or makes one, echoes it, and when the answer is finished
 * records its latency and logs one line.
 *
 * @example
 * ```ts
 * app.use(observeRequests(ctx.metrics, logger));
 * ```
 */
export function observeRequests(metrics: Metrics, logger: Logger): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const reqId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    Object.assign(res.locals, { reqId, started: performance.now() } satisfies Locals);
    res.setHeader('X-Request-Id', reqId);
    res.on('finish', () => finished(metrics, logger, req, res));
    next();
  };
}

function finished(metrics: Metrics, logger: Logger, req: Request, res: Response): void {
  const l = locals(res);
  const seconds = (performance.now() - l.started) / 1000;
  const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : '(unmatched)';
  metrics.requests.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
  if (res.statusCode >= 400) metrics.errors.inc({ status: String(res.statusCode), type: String(l.problemType ?? '') });
  logger.info(
    {
      reqId: l.reqId,
      method: req.method,
      route,
      status: res.statusCode,
      ms: Math.round(seconds * 10000) / 10,
      ...(l.apiKey ? { apiKey: l.apiKey.id } : {}),
      ...(l.problemType ? { problem: l.problemType } : {}),
    },
    'request',
  );
}
