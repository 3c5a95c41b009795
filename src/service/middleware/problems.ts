/**
 * Error answers, in one place: every error a route throws (an `HttpProblem`, a core error, a body-parser or express
 * client error, anything unexpected) becomes an answer in the route's error format: RFC 9457 problem+json by
 * default, or another format a route declares (OAuth 2.0 error JSON for token and credential endpoints, an HTML page
 * for pages). Input is never a 500: client errors of express and body-parser are 4xx; a lost database is 503.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ServiceDeps } from '../http/declare.js';
import { coreErrorToProblem } from '../issuance.js';
import { errorSummary } from '../log.js';
import { HttpProblem, problems, sendProblem } from '../problem.js';
import { locals } from './observe.js';

/** What an error answer looks like on the wire, for formats other than problem+json (see `ErrorFormat`). */
export interface ErrorReply {
  status: number;
  headers?: Record<string, string>;
  /** Media type of `body`. */
  type: string;
  body: string;
}

/** The request an error answers, for formats that speak the reader's language (HTML pages). */
export interface ErrorRequest {
  readonly headers: IncomingHttpHeaders;
  readonly query: Readonly<Record<string, unknown>>;
  /** The service's collaborators, when the error arose in a route (the deployment's name, its public URL). */
  readonly deps?: ServiceDeps;
}

/**
 * A route's error format: the media type and schema its error answers have (for the OpenAPI document) and how a
 * problem becomes such an answer. Headers of the problem (`WWW-Authenticate`, `Retry-After`) are sent whatever the
 * format.
 */
export interface ErrorFormat {
  readonly mediaType: string;
  readonly schema: Record<string, unknown>;
  reply(problem: HttpProblem, request?: ErrorRequest): ErrorReply;
}

/** RFC 9457 problem details, the default format. */
export const problemJson: ErrorFormat = {
  mediaType: 'application/problem+json',
  schema: { $ref: '#/components/schemas/Problem' },
  reply: (problem) => ({ status: problem.status, type: 'application/problem+json', body: JSON.stringify(problem.body()) }),
};

/** RFC 6749 §5.2 / RFC 6750 §3.1 error codes, by HTTP status, for problems that do not name their own. */
const OAUTH_CODES: Record<number, string> = { 401: 'invalid_token', 403: 'insufficient_scope' };

/**
 * OAuth 2.0 error answers (`{"error": "...", "error_description": "..."}`, `Cache-Control: no-store`), as OID4VCI's
 * token, credential and nonce endpoints must send. A problem names its own code in the extension `oauthError`
 * (e.g. `invalid_grant`, `invalid_proof`); otherwise 401 is `invalid_token`, 403 `insufficient_scope`, other 4xx
 * `invalid_request` and 5xx `server_error` (with their status).
 *
 * @example
 * ```ts
 * const token = defineRoute({ method: 'post', path: '/token', errorFormat: oauthErrors, ... });
 * ```
 */
export const oauthErrors: ErrorFormat = {
  mediaType: 'application/json',
  schema: { $ref: '#/components/schemas/OAuthError' },
  reply(problem) {
    const named = problem.extensions.oauthError;
    const error = typeof named === 'string' ? named : (OAUTH_CODES[problem.status] ?? (problem.status >= 500 ? 'server_error' : 'invalid_request'));
    return { status: problem.status, headers: { 'Cache-Control': 'no-store' }, type: 'application/json', body: JSON.stringify({ error, error_description: problem.message }) };
  },
};

/** A 4xx error raised by express or body-parser (`http-errors` with `expose`, or the router's URIError). */
function isClientHttpError(e: unknown): boolean {
  const err = e as { status?: unknown; expose?: unknown } | null;
  if (!(e instanceof Error) || typeof err?.status !== 'number' || err.status < 400 || err.status >= 500) return false;
  return err.expose === true || e instanceof URIError;
}

/** The problem an error means; logs what the operator must see (a lost database, an unexpected failure). */
function toProblem(err: unknown, bodyLimit: string, logger: Logger, reqId: string): HttpProblem {
  const e = coreErrorToProblem(err);
  if (e instanceof HttpProblem) {
    // A database outage is worth a line for the operator; other problems are the caller's.
    if (e.status === 503 && e.cause !== undefined) logger.warn({ reqId, error: errorSummary(e.cause) }, 'request failed: service unavailable');
    return e;
  }
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return problems.malformedJson(`The request body is not valid JSON: ${(err as Error).message}.`);
  if (type === 'entity.too.large') return problems.tooLarge(`The request body is larger than ${bodyLimit}.`);
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return problems.unsupportedMedia((err as Error).message);
  // Other client errors raised by express and body-parser (a malformed %-escape in the path, a body that does not
  // decompress, an aborted upload): the caller's fault, not a server failure.
  if (isClientHttpError(err)) return problems.badRequest(`${(err as Error).message}.`);
  logger.error({ reqId, error: errorSummary(err) }, 'request failed');
  return problems.internal();
}

/** Where a route keeps its error format (and the service's collaborators) for the error handler (set by the route pipeline). */
const ERROR_FORMAT = Symbol('errorFormat');
const ERROR_DEPS = Symbol('errorDeps');

type FormatLocals = { [ERROR_FORMAT]?: ErrorFormat; [ERROR_DEPS]?: ServiceDeps };

/** Makes `format` the error format of the rest of this request. */
export function useErrorFormat(res: Response, format: ErrorFormat, deps?: ServiceDeps): void {
  (res.locals as FormatLocals)[ERROR_FORMAT] = format;
  if (deps) (res.locals as FormatLocals)[ERROR_DEPS] = deps;
}

/**
 * The last two middlewares: a 404 for every request no route took, and the error handler.
 *
 * @example
 * ```ts
 * app.use(...problemHandlers(logger, '5mb'));
 * ```
 */
export function problemHandlers(logger: Logger, bodyLimit: string): [(req: Request) => never, (err: unknown, req: Request, res: Response, next: NextFunction) => void] {
  const notFound = (req: Request): never => {
    throw problems.notFound(`No resource at ${req.method} ${req.path}.`);
  };
  const handler = (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const problem = toProblem(err, bodyLimit, logger, locals(res).reqId);
    locals(res).problemType = problem.code;
    if (res.headersSent) return;
    const { [ERROR_FORMAT]: format, [ERROR_DEPS]: deps } = res.locals as FormatLocals;
    if (!format) return sendProblem(res, problem);
    const reply = format.reply(problem, { headers: req.headers, query: req.query as Record<string, unknown>, ...(deps ? { deps } : {}) });
    for (const [k, v] of Object.entries({ ...problem.headers, ...reply.headers })) res.setHeader(k, v);
    res.status(reply.status).type(reply.type).send(reply.body);
  };
  return [notFound, handler];
}
