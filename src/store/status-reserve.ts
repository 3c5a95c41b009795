/**
 * Status list indexes claimed ahead of single issuances, a few at a time, so that issuing one credential needs no
 * statement of its own to claim one and writes no row that every issuance writes.
 *
 * The index is part of what is signed, so it must be known before signing; claiming it in its own statement per
 * issuance cost a round trip, and counting it on the list row (`used = used + 1`) made every issuance of an issuer
 * wait for that one row. Here a process claims indexes in chunks through `allocateStatusIndexes` (random indexes,
 * the primary key of `status_allocations` against reuse, `used` counted once per chunk, full lists followed by the
 * next), under fresh credential ids, and hands them out one by one. The chunk follows demand: one index while
 * an issuer has a few issuances a second (so a quiet deployment holds no spare claims), up to {@link MAX_CHUNK}
 * under load.
 *
 * What it changes, by design: while a process runs, its spare claims are allocations without a credential (at most
 * one chunk per issuer). An issuance that fails releases its index (`releaseStatusIndexes`), `close()` releases the
 * spare ones, so after a clean stop allocations, `used` and credentials agree again; a process killed with -9
 * leaves its spare claims (at most one chunk per issuer) unused in the list, which costs capacity, never a reuse.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { allocateStatusIndexes, releaseStatusIndexes } from './status-lists-bulk.js';
import type { Allocation } from './status-lists.js';

/** The most indexes claimed at once for one issuer. */
export const MAX_CHUNK = 32;
/** Issuances a second up to which an issuer's indexes are claimed one at a time. */
const QUIET_RATE = 8;

/** A claimed index and the credential id it was claimed under (the id of the credential that will use it). */
export interface ReservedIndex {
  credentialId: string;
  allocation: Allocation;
}

interface IssuerPool {
  free: ReservedIndex[];
  refill?: Promise<void>;
  waiting: number;
  /** Times (ms) of the takes in the last second: the demand the next chunk is sized for. */
  recent: number[];
}

/**
 * The spare claims of one process on one database.
 *
 * @example
 * ```ts
 * const reserve = new StatusIndexReserve(db);
 * const { credentialId, allocation } = await reserve.take('northbridge');
 * // sign with allocation.seq / allocation.index, store the credential under credentialId; on failure:
 * await reserve.release([credentialId]);
 * ```
 */
export class StatusIndexReserve {
  private readonly pools = new Map<string, IssuerPool>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: { size?: number; capacity?: number } = {},
  ) {}

  private pool(issuerSlug: string): IssuerPool {
    let p = this.pools.get(issuerSlug);
    if (!p) {
      p = { free: [], waiting: 0, recent: [] };
      this.pools.set(issuerSlug, p);
    }
    return p;
  }

  /** One claimed index of the issuer's current list, and the credential id to store the credential under. */
  async take(issuerSlug: string): Promise<ReservedIndex> {
    const p = this.pool(issuerSlug);
    const now = Date.now();
    p.recent.push(now);
    while ((p.recent[0] as number) < now - 1000) p.recent.shift();
    p.waiting++;
    try {
      for (;;) {
        if (this.closed) throw new Error('the status index reserve is closed');
        const next = p.free.shift();
        if (next) return next;
        p.refill ??= this.refill(issuerSlug, p).finally(() => {
          p.refill = undefined;
        });
        await p.refill;
      }
    } finally {
      p.waiting--;
    }
  }

  private async refill(issuerSlug: string, p: IssuerPool): Promise<void> {
    // One index at a time for a quiet issuer (nothing spare is held); for a busy one, half a second of its recent
    // rate, so that its claims are a small share of its statements.
    const rate = p.recent.length;
    const n = rate <= QUIET_RATE ? 1 : Math.min(MAX_CHUNK, Math.max(p.waiting, Math.floor(rate / 2)));
    const ids = Array.from({ length: n }, () => `urn:uuid:${randomUUID()}`);
    const claimed = await this.db.transaction((tx) => allocateStatusIndexes(tx, issuerSlug, ids, this.options));
    for (const credentialId of ids) {
      const allocation = claimed.get(credentialId);
      if (allocation) p.free.push({ credentialId, allocation });
    }
  }

  /**
   * Hands back the indexes of credentials that were not stored (only indexes no stored credential uses are freed).
   * Never throws: an index it cannot free stays claimed and unused.
   */
  async release(credentialIds: readonly string[]): Promise<void> {
    await releaseStatusIndexes(this.db, credentialIds).catch(() => 0);
  }

  /** Releases every spare claim (before the database closes); later takes fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((p) => p.refill?.catch(() => {})));
    const spare = [...this.pools.values()].flatMap((p) => p.free.splice(0).map((r) => r.credentialId));
    if (spare.length > 0) await this.release(spare);
  }
}
