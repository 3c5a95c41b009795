import type { Logger } from 'pino';
import type { Cryptosuite } from '../proof/vendor.js';
import type { GuardedFetch, GuardedFetchConfig } from '../lib/guarded-fetch.js';
import type { Db } from '../store/db.js';

/** Configuration of the issuance service (`createApp` / `startServer`). Every field is optional. */
export interface ServiceConfig {
  /** An open, migrated database to use (tests share one). Otherwise one is opened from `databaseUrl`/`dataDir`. */
  db?: Db;
  /** PostgreSQL URL; default `DATABASE_URL`; when neither is set, embedded PGlite is used. */
  databaseUrl?: string;
  /** Data directory (default `./data`): PGlite data in `<dataDir>/db`, issuer keys in `<dataDir>/keys`. `memory` = in-memory PGlite. */
  dataDir?: string;
  /** Root of issuer key directories (default `<dataDir>/keys`, or `./data/keys`). */
  keysDir?: string;
  /**
   * Public base URL of the deployment (`https://credentials.example.ac.uk`), used in status list URLs and
   * for `did:web` identifiers of new issuers. Default: `http://HOST:PORT` of the listening socket.
   */
  publicUrl?: string;
  /** Listen address, default 127.0.0.1 (never all interfaces unless asked). */
  host?: string;
  /** Listen port, default 3000; 0 = any free port. */
  port?: number;
  /** pino logger (tests pass one writing to a buffer). Default: JSON lines on stdout at `logLevel`. */
  logger?: Logger;
  logLevel?: string;
  /** Entries per status list (>= 131,072, multiple of 8). */
  statusListSize?: number;
  /** Entries handed out per list before a new one starts (default = size). */
  statusListCapacity?: number;
  /** `Cache-Control: max-age` (seconds) of status list credentials; also their `ttl`. Default 60. */
  statusListMaxAge?: number;
  /** Outbound fetch for verifying foreign credentials (defaults: https only, public addresses only). */
  fetchConfig?: GuardedFetchConfig;
  /** Replace the outbound fetch entirely (tests). */
  fetch?: GuardedFetch;
  /** A faster `eddsa-rdfc-2022` cryptosuite for signing. */
  cryptosuite?: Cryptosuite;
  /** Largest request body (express/body-parser syntax), default `5mb`. */
  bodyLimit?: string;
  /**
   * Deployment administrator bearer token (e.g. from MICROCRED_ADMIN_TOKEN): may create issuers over HTTP and do
   * every issuer's `admin` operations. Unset = issuers are created with the CLI only.
   */
  adminToken?: string;
  /** Create issuer `example` from `keys.example/` (did:key, EXAMPLE keys) when the database has no issuer. */
  exampleIssuer?: boolean;
}
