import type { Logger } from 'pino';
import type { Cryptosuite } from '../proof/vendor.js';
import type { GuardedFetch, GuardedFetchConfig } from '../lib/guarded-fetch.js';
import type { Db } from '../store/db.js';
import type { JobLimits } from './jobs.js';
import { trustListsFromEnv } from '../trust/config.js';
import type { TrustListSource } from '../trust/types.js';

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
  /** The `eddsa-rdfc-2022` implementation for signing and verifying (default: the fast compiled one, byte-identical to the reference). */
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
  /**
   * SMTP server for claim e-mails (nodemailer URL syntax, e.g. `smtps://user:pass@smtp.example.ac.uk:465`; from
   * `SMTP_URL`). Unset: no e-mail is sent, and issuing answers say so. The from address is each issuer's claim
   * setting `mailFrom`.
   */
  smtpUrl?: string;
  /** The deployment's name in the header of its pages (e.g. "Northbridge University credentials"). Default: the public URL's host. */
  siteName?: string;
  /**
   * Run a bulk job worker in this process (default true). Any number of instances sharing a PostgreSQL database
   * may run one; `false` leaves the jobs to the others.
   */
  jobWorker?: boolean;
  /** Threads signing Data Integrity proofs for the job worker (default: every core), started at the first job. */
  jobWorkerThreads?: number;
  /** Limits of one job upload: `maxBytes` (256 MiB), `maxRows` (1,000,000), `chunkRows` (500). */
  jobLimits?: Partial<JobLimits>;
  /**
   * Secret that signs the staff page's session cookies (e.g. from MICROCRED_SESSION_SECRET): the same on every
   * instance behind one address. Unset: a random one per process (sessions end when it restarts).
   */
  sessionSecret?: string;
  /**
   * Trust lists of known issuers, most authoritative first: local files (`{ file }`, read at start-up) and https
   * URLs (`{ url }`, fetched through the guarded fetch and cached). The issuers this service hosts are always known.
   * Default: `MICROCRED_TRUST_LISTS` in `serviceConfigFromEnv`, else none.
   */
  trustLists?: TrustListSource[];
}

/**
 * Service configuration from environment variables (what `npm start` / `microcred serve` use):
 * `PORT` (3000), `HOST` (127.0.0.1), `DATABASE_URL` (PostgreSQL; default embedded PGlite),
 * `MICROCRED_DATA_DIR` (./data), `MICROCRED_KEYS_DIR` (<data>/keys), `MICROCRED_PUBLIC_URL`,
 * `MICROCRED_ADMIN_TOKEN`, `MICROCRED_EXAMPLE_ISSUER` (1 = seed the example issuer on an empty database; default 1),
 * `MICROCRED_SITE_NAME` (the pages' header), `MICROCRED_TRUST_LISTS` (comma-separated trust list files and https
 * URLs), `MICROCRED_JOB_WORKER` (0 = no bulk job worker in this instance),
 * `MICROCRED_JOB_MAX_BYTES`, `MICROCRED_JOB_MAX_ROWS` (limits of a job upload), `MICROCRED_SESSION_SECRET` (the
 * staff page's session cookies), `SMTP_URL` (claim e-mails), `LOG_LEVEL` (info).
 *
 * @example
 * ```ts
 * const srv = await startServer(serviceConfigFromEnv(process.env));
 * ```
 */
export function serviceConfigFromEnv(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT must be an integer from 0 to 65535; found ${JSON.stringify(env.PORT)}.`);
  const config: ServiceConfig = {
    host: env.HOST ?? '127.0.0.1',
    port,
    dataDir: env.MICROCRED_DATA_DIR ?? 'data',
    exampleIssuer: (env.MICROCRED_EXAMPLE_ISSUER ?? '1') !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
  if (env.DATABASE_URL) config.databaseUrl = env.DATABASE_URL;
  if (env.MICROCRED_KEYS_DIR) config.keysDir = env.MICROCRED_KEYS_DIR;
  if (env.MICROCRED_PUBLIC_URL) config.publicUrl = env.MICROCRED_PUBLIC_URL;
  if (env.MICROCRED_ADMIN_TOKEN) config.adminToken = env.MICROCRED_ADMIN_TOKEN;
  if (env.MICROCRED_SITE_NAME) config.siteName = env.MICROCRED_SITE_NAME;
  if (env.SMTP_URL) config.smtpUrl = env.SMTP_URL;
  if (env.MICROCRED_JOB_WORKER === '0') config.jobWorker = false;
  if (env.MICROCRED_SESSION_SECRET) config.sessionSecret = env.MICROCRED_SESSION_SECRET;
  const limits: Partial<JobLimits> = {};
  for (const [name, key] of [['MICROCRED_JOB_MAX_BYTES', 'maxBytes'], ['MICROCRED_JOB_MAX_ROWS', 'maxRows']] as const) {
    const text = env[name];
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer; found ${JSON.stringify(text)}.`);
    limits[key] = n;
  }
  if (Object.keys(limits).length > 0) config.jobLimits = limits;
  const trustLists = trustListsFromEnv(env);
  if (trustLists.length > 0) config.trustLists = trustLists;
  return config;
}
