/**
 * Status list indexes for many credentials at once (bulk jobs), beside the single path in `status-lists.ts`: the
 * same table, the same rules (random indexes, the primary key of `status_allocations` against reuse, `used` counting
 * the allocations of a list, a full list followed by the next), in a few statements per chunk instead of several
 * per credential.
 *
 * The claim is its own short transaction, before signing (the index is part of what is signed, and nothing may be
 * signed inside a transaction on PGlite's one connection). Credential ids are chosen by the caller and are stable
 * across retries, so a chunk run again after a crash finds the indexes its first run claimed (`credential_id` is
 * unique) instead of claiming more; indexes whose credential was not stored in the end are handed back with
 * {@link releaseStatusIndexes}.
 */
import { randomInt } from 'node:crypto';
import type { Queryable } from './db.js';
import { lockIssuerLists, MIN_STATUS_LIST_SIZE, startStatusList } from './status-lists.js';
import type { Allocation } from './status-lists.js';

const ROUNDS = 12;

interface ListRow {
  id: number;
  seq: number;
  size: number;
  capacity: number;
  used: number;
}

/** The issuer's current list, locked until the transaction ends (a new one is started when there is none). */
async function lockCurrentList(tx: Queryable, issuerSlug: string, size: number, capacity: number): Promise<ListRow> {
  for (;;) {
    const res = await tx.query<ListRow>(
      'SELECT id, seq, size, capacity, used FROM status_lists WHERE issuer_slug = $1 AND NOT is_full ORDER BY seq LIMIT 1 FOR UPDATE',
      [issuerSlug],
    );
    const row = res.rows[0];
    if (row) return { id: Number(row.id), seq: Number(row.seq), size: Number(row.size), capacity: Number(row.capacity), used: Number(row.used) };
    await startStatusList(tx, issuerSlug, size, capacity);
  }
}

/**
 * Claims one status index for each of `credentialIds` (in the issuer's current list, then the next ones), in the
 * caller's transaction, and counts them on their lists. Ids that already hold an index (an earlier run of the same
 * chunk) keep it. Returns the allocation of every id.
 *
 * @example
 * ```ts
 * const allocations = await db.transaction((tx) => allocateStatusIndexes(tx, 'northbridge', ids));
 * allocations.get(ids[0]); // { listId, seq, index }
 * ```
 */
export async function allocateStatusIndexes(
  tx: Queryable,
  issuerSlug: string,
  credentialIds: readonly string[],
  options: { size?: number; capacity?: number } = {},
): Promise<Map<string, Allocation>> {
  const size = options.size ?? MIN_STATUS_LIST_SIZE;
  if (size < MIN_STATUS_LIST_SIZE || size % 8 !== 0) {
    throw new RangeError(`status list size must be a multiple of 8 and at least ${MIN_STATUS_LIST_SIZE}; found ${size}`);
  }
  const capacity = Math.min(options.capacity ?? size, size);
  const out = new Map<string, Allocation>();
  const found = async (ids: readonly string[]): Promise<void> => {
    if (ids.length === 0) return;
    const res = await tx.query<{ credential_id: string; list_id: number; idx: number; seq: number; issuer_slug: string }>(
      `SELECT a.credential_id, a.list_id, a.idx, l.seq, l.issuer_slug FROM status_allocations a JOIN status_lists l ON l.id = a.list_id
        WHERE a.credential_id = ANY($1::text[])`,
      [ids],
    );
    for (const r of res.rows) {
      // Credential ids are global: one holding an index of another issuer can never be given one here.
      if (r.issuer_slug !== issuerSlug) throw new Error(`credential id ${r.credential_id} already holds a status index of another issuer`);
      out.set(String(r.credential_id), { listId: Number(r.list_id), seq: Number(r.seq), index: Number(r.idx) });
    }
  };
  await found(credentialIds);
  // Concurrent claims of one issuer queue here, before any list row is locked (see lockIssuerLists).
  if (credentialIds.some((id) => !out.has(id))) await lockIssuerLists(tx, issuerSlug);
  let pending = credentialIds.filter((id) => !out.has(id));
  for (let lists = 0; pending.length > 0; lists++) {
    if (lists > 1000) throw new Error(`could not allocate status list indexes for issuer ${issuerSlug}`);
    const list = await lockCurrentList(tx, issuerSlug, size, capacity);
    const room = list.capacity - list.used;
    if (room <= 0) {
      await tx.query('UPDATE status_lists SET is_full = true, updated_at = now() WHERE id = $1', [list.id]);
      continue;
    }
    let todo = pending.slice(0, room);
    let claimed = 0;
    for (let round = 0; todo.length > 0 && round < ROUNDS; round++) {
      // Random indexes, distinct within the draw; those another credential holds are drawn again.
      const draw = new Set<number>();
      if (round < ROUNDS - 1) {
        while (draw.size < todo.length && draw.size < list.size) draw.add(randomInt(list.size));
      } else {
        // A nearly full list: free indexes from the table itself, in random order.
        const free = await tx.query<{ i: number }>(
          `SELECT s.i FROM generate_series(0, $2::int - 1) AS s(i)
            WHERE NOT EXISTS (SELECT 1 FROM status_allocations a WHERE a.list_id = $1 AND a.idx = s.i) ORDER BY random() LIMIT $3`,
          [list.id, list.size, todo.length],
        );
        for (const r of free.rows) draw.add(Number(r.i));
      }
      const indexes = [...draw];
      const ids = todo.slice(0, indexes.length);
      const res = await tx.query<{ credential_id: string; idx: number }>(
        `INSERT INTO status_allocations (list_id, idx, credential_id)
         SELECT $1, t.idx, t.id FROM unnest($2::int[], $3::text[]) AS t(idx, id)
         ON CONFLICT DO NOTHING RETURNING credential_id, idx`,
        [list.id, indexes, ids],
      );
      for (const r of res.rows) out.set(String(r.credential_id), { listId: list.id, seq: list.seq, index: Number(r.idx) });
      claimed += res.rows.length;
      // An id another run of the chunk claimed meanwhile (unique credential_id) keeps that claim.
      const missing = todo.filter((id) => !out.has(id));
      await found(missing.filter((id) => ids.includes(id)));
      todo = todo.filter((id) => !out.has(id));
      if (indexes.length === 0) break;
    }
    if (claimed > 0) {
      await tx.query(
        'UPDATE status_lists SET used = used + $2, is_full = (used + $2 >= capacity), updated_at = now() WHERE id = $1',
        [list.id, claimed],
      );
    } else if (todo.length > 0) {
      // Nothing free was left in this list: it is full.
      await tx.query('UPDATE status_lists SET is_full = true, updated_at = now() WHERE id = $1', [list.id]);
    }
    pending = pending.filter((id) => !out.has(id));
  }
  return out;
}

/**
 * Hands back the indexes of credentials that were not stored after all (a record a concurrent request issued first,
 * a credential that could not be signed), and uncounts them. Only indexes with no stored credential are released.
 *
 * @example
 * ```ts
 * await releaseStatusIndexes(tx, ['urn:uuid:…']);
 * ```
 */
export async function releaseStatusIndexes(tx: Queryable, credentialIds: readonly string[]): Promise<number> {
  if (credentialIds.length === 0) return 0;
  const res = await tx.query<{ list_id: number; n: number }>(
    `WITH gone AS (
       DELETE FROM status_allocations a WHERE a.credential_id = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.status_list_id = a.list_id AND c.status_index = a.idx)
       RETURNING a.list_id
     ), counted AS (
       SELECT list_id, count(*)::int AS n FROM gone GROUP BY list_id
     ), u AS (
       UPDATE status_lists l SET used = l.used - counted.n, updated_at = now() FROM counted WHERE l.id = counted.list_id
     )
     SELECT list_id, n FROM counted`,
    [credentialIds],
  );
  return res.rows.reduce((s, r) => s + Number(r.n), 0);
}
