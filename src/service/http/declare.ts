/**
 * Route declarations: each route of the service is declared once, as data, with what the OpenAPI document says of it
 * (method, path, summary, tags, parameters, body, answers) and what the request pipeline enforces (authentication,
 * the schemas of its parameters and body, its error format), and a handler that gets checked input and returns a
 * `Reply` (plain data: the handler never sees express). `mountRouters` (pipeline.ts) serves them; `openApiDocument`
 * (../openapi.ts) describes them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ServiceContext } from '../context.js';
import type { AuthRequirement, Principal } from '../middleware/auth.js';
import type { ErrorFormat } from '../middleware/problems.js';
import type { HttpProblem } from '../problem.js';
import type { ClaimMailer } from '../mail/mailer.js';
import type { Verifier } from '../verification.js';

export type JsonSchema = Record<string, unknown>;

/** Returned by a parameter's `decode` for wire text that is not a value of its kind. */
export const REFUSED: unique symbol = Symbol('refused');

/**
 * A path or query parameter. Its wire text first passes the rules every parameter has (given once; no U+0000 or
 * unpaired surrogate), then `decode` turns it into a value (digits into a number, a date into the store's form), and
 * ajv checks that value against `schema`, which is also what the OpenAPI document shows.
 */
export interface Param<T = unknown> {
  readonly in: 'path' | 'query';
  readonly description: string;
  readonly schema: JsonSchema;
  /** Wire text → value; `REFUSED` when the text is not one (default: the text itself). */
  readonly decode?: (text: string) => unknown;
  /** The problem for a value that `decode` or the schema refused; names the parameter. */
  readonly refuse: (name: string, text: string) => HttpProblem;
  /** Type carrier for the handler's input; never set. */
  readonly __value?: T;
}

/**
 * A field of a body (a JSON or form object, or an object inside one). `schema` is documented; `accepts` is what
 * ajv checks when it differs (`{}` for content a core function checks and reports in full, such as a completion
 * record or an issuer profile); `refuse` words the problem for a refused value (`found` undefined: missing).
 */
export interface Field {
  readonly schema: JsonSchema;
  readonly accepts?: JsonSchema;
  readonly refuse?: (found: unknown, path: string) => HttpProblem;
  readonly properties?: Readonly<Record<string, Field>>;
  /** Required properties of an object field (documented; enforced for those ajv checks). */
  readonly required?: readonly string[];
}

/** Media types a body may come in. JSON and JSON Lines are parsed by the app; forms by the route; streams not at all. */
export type BodyMedia = 'application/json' | 'application/x-ndjson' | 'application/x-www-form-urlencoded' | 'text/csv' | (string & {});

/**
 * A request body. `fields`: an object body (JSON or form) whose fields ajv checks before the handler runs; without
 * it the handler gets the parsed body as it is (a batch: an array, an object or JSON Lines text) and checks it
 * itself. `stream`: the handler reads the request stream (bulk uploads); nothing buffers it.
 */
export interface Body {
  /** Absent body: 400/415 when required, else the handler gets `{}`. */
  readonly required: boolean;
  readonly description?: string;
  /** Media type → documented schema (for `fields` bodies, the object schema built from them is used). */
  readonly content: Readonly<Partial<Record<BodyMedia, JsonSchema | undefined>>>;
  readonly fields?: Field;
  /** Other shapes the body may also have, documented as `oneOf` with the `fields` object (e.g. a bare record). */
  readonly alternatives?: readonly JsonSchema[];
  readonly stream?: boolean;
}

/** One documented answer. */
export interface ResponseDoc {
  readonly description: string;
  /** Media type → schema. */
  readonly content?: Readonly<Record<string, JsonSchema>>;
  readonly headers?: Readonly<Record<string, { description: string; schema: JsonSchema }>>;
}

export type Headers = Record<string, string>;

/**
 * What a handler answers. `json`: serialised by express (ETag, 304 on If-None-Match for GET); `body` with `type`:
 * text or bytes as they are (HTML pages, CSV, documents with their own media type); `stream` with `type`: piped
 * (NDJSON results of a bulk job); none of them: an empty answer (204, 304).
 */
export type Reply = ReplyMeta & ({ json: unknown } | { type: string; body: string | Uint8Array } | { type: string; stream: Readable | AsyncIterable<string | Uint8Array> } | { empty: true });

interface ReplyMeta {
  status?: number;
  headers?: Headers;
  /** Location header (encoded as express's `res.location` does). */
  location?: string;
  /** Logged and counted as the problem type of the answer (e.g. a verification that failed). */
  problemType?: string;
}

/** What every handler may use: the service's state and collaborators, made once by `createApp`. */
export interface ServiceDeps {
  readonly ctx: ServiceContext;
  readonly verifier: Verifier;
  /** The claim e-mail worker (absent where a router is served without one). */
  readonly mailer?: ClaimMailer;
  /** Root of new issuers' key directories. */
  readonly keysRoot: string;
  /** This deployment's OpenAPI document. */
  openApi(): Record<string, unknown>;
  /** Tells this instance's bulk job worker that a job was submitted (absent: no worker here). */
  wakeJobWorker?(): void;
}

type ParamMap = Readonly<Record<string, Param>>;
type ParamValues<M extends ParamMap, Optional extends boolean> = {
  [K in keyof M]: M[K] extends Param<infer T> ? (Optional extends true ? T | undefined : T) : never;
};

/** The checked input of a handler. */
export interface RouteInput<P extends ParamMap = ParamMap, Q extends ParamMap = ParamMap> {
  readonly path: ParamValues<P, false>;
  readonly query: ParamValues<Q, true>;
  /** The body after its checks: an object for `fields` bodies, the parsed body otherwise, the stream for `stream`. */
  readonly body: Record<string, unknown>;
  /** The caller (undefined on public routes). */
  readonly principal: Principal | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The query as received (for the `next` link of a page). */
  readonly rawQuery: Readonly<Record<string, unknown>>;
  readonly requestId: string;
  /** The request body as a stream, for routes whose body is declared `stream`. */
  readonly stream?: Readable;
}

export interface Route<P extends ParamMap = ParamMap, Q extends ParamMap = ParamMap> {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form: `/issuers/{slug}/credentials/{id}`. */
  readonly path: `/${string}`;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly auth: AuthRequirement;
  /** Path parameters, one per `{name}` of `path`, in the order they are checked. */
  readonly params?: P;
  /** Query parameters, in the order they are checked. */
  readonly query?: Q;
  readonly body?: Body;
  /** Successful answers, by status. */
  readonly responses: Readonly<Record<string, ResponseDoc>>;
  /** Error answers the route gives besides those of its authentication (401, 403: added from `auth`), by status. */
  readonly errors?: Readonly<Record<string, string>>;
  /** Error format (default: the router's, else problem+json). */
  readonly errorFormat?: ErrorFormat;
  readonly handler: (input: RouteInput<P, Q>, deps: ServiceDeps) => Reply | Promise<Reply>;
  /**
   * Called by wallets from any origin (browser wallets): every answer carries `Access-Control-Allow-Origin: *` and
   * the path answers CORS preflights. Only for routes that take no cookie and no API key: their bearer tokens and
   * secrets come from the wallet itself.
   */
  readonly cors?: boolean;
}

/** A route of any parameters (what routers hold; `any` because handler inputs are contravariant). */
export type AnyRoute = Route<any, any>;

/** A group of routes of one resource, with what they share. */
export interface Router {
  readonly name: string;
  /**
   * Headers of every answer of these routes, error answers included (pages: their CSP and security headers); a
   * function is called for each request (headers that depend on the deployment, such as HSTS for an https public URL).
   */
  readonly headers?: Headers | ((deps: ServiceDeps) => Headers);
  /** Error format of these routes unless a route names its own. */
  readonly errorFormat?: ErrorFormat;
  readonly routes: readonly AnyRoute[];
}

/**
 * Declares a route; the identity function, for the type checker (the handler's input is typed from `params` and
 * `query`).
 *
 * @example
 * ```ts
 * const health = defineRoute({
 *   method: 'get', path: '/healthz', summary: 'Liveness', tags: ['operations'], auth: 'public',
 *   responses: { 200: json('Alive.', { type: 'object' }) },
 *   handler: () => ({ json: { status: 'ok' } }),
 * });
 * ```
 */
export function defineRoute<P extends ParamMap = Record<never, Param>, Q extends ParamMap = Record<never, Param>>(route: Route<P, Q>): Route<P, Q> {
  return route;
}

/** A JSON answer. */
export function json(description: string, schema: JsonSchema, type = 'application/json'): ResponseDoc {
  return { description, content: { [type]: schema } };
}

/** An HTML page. */
export function html(description: string): ResponseDoc {
  return { description, content: { 'text/html': { type: 'string' } } };
}

/** Text of another media type (CSV, Prometheus exposition, a document of its own type). */
export function text(description: string, type: string, schema: JsonSchema = { type: 'string' }): ResponseDoc {
  return { description, content: { [type]: schema } };
}

/** A stream of JSON Lines, one `item` per line. */
export function ndjson(description: string, item: JsonSchema): ResponseDoc {
  return { description: `${description} One JSON value per line, streamed.`, content: { 'application/x-ndjson': { type: 'string', 'x-item': item } } };
}

/** An answer without a body. */
export function empty(description: string): ResponseDoc {
  return { description };
}
