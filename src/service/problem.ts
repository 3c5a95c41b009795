/**
 * RFC 9457 problem details: every error answer of the service is `application/problem+json` with a `type` URI
 * naming the kind of problem, a `title`, the HTTP `status`, a `detail` sentence saying what was wrong, and for
 * validation failures the full `problems` list.
 */
import type { Response } from 'express';

/** Base of our problem type URIs (dereferenceable documentation is not promised; the URI is an identifier). */
export const PROBLEM_BASE = 'https://w3id.org/microcred/problems#';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** An error that becomes a problem+json answer. `code` is the fragment of the type URI. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.title = title;
    this.extensions = extensions;
    this.headers = headers;
  }

  body(instance?: string): ProblemBody {
    const type = this.code.startsWith('http') ? this.code : `${PROBLEM_BASE}${this.code}`;
    return { type, title: this.title, status: this.status, detail: this.message, ...(instance ? { instance } : {}), ...this.extensions };
  }
}

export const problems = {
  badRequest: (detail: string, ext?: Record<string, unknown>) => new HttpProblem(400, 'bad-request', 'Bad request', detail, ext),
  malformedJson: (detail: string) => new HttpProblem(400, 'malformed-json', 'Malformed JSON', detail),
  unauthorized: (detail: string) =>
    new HttpProblem(401, 'unauthorized', 'Authentication required', detail, {}, { 'WWW-Authenticate': 'Bearer realm="microcred"' }),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', 'Not allowed', detail),
  notFound: (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail),
  conflict: (detail: string, ext?: Record<string, unknown>) => new HttpProblem(409, 'conflict', 'Conflict', detail, ext),
  tooLarge: (detail: string) => new HttpProblem(413, 'payload-too-large', 'Payload too large', detail),
  unsupportedMedia: (detail: string) => new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', detail),
  invalid: (code: string, title: string, detail: string, ext?: Record<string, unknown>) => new HttpProblem(422, code, title, detail, ext),
  /** `cause`: the failure behind it (logged, never sent). */
  unavailable: (detail: string, retryAfterSeconds?: number, cause?: unknown) =>
    new HttpProblem(503, 'unavailable', 'Service unavailable', detail, {}, retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {}, cause !== undefined ? { cause } : undefined),
  internal: () => new HttpProblem(500, 'internal', 'Internal error', 'The server failed to handle the request; it has been logged with the request id.'),
};

/**
 * Writes a problem answer.
 *
 * @example
 * ```ts
 * sendProblem(res, problems.notFound('Issuer nobody does not exist.'));
 * ```
 */
export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body(instance)));
}
