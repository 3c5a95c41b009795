/**
 * Keyset paging cursors: opaque to clients (base64url of a JSON pair), checked strictly when they come back, so a
 * forged or damaged cursor is a RangeError the service answers with 400, never a database error.
 */
import { isStorableText } from './db.js';
import { parseTimestamp } from './time.js';

/** What the key after the time may look like: text (credential ids) or a bigint (audit ids). */
export type CursorKey = 'text' | 'bigint';

const BIGINT = /^[1-9]\d{0,18}$/;

/**
 * The cursor for "after this row": its time (as the database gave it) and its key.
 *
 * @example
 * ```ts
 * const next = encodeCursor('2026-06-19T10:00:00.123Z', 'urn:uuid:…');
 * ```
 */
export function encodeCursor(at: string, key: string): string {
  return Buffer.from(JSON.stringify([at, key]), 'utf8').toString('base64url');
}

/**
 * The time (as {@link parseTimestamp} normalises it) and key of a cursor this server handed out.
 *
 * @throws RangeError on anything else: not base64url JSON, an impossible time, a key of the wrong kind.
 *
 * @example
 * ```ts
 * const [at, id] = decodeCursor(page.next!, 'text');
 * ```
 */
export function decodeCursor(cursor: string, key: CursorKey): [string, string] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
    const at = parseTimestamp(v[0]);
    const ok = key === 'bigint' ? BIGINT.test(v[1]) && BigInt(v[1]) <= 2n ** 63n - 1n : v[1] !== '' && isStorableText(v[1]);
    if (at !== undefined && ok) return [at, v[1]];
  }
  throw new RangeError('cursor is not one this server handed out');
}
