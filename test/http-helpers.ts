// Shared set-up of the HTTP tests: one in-memory PGlite, one listening server on 127.0.0.1:0, captured logs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import type { ServiceConfig } from '../src/service/config.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { createGuardedFetch } from '../src/lib/guarded-fetch.js';
import type { GuardedFetch } from '../src/lib/guarded-fetch.js';

export const record = JSON.parse(readFileSync(new URL('../examples/record.json', import.meta.url), 'utf8')) as Record<string, unknown>;
export const recordMinimal = JSON.parse(readFileSync(new URL('../examples/record-minimal.json', import.meta.url), 'utf8')) as Record<string, unknown>;
export const profile = (() => {
  const p = JSON.parse(readFileSync(new URL('../keys.example/profile.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  delete p._note;
  return p;
})();

export interface Harness {
  db: Db;
  srv: RunningServer;
  url: string;
  logs: string[];
  keysRoot: string;
  /** The main issuer (tokens full/readOnly/admin) and a second one (token other). */
  slug: string;
  partner: string;
  tokens: { full: string; readOnly: string; admin: string; other: string };
  /** A guarded fetch reaching the test server over real HTTP (https URLs of its host mapped to http). */
  fetchViaHttp: GuardedFetch;
  close(): Promise<void>;
}

export async function startHarness(config: Partial<ServiceConfig> = {}, db?: Db): Promise<Harness> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const ownDb = !db;
  const database = db ?? (await openDb({ dataDir: 'memory' }));
  const keysRoot = mkdtempSync(path.join(tmpdir(), 'microcred-keys-'));
  const srv = await startServer({ db: database, port: 0, logger: pino({ level: 'debug' }, sink), keysDir: keysRoot, adminToken: 'deployment-admin-secret-token', ...config });
  const suffix = Math.random().toString(36).slice(2, 8);
  await createIssuer(database, { slug: `northbridge-${suffix}`, profile, publicUrl: srv.url, keysRoot });
  await createIssuer(database, { slug: `partner-${suffix}`, profile: { ...profile, name: 'Partner College' }, publicUrl: srv.url, keysRoot });
  const tokens = {
    full: (await createApiKey(database, { issuer: `northbridge-${suffix}`, scopes: ['issue', 'read', 'revoke'] })).token,
    readOnly: (await createApiKey(database, { issuer: `northbridge-${suffix}`, scopes: ['read'] })).token,
    admin: (await createApiKey(database, { issuer: `northbridge-${suffix}`, scopes: ['admin'] })).token,
    other: (await createApiKey(database, { issuer: `partner-${suffix}`, scopes: ['issue', 'read', 'revoke', 'admin'] })).token,
  };
  const base = createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true, timeoutMs: 5000 });
  const https = srv.url.replace('http://', 'https://');
  const fetchViaHttp: GuardedFetch = (u, req) => base(u.startsWith(https) ? srv.url + u.slice(https.length) : u, req);
  return {
    db: database,
    srv,
    url: srv.url,
    logs,
    keysRoot,
    slug: `northbridge-${suffix}`,
    partner: `partner-${suffix}`,
    tokens,
    fetchViaHttp,
    async close() {
      await srv.close();
      if (ownDb) await database.close();
    },
  };
}

/** JSON request helper. */
export async function call(
  h: Harness,
  method: string,
  pathname: string,
  options: { token?: string; body?: unknown; rawBody?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.rawBody !== undefined) {
    payload = options.rawBody;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const res = await fetch(`${h.url}${pathname}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}
