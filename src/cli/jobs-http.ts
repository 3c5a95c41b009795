/**
 * What `microcred courses` and `microcred jobs` share: the service they talk to, either over HTTP (`--server URL`
 * with `--token T` or MICROCRED_TOKEN) or opened locally on its data directory (`--data DIR`, or DATABASE_URL),
 * and the wording of the service's problem answers as CLI messages.
 */
import type { ServiceApp } from '../service/app.js';
import { InputError, UsageError, type Command } from './command.js';

/** The service's problem answer (problem+json) as one message: the detail, then each listed problem. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface ProblemLike {
  detail?: string;
  title?: string;
  parameter?: { in?: string; name?: string };
  problems?: { message?: string; path?: string; column?: string }[];
}

function problemMessage(status: number, text: string): string {
  let p: ProblemLike = {};
  try {
    p = JSON.parse(text) as ProblemLike;
  } catch {
    return `the service answered ${status}: ${text.slice(0, 300)}`;
  }
  const lines = [`the service answered ${status}: ${p.detail ?? p.title ?? 'no detail'}`];
  for (const q of (p.problems ?? []).slice(0, 20)) lines.push(`  - ${q.message ?? JSON.stringify(q)}`);
  return lines.join('\n');
}

/** A remote service: base URL and bearer token. */
export interface Remote {
  server: string;
  token: string;
}

/**
 * A request to the service; a problem answer throws a `ServiceError` with its message. JSON in and out unless
 * `body` is a FormData or text with its `type`.
 *
 * @example
 * ```ts
 * const job = await request(remote, 'GET', `/issuers/northbridge/jobs/${id}`);
 * ```
 */
export async function request(remote: Remote, method: string, pathname: string, o: { json?: unknown; body?: FormData | string; type?: string; raw?: boolean } = {}): Promise<any> {
  const headers: Record<string, string> = { authorization: `Bearer ${remote.token}` };
  let body: FormData | string | undefined = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] = 'application/json';
  } else if (o.type) headers['content-type'] = o.type;
  let res: Response;
  try {
    res = await fetch(`${remote.server}${pathname}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ServiceError(0, `cannot reach the service at ${remote.server}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok) throw new ServiceError(res.status, problemMessage(res.status, await res.text()));
  if (o.raw) return res;
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** `--server` and `--token` (or MICROCRED_TOKEN), checked; undefined without `--server`. */
export function remoteOf(command: Command, values: { server?: string | undefined; token?: string | undefined }): Remote | undefined {
  if (values.server === undefined) {
    if (values.token !== undefined) throw new UsageError('--token goes with --server URL', command);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(values.server);
  } catch {
    throw new UsageError(`--server must be a URL such as https://credentials.example.ac.uk; got "${values.server}"`, command);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--server must be an http or https URL; got "${values.server}"`, command);
  const token = values.token ?? process.env.MICROCRED_TOKEN;
  if (!token) throw new UsageError('--server needs an API key: --token T, or the environment variable MICROCRED_TOKEN', command);
  return { server: url.href.replace(/\/+$/, ''), token };
}

/**
 * Runs `fn` with the service opened locally on its data directory (as `serve` opens it), closing it afterwards.
 * `jobWorker`: run the bulk job worker in this process meanwhile.
 */
export async function withLocalService<T>(dataDir: string | undefined, jobWorker: boolean, fn: (svc: ServiceApp) => Promise<T>): Promise<T> {
  const { serviceConfigFromEnv } = await import('../service/config.js');
  const { createApp } = await import('../service/app.js');
  const config = serviceConfigFromEnv(process.env);
  const svc = await createApp({ ...config, ...(dataDir !== undefined ? { dataDir } : {}), logLevel: 'warn', jobWorker });
  try {
    return await fn(svc);
  } finally {
    await svc.close();
  }
}

/** A service function's problem (thrown locally) as the same kind of message as a remote answer. */
export function localProblem(e: unknown): unknown {
  const p = e as { status?: unknown; body?: (i?: string) => unknown; name?: string };
  if (p?.name === 'HttpProblem' && typeof p.body === 'function' && typeof p.status === 'number') {
    return new ServiceError(p.status, problemMessage(p.status, JSON.stringify(p.body())).replace(/^the service answered \d+: /, ''));
  }
  return e;
}


/** A service problem as the CLI's error: the caller's input (400, 404, 413, 415, 422: exit 2) or a failure (exit 1). */
export function cliError(e: unknown): unknown {
  const err = localProblem(e);
  if (!(err instanceof ServiceError)) return err;
  return [400, 404, 413, 415, 422].includes(err.status) ? new InputError(err.message) : new Error(err.message);
}
