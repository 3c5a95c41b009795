/**
 * Bitstring status list storage and index allocation.
 *
 * Design: a status list row is one index space of `size` entries (>= 131,072) with two bitstrings, revocation and
 * suspension; a credential gets ONE index, used in both. Indexes are drawn uniformly at random (crypto.randomInt)
 * and claimed by inserting `(list_id, idx)` into `status_allocations`, whose primary key makes reuse impossible
 * even with many processes on one PostgreSQL: a concurrent claim of the same index waits for the other
 * transaction and then either loses (`ON CONFLICT DO NOTHING` returns nothing; we draw again) or wins (the other
 * rolled back). The claim is part of the issuing transaction, so a failed issuance leaves no used index.
 * When random draws keep hitting taken indexes (a nearly full list), a scan from a random start finds a free one;
 * when none is left, or `capacity` entries are in use, the list is marked full and the next one is started.
 * A new list is started under the issuer's advisory lock (`startStatusList`), so concurrent starters start one.
 * The service's single issuances do not claim here, one at a time inside their write: they take indexes claimed
 * ahead in chunks (status-reserve.ts over `allocateStatusIndexes`), so no issuance writes the list row.
 */
import { randomInt } from 'node:crypto';
import type { Queryable } from './db.js';
import { bytes, isoTime } from './db.js';

/** Smallest list allowed by Bitstring Status List v1.0 (16 KiB uncompressed). */
export const MIN_STATUS_LIST_SIZE = 131072;
export type StatusPurpose = 'revocation' | 'suspension';

export interface Allocation {
  listId: number;
  seq: number;
  index: number;
}

export interface StatusListRow {
  id: number;
  issuerSlug: string;
  seq: number;
  size: number;
  capacity: number;
  used: number;
  isFull: boolean;
  revocation: Uint8Array;
  suspension: Uint8Array;
  updatedAt: string;
}

const RANDOM_PROBES = 8;

/**
 * Claims a random unused index for `credentialId` in the issuer's current list (starting a new list when needed).
 * Call inside the transaction that stores the credential, and call {@link countAllocation} in the same transaction.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => {
 *   const { seq, index } = await allocateStatusIndex(tx, 'northbridge', id);
 *   // ... build, sign and insert the credential, then:
 *   await countAllocation(tx, listId);
 * });
 * ```
 */
export async function allocateStatusIndex(
  tx: Queryable,
  issuerSlug: string,
  credentialId: string,
  options: { size?: number; capacity?: number } = {},
): Promise<Allocation> {
  const size = options.size ?? MIN_STATUS_LIST_SIZE;
  if (size < MIN_STATUS_LIST_SIZE || size % 8 !== 0) {
    throw new RangeError(`status list size must be a multiple of 8 and at least ${MIN_STATUS_LIST_SIZE}; found ${size}`);
  }
  const capacity = Math.min(options.capacity ?? size, size);
  // Usual case in ONE statement (a round trip saved per issuance): claim a random index in the current list when
  // that list has the configured size and room. Anything else (no list yet, at capacity, another size, the index
  // taken) takes the general path below, which reads the list first.
  const guess = randomInt(size);
  const fast = await tx.query<{ list_id: number; idx: number; seq: number }>(
    `WITH l AS (SELECT id, seq, size, capacity, used FROM status_lists WHERE issuer_slug = $1 AND NOT is_full ORDER BY seq LIMIT 1),
          ins AS (INSERT INTO status_allocations (list_id, idx, credential_id)
                  SELECT id, $3, $4 FROM l WHERE l.size = $2 AND l.used < l.capacity
                  ON CONFLICT (list_id, idx) DO NOTHING RETURNING list_id, idx)
     SELECT ins.list_id, ins.idx, l.seq FROM ins JOIN l ON l.id = ins.list_id`,
    [issuerSlug, size, guess, credentialId],
  );
  const claimed = fast.rows[0];
  if (claimed) return { listId: Number(claimed.list_id), seq: Number(claimed.seq), index: Number(claimed.idx) };
  // The general path may mark lists full and start one: the issuer's lock first (see lockIssuerLists).
  await lockIssuerLists(tx, issuerSlug);
  for (let round = 0; round < 100; round++) {
    const list = await currentList(tx, issuerSlug, size, capacity);
    if (list.used >= list.capacity) {
      await markFull(tx, list.id);
      continue;
    }
    for (let i = 0; i < RANDOM_PROBES; i++) {
      const idx = randomInt(list.size);
      if (await claim(tx, list.id, idx, credentialId)) return { listId: list.id, seq: list.seq, index: idx };
    }
    // Dense list: first free index at or after a random start, wrapping around.
    const start = randomInt(list.size);
    const free = (await firstFree(tx, list.id, start, list.size)) ?? (await firstFree(tx, list.id, 0, start));
    if (free === undefined) {
      await markFull(tx, list.id);
      continue;
    }
    if (await claim(tx, list.id, free, credentialId)) return { listId: list.id, seq: list.seq, index: free };
  }
  throw new Error(`could not allocate a status list index for issuer ${issuerSlug}`);
}

/**
 * Counts one more used entry on a list (last statement before COMMIT: the row lock is held only briefly).
 *
 * @example
 * ```ts
 * await countAllocation(tx, allocation.listId); // last statement of the issuing transaction
 * ```
 */
export async function countAllocation(tx: Queryable, listId: number): Promise<void> {
  await tx.query('UPDATE status_lists SET used = used + 1, updated_at = now() WHERE id = $1', [listId]);
}

async function currentList(
  tx: Queryable,
  issuerSlug: string,
  size: number,
  capacity: number,
): Promise<{ id: number; seq: number; size: number; capacity: number; used: number }> {
  for (;;) {
    const res = await tx.query<{ id: number; seq: number; size: number; capacity: number; used: number }>(
      'SELECT id, seq, size, capacity, used FROM status_lists WHERE issuer_slug = $1 AND NOT is_full ORDER BY seq LIMIT 1',
      [issuerSlug],
    );
    if (res.rows[0]) return res.rows[0];
    const created = await startStatusList(tx, issuerSlug, size, capacity);
    if (created) return created;
  }
}

// Any fixed number: the first key of the advisory lock under which an issuer's next status list is started.
const LIST_START_LOCK = 0x6d63736c; // "mcsl"

/**
 * Takes the issuer's status list lock until the transaction ends. Claims of several indexes at once and list starts
 * take it first, before any list row: one order of locks, so two claims never wait for each other in a cycle.
 *
 * @example
 * ```ts
 * await lockIssuerLists(tx, 'northbridge');
 * ```
 */
export async function lockIssuerLists(tx: Queryable, issuerSlug: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [LIST_START_LOCK, issuerSlug]);
}

/**
 * Starts the issuer's next status list unless one with room exists, race-free across transactions and processes:
 * the transaction first takes an advisory lock of the issuer (held until it ends), so starters queue up, and the
 * statement after it reads every list committed before the lock was granted. A transaction that waited for another
 * starter therefore sees the list it started and starts none (undefined: read the current list again).
 *
 * @example
 * ```ts
 * const list = await startStatusList(tx, 'northbridge', 131072, 131072); // undefined: a list with room exists
 * ```
 */
export async function startStatusList(
  tx: Queryable,
  issuerSlug: string,
  size: number,
  capacity: number,
): Promise<{ id: number; seq: number; size: number; capacity: number; used: number } | undefined> {
  await lockIssuerLists(tx, issuerSlug);
  const created = await tx.query<{ id: number; seq: number; size: number; capacity: number; used: number }>(
    `INSERT INTO status_lists (issuer_slug, seq, size, capacity, revocation, suspension)
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2::int, $3::int, decode(repeat('00', $2::int / 8), 'hex'), decode(repeat('00', $2::int / 8), 'hex')
       FROM status_lists WHERE issuer_slug = $1
     HAVING count(*) FILTER (WHERE NOT is_full) = 0
     RETURNING id, seq, size, capacity, used`,
    [issuerSlug, size, capacity],
  );
  const r = created.rows[0];
  return r ? { id: Number(r.id), seq: Number(r.seq), size: Number(r.size), capacity: Number(r.capacity), used: Number(r.used) } : undefined;
}

async function claim(tx: Queryable, listId: number, idx: number, credentialId: string): Promise<boolean> {
  const res = await tx.query(
    'INSERT INTO status_allocations (list_id, idx, credential_id) VALUES ($1, $2, $3) ON CONFLICT (list_id, idx) DO NOTHING RETURNING idx',
    [listId, idx, credentialId],
  );
  return res.rows.length === 1;
}

async function firstFree(tx: Queryable, listId: number, from: number, to: number): Promise<number | undefined> {
  if (from >= to) return undefined;
  const res = await tx.query<{ i: number }>(
    `SELECT s.i FROM generate_series($2::int, $3::int - 1) AS s(i)
      WHERE NOT EXISTS (SELECT 1 FROM status_allocations a WHERE a.list_id = $1 AND a.idx = s.i) LIMIT 1`,
    [listId, from, to],
  );
  return res.rows[0]?.i;
}

async function markFull(tx: Queryable, listId: number): Promise<void> {
  await tx.query('UPDATE status_lists SET is_full = true, updated_at = now() WHERE id = $1', [listId]);
}

/**
 * Sets or clears a credential's bit in the revocation or suspension bitstring, atomically in SQL (no
 * read-modify-write race between processes). PostgreSQL's set_bit numbers bits LSB-first within a byte while
 * Bitstring Status List numbers them MSB-first, hence the bit arithmetic.
 *
 * @example
 * ```ts
 * await setStatusBit(tx, listId, 'revocation', 4711, true);
 * ```
 */
export async function setStatusBit(tx: Queryable, listId: number, purpose: StatusPurpose, index: number, value: boolean): Promise<void> {
  const pgBit = Math.floor(index / 8) * 8 + (7 - (index % 8));
  const column = purpose === 'revocation' ? 'revocation' : 'suspension';
  await tx.query(`UPDATE status_lists SET ${column} = set_bit(${column}, $2, $3), updated_at = now() WHERE id = $1`, [listId, pgBit, value ? 1 : 0]);
}

/**
 * A status list of an issuer by its sequence number (with both bitstrings), or undefined.
 *
 * @example
 * ```ts
 * const list = await getStatusList(db, 'northbridge', 1);
 * const encodedList = await encodeStatusList(list!.revocation);
 * ```
 */
export async function getStatusList(q: Queryable, issuerSlug: string, seq: number): Promise<StatusListRow | undefined> {
  const res = await q.query<Record<string, unknown>>('SELECT * FROM status_lists WHERE issuer_slug = $1 AND seq = $2', [issuerSlug, seq]);
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    id: Number(r.id),
    issuerSlug: String(r.issuer_slug),
    seq: Number(r.seq),
    size: Number(r.size),
    capacity: Number(r.capacity),
    used: Number(r.used),
    isFull: r.is_full === true,
    revocation: bytes(r.revocation),
    suspension: bytes(r.suspension),
    updatedAt: isoTime(r.updated_at),
  };
}

/**
 * Sequence numbers and fill of an issuer's lists (no bitstrings).
 *
 * @example
 * ```ts
 * const lists = await listStatusLists(db, 'northbridge'); // [{ seq: 1, size: 131072, used: 42, isFull: false }]
 * ```
 */
export async function listStatusLists(q: Queryable, issuerSlug: string): Promise<{ seq: number; size: number; used: number; isFull: boolean }[]> {
  const res = await q.query<{ seq: number; size: number; used: number; is_full: boolean }>(
    'SELECT seq, size, used, is_full FROM status_lists WHERE issuer_slug = $1 ORDER BY seq',
    [issuerSlug],
  );
  return res.rows.map((r) => ({ seq: Number(r.seq), size: Number(r.size), used: Number(r.used), isFull: r.is_full === true }));
}

/**
 * One bitstring of a list with its sha256 (hex), for publishing: when the caller already holds the bitstring whose
 * digest is `knownDigest` and it has not changed, only the digest comes back (`bits` absent), so a verifier reading
 * an unchanged list does not move 16 KiB or more per request. Undefined when the list does not exist.
 *
 * @example
 * ```ts
 * const first = await getStatusBits(db, 'northbridge', 1, 'revocation'); // { digest, bits }
 * const again = await getStatusBits(db, 'northbridge', 1, 'revocation', first!.digest); // { digest } unless changed
 * ```
 */
export async function getStatusBits(
  q: Queryable,
  issuerSlug: string,
  seq: number,
  purpose: StatusPurpose,
  knownDigest?: string,
): Promise<{ digest: string; bits?: Uint8Array } | undefined> {
  const column = purpose === 'revocation' ? 'revocation' : 'suspension';
  const res = await q.query<{ digest: string; bits: unknown }>(
    `SELECT d.digest, CASE WHEN d.digest = $3 THEN NULL ELSE d.bits END AS bits
       FROM (SELECT encode(sha256(${column}), 'hex') AS digest, ${column} AS bits FROM status_lists WHERE issuer_slug = $1 AND seq = $2) d`,
    [issuerSlug, seq, knownDigest ?? ''],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return r.bits === null || r.bits === undefined ? { digest: String(r.digest) } : { digest: String(r.digest), bits: bytes(r.bits) };
}
