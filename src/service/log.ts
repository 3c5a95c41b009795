/** Internal: the service's logger and what a log line may say about an error. */
import pino from 'pino';
import type { Logger } from 'pino';
import { isDatabaseError } from '../store/db.js';
import type { ServiceConfig } from './config.js';

export function defaultLogger(config: ServiceConfig): Logger {
  return pino({ level: config.logLevel ?? process.env.LOG_LEVEL ?? 'info', base: { service: 'microcred' } });
}

/**
 * What the log may say about an unexpected error (logged as `error`, not `err`: pino's err serializer would replace
 * the class by "Object" and copy every property). Its class and code; for a database error only names (SQLSTATE,
 * constraint, table, column, routine), since its message, detail, query and parameters can hold learner data; for
 * other errors also the message and stack; never `details`.
 *
 * @example
 * ```ts
 * logger.error({ reqId, error: errorSummary(e) }, 'request failed');
 * ```
 */
export function errorSummary(e: unknown, depth = 0): Record<string, unknown> {
  if (isDatabaseError(e)) {
    const { code, severity, constraint, table, column, routine } = e;
    return Object.fromEntries(Object.entries({ class: 'DatabaseError', code, severity, constraint, table, column, routine }).filter(([, v]) => typeof v === 'string'));
  }
  if (e instanceof Error) {
    const code = (e as unknown as { code?: unknown }).code;
    const cause = depth < 3 && e.cause !== undefined ? { cause: errorSummary(e.cause, depth + 1) } : {};
    return { class: e.constructor?.name || e.name, ...(typeof code === 'string' ? { code } : {}), message: e.message, stack: e.stack, ...cause };
  }
  return { class: typeof e };
}
