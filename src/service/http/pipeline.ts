/**
 * The request pipeline: serves declared routes on an express app. Everything a route needs is compiled when it is
 * mounted (parameter and body checks, its express path, its middleware); a request then runs, in this order: the
 * router's headers and error format, the `{slug}` path parameter (an issuer no one can have is a 404 before
 * authentication), authentication, the other path parameters, the query parameters (in declared order), the body,
 * the handler, and the reply.
 */
import { Readable as ReadableStream } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import type { Authenticator } from '../middleware/auth.js';
import { locals } from '../middleware/observe.js';
import { useErrorFormat } from '../middleware/problems.js';
import type { ErrorFormat } from '../middleware/problems.js';
import { problems } from '../problem.js';
import type { AnyRoute, Headers, Reply, Router, RouteInput, ServiceDeps } from './declare.js';
import { compileField, compileParam, wireText } from './validate.js';
import type { FieldCheck, ParamCheck } from './validate.js';

const FORM = 'application/x-www-form-urlencoded';

interface CompiledRoute {
  readonly route: AnyRoute;
  readonly headers: Router['headers'];
  readonly errorFormat: ErrorFormat | undefined;
  /** Path parameters checked before authentication (the issuer slug) and after it. */
  readonly beforeAuth: readonly (readonly [string, ParamCheck])[];
  readonly afterAuth: readonly (readonly [string, ParamCheck])[];
  readonly query: readonly (readonly [string, ParamCheck])[];
  readonly readBody: (req: Request) => Record<string, unknown>;
  readonly deps: ServiceDeps;
  readonly auth: Authenticator;
}

/** `/issuers/{slug}` → `/issuers/:slug`. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, ':$1');
}

/** Names of the `{name}` segments of an OpenAPI path, in order. */
export function pathNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1] as string);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The problem for a required body that was not parsed: none sent (400) or of a type the route does not take (415). */
function missingBody(req: Request, media: string): never {
  const type = req.headers['content-type'];
  if (!type) throw problems.badRequest(media === 'application/json' ? 'This request needs a JSON body (Content-Type: application/json).' : `This request needs a body (Content-Type: ${media}).`);
  throw problems.unsupportedMedia(`Expected Content-Type ${media}; found ${JSON.stringify(type)}.`);
}

function bodyReader(route: AnyRoute): (req: Request) => Record<string, unknown> {
  const body = route.body;
  if (!body) return () => ({});
  const media = Object.keys(body.content)[0] ?? 'application/json';
  if (body.stream) return () => ({});
  const check: FieldCheck | undefined = body.fields ? compileField(body.fields, '') : undefined;
  const required = body.required;
  // A JSON route takes what the app's JSON and JSON Lines parsers read (as it always has); a route of other media
  // types only those (a form route must not take the JSON the app parsed for it).
  const declared = route.body && !('application/json' in body.content) ? Object.keys(body.content) : undefined;
  return (req) => {
    const parsed: unknown = declared && !req.is(declared) ? undefined : req.body;
    if (parsed === undefined) {
      if (required) missingBody(req, media);
      return {};
    }
    if (!check) return parsed as Record<string, unknown>;
    if (!isObject(parsed)) throw problems.badRequest('The request body must be a JSON object.');
    return check(parsed) as Record<string, unknown>;
  };
}

function compile(route: AnyRoute, router: Router, deps: ServiceDeps, auth: Authenticator): CompiledRoute {
  const params = route.params ?? {};
  const names = pathNames(route.path);
  const missing = names.filter((n) => !params[n]);
  if (missing.length > 0) throw new Error(`${route.method.toUpperCase()} ${route.path}: path parameter(s) ${missing.join(', ')} not declared`);
  const checks = names.map((n) => [n, compileParam(n, params[n] as never)] as const);
  return {
    route,
    headers: router.headers,
    errorFormat: route.errorFormat ?? router.errorFormat,
    beforeAuth: checks.filter(([n]) => n === 'slug'),
    afterAuth: checks.filter(([n]) => n !== 'slug'),
    query: Object.entries(route.query ?? {}).map(([n, p]) => [n, compileParam(n, p as never)] as const),
    readBody: bodyReader(route),
    deps,
    auth,
  };
}

function readPath(out: Record<string, unknown>, checks: CompiledRoute['beforeAuth'], params: Record<string, string | undefined>): void {
  for (const [name, check] of checks) out[name] = check(wireText('path', name, params[name]) as string);
}

async function run(c: CompiledRoute, req: Request, res: Response): Promise<void> {
  const headers: Headers | undefined = typeof c.headers === 'function' ? c.headers(c.deps) : c.headers;
  if (headers) for (const k in headers) res.setHeader(k, headers[k] as string);
  if (c.route.cors) res.set(CORS_REPLY);
  if (c.errorFormat) useErrorFormat(res, c.errorFormat, c.deps);
  const rawParams = req.params as Record<string, string | undefined>;
  const path: Record<string, unknown> = {};
  readPath(path, c.beforeAuth, rawParams);
  const principal = await c.auth.authenticate(req, res, c.route.auth, path.slug as string | undefined);
  readPath(path, c.afterAuth, rawParams);
  const rawQuery = req.query as Record<string, unknown>;
  const query: Record<string, unknown> = {};
  for (const [name, check] of c.query) {
    const text = wireText('query', name, rawQuery[name]);
    if (text !== undefined) query[name] = check(text);
  }
  const input: RouteInput = {
    path: path as RouteInput['path'],
    query: query as RouteInput['query'],
    body: c.readBody(req),
    principal,
    headers: req.headers,
    rawQuery,
    requestId: locals(res).reqId,
    ...(c.route.body?.stream ? { stream: req } : {}),
  };
  await writeReply(res, await c.route.handler(input, c.deps));
}

/**
 * Writes a handler's reply.
 *
 * @example
 * ```ts
 * await writeReply(res, { status: 201, location: url, json: resource });
 * ```
 */
export async function writeReply(res: Response, reply: Reply): Promise<void> {
  if (reply.problemType !== undefined) locals(res).problemType = reply.problemType;
  if (reply.headers) for (const k in reply.headers) res.setHeader(k, reply.headers[k] as string);
  if (reply.location !== undefined) res.location(reply.location);
  if (reply.status !== undefined) res.status(reply.status);
  if ('json' in reply) res.json(reply.json);
  else if ('body' in reply) res.type(reply.type).send(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body));
  else if ('stream' in reply) {
    res.type(reply.type);
    await pipeline(reply.stream instanceof ReadableStream ? reply.stream : ReadableStream.from(reply.stream), res);
  } else res.end();
}

/** Middleware a route needs before its handler: the form parser when it takes form bodies. */
function routeMiddleware(route: AnyRoute, bodyLimit: string): RequestHandler[] {
  return route.body && FORM in route.body.content ? [express.urlencoded({ extended: false, limit: bodyLimit })] : [];
}

/** Headers of every answer of a `cors` route: any origin may read it, and the headers a wallet acts on. */
const CORS_REPLY = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Location, WWW-Authenticate' };

/** What a browser wallet sends besides the CORS-safelisted headers (OID4VCI's DPoP included). */
const PREFLIGHT_HEADERS = 'Authorization, Content-Type, DPoP';

/**
 * Answers the CORS preflights of the routes declared `cors` (204, any origin, the path's methods), before anything
 * else sees an OPTIONS request.
 *
 * @example
 * ```ts
 * mountPreflights(app, ROUTERS);
 * ```
 */
export function mountPreflights(app: express.Express, routers: readonly Router[]): void {
  const methods = new Map<string, Set<string>>();
  for (const router of routers) {
    for (const route of router.routes) {
      if (!route.cors) continue;
      const path = expressPath(route.path);
      methods.set(path, (methods.get(path) ?? new Set()).add(route.method.toUpperCase()));
    }
  }
  for (const [path, allowed] of methods) {
    const allow = [...allowed, 'OPTIONS'].join(', ');
    app.options(path, (_req, res) => {
      res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': allow, 'Access-Control-Allow-Headers': PREFLIGHT_HEADERS, 'Access-Control-Max-Age': '600', Allow: allow });
      res.status(204).end();
    });
  }
}

/**
 * Serves the routes of `routers` on `app`. `phase: 'streamed'` mounts only the routes that read their body as a
 * stream (mounted before the app's body parsers, which would otherwise buffer it); `'parsed'` all the others.
 *
 * @example
 * ```ts
 * mountRouters(app, ROUTERS, deps, auth, { phase: 'parsed', bodyLimit: '5mb' });
 * ```
 */
export function mountRouters(
  app: express.Express,
  routers: readonly Router[],
  deps: ServiceDeps,
  auth: Authenticator,
  options: { phase: 'streamed' | 'parsed'; bodyLimit: string },
): void {
  for (const router of routers) {
    for (const route of router.routes) {
      if ((route.body?.stream === true) !== (options.phase === 'streamed')) continue;
      const compiled = compile(route, router, deps, auth);
      const handler: RequestHandler = (req, res) => run(compiled, req, res);
      app[route.method](expressPath(route.path), ...routeMiddleware(route, options.bodyLimit), handler);
    }
  }
}
