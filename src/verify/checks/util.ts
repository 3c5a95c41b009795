/** Helpers shared by the checks (internal). */
import { MicrocredError } from '../../errors.js';

/** Reasons a check could not be carried out rather than failed: network trouble or a refused address. */
export function isFetchProblem(e: unknown): boolean {
  return e instanceof MicrocredError && (e.code === 'FETCH_FAILED' || e.code === 'FETCH_BLOCKED');
}

/** The most telling message inside an error chain (jsonld.js wraps errors several levels deep). */
export function rootMessage(e: unknown): string {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  let msg = e instanceof Error ? e.message : String(e);
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    if (cur instanceof MicrocredError) return cur.message;
    const c = cur as { message?: string; cause?: unknown; details?: { cause?: unknown; event?: { details?: { property?: string } } } };
    const prop = c.details?.event?.details?.property;
    if (prop) return `the property "${prop}" is not defined by any of the credential's contexts`;
    if (typeof c.message === 'string' && c.message) msg = c.message;
    cur = c.cause ?? c.details?.cause;
  }
  return msg;
}

/** The first error in a chain that `pick` recognises. */
export function findCause<T>(e: unknown, pick: (x: unknown) => T | undefined): T | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const hit = pick(cur);
    if (hit !== undefined) return hit;
    const c = cur as { cause?: unknown; details?: { cause?: unknown } };
    cur = c.cause ?? c.details?.cause;
  }
  return undefined;
}
