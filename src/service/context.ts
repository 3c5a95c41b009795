/** Internal: what every route handler shares (database, loaded issuers with their keys, metrics, logger). */
import type { Logger } from 'pino';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { KEYSET_FILE, loadKeySet } from '../keyset/keyset.js';
import type { KeySet } from '../keyset/keyset.js';
import { createDocumentLoader } from '../lib/document-loader.js';
import { fastCryptosuite } from '../proof/fast/cryptosuite.js';
import type { Cryptosuite } from '../proof/vendor.js';
import type { DocumentLoader } from '../lib/document-loader.js';
import type { Db } from '../store/db.js';
import { StatusIndexReserve } from '../store/status-reserve.js';
import { getIssuer, listIssuers, syncIssuerKeys } from '../store/issuers.js';
import type { IssuerRow } from '../store/issuers.js';
import type { ServiceConfig } from './config.js';
import { Metrics } from './metrics.js';
import { problems } from './problem.js';

export interface LoadedIssuer {
  row: IssuerRow;
  keys: KeySet;
  /** Modification time of keyset.json when loaded. */
  mtime?: number;
}

export class ServiceContext {
  readonly issuers = new Map<string, Promise<LoadedIssuer>>();
  private readonly checkedAt = new Map<string, number>();
  readonly metrics = new Metrics();
  readonly documentLoader: DocumentLoader = createDocumentLoader();
  /** The eddsa-rdfc-2022 implementation for signing and verifying (default: the fast, byte-identical one). */
  readonly cryptosuite: Cryptosuite;
  /** Base URL for status list URLs; set from the listening socket when not configured. */
  publicUrl: string;
  /** Status list indexes claimed ahead for single issuances. */
  readonly statusReserve: StatusIndexReserve;

  constructor(
    readonly db: Db,
    readonly config: ServiceConfig,
    readonly logger: Logger,
  ) {
    this.publicUrl = (config.publicUrl ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
    this.cryptosuite = config.cryptosuite ?? (fastCryptosuite() as unknown as Cryptosuite);
    this.statusReserve = new StatusIndexReserve(db, {
      ...(config.statusListSize ? { size: config.statusListSize } : {}),
      ...(config.statusListCapacity ? { capacity: config.statusListCapacity } : {}),
    });
  }

  /** Gives back what this process holds in the database (spare status indexes); before the database closes. */
  async close(): Promise<void> {
    await this.statusReserve.close();
  }

  /**
   * The issuer with its key set, loaded once per process (404 problem when unknown). Every 30 s the key set file's
   * modification time is checked, so a rotation done by another process or the CLI is picked up.
   */
  async issuer(slug: string): Promise<LoadedIssuer> {
    let p = this.issuers.get(slug);
    const checked = this.checkedAt.get(slug) ?? 0;
    if (p && Date.now() - checked > 30_000) {
      this.checkedAt.set(slug, Date.now());
      const loaded = await p.catch(() => undefined);
      const mtime = loaded ? await stat(path.join(loaded.row.keysDir, KEYSET_FILE)).then((st) => st.mtimeMs, () => undefined) : undefined;
      if (loaded && mtime !== undefined && mtime !== loaded.mtime) {
        this.issuers.delete(slug);
        p = undefined;
      }
    }
    if (!p) {
      this.checkedAt.set(slug, Date.now());
      p = this.load(slug);
      this.issuers.set(slug, p);
      p.catch(() => this.issuers.delete(slug));
    }
    return p;
  }

  /** Forgets a loaded key set (after a rotation) so the next use reloads it. */
  reload(slug: string): void {
    this.issuers.delete(slug);
  }

  private async load(slug: string): Promise<LoadedIssuer> {
    const row = await getIssuer(this.db, slug);
    if (!row) throw problems.notFound(`There is no issuer ${JSON.stringify(slug)} on this server.`);
    const mtime = await stat(path.join(row.keysDir, KEYSET_FILE)).then((st) => st.mtimeMs, () => undefined);
    const keys = await loadKeySet(row.keysDir);
    // Keep the key references in step with the key set on disk (a rotation done by the CLI).
    await syncIssuerKeys(this.db, slug, keys.keys);
    return { row, keys, ...(mtime !== undefined ? { mtime } : {}) };
  }

  /** Loads every issuer's keys (start-up and /readyz); returns the slugs that failed. */
  async loadAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const row of await listIssuers(this.db)) {
      try {
        await this.issuer(row.slug);
      } catch {
        failed.push(row.slug);
      }
    }
    return failed;
  }

  /** URL of a status list credential. */
  statusListUrl(slug: string, purpose: 'revocation' | 'suspension', seq: number): string {
    return `${this.publicUrl}/issuers/${slug}/status-lists/${purpose}/${seq}`;
  }
}
