// Shared set-up of the wallet tests: one in-memory database and the real service listening on 127.0.0.1 for an
// https deployment (PUBLIC_URL); `fetch` sends that deployment's URLs to the listening socket, as a reverse proxy
// would. `call` speaks HTTP to a route the way wallets do and gives back status, headers (lower-case) and body;
// `expectOk` throws the problem of a problem+json answer, as the wallet functions throw it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
// @ts-ignore -- no type declarations
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- no type declarations
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
// @ts-ignore -- no type declarations
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
// @ts-ignore -- no type declarations
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- no type declarations
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
// @ts-ignore -- no type declarations
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { startServer } from '../src/service/server.js';
import type { RunningServer } from '../src/service/server.js';
import type { ServiceConfig } from '../src/service/config.js';
import { HttpProblem, PROBLEM_BASE } from '../src/service/problem.js';
import { createApiKey, createIssuer } from '../src/service/admin.js';
import { issueFromRecord } from '../src/service/issuance.js';
import type { CredentialFormat } from '../src/store/credentials.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { createDidResolver } from '../src/did/resolve.js';
import { profile, recordMinimal } from './http-helpers.js';

export { profile, record, recordMinimal } from './http-helpers.js';

export const PUBLIC_URL = 'https://credentials.test';

const vc = vcLib as any;

export interface WalletHarness {
  db: Db;
  app: RunningServer;
  ctx: RunningServer['context'];
  slug: string;
  logs: string[];
  /** The listening socket, http://127.0.0.1:PORT. */
  url: string;
  /** A fetch that sends PUBLIC_URL/… to the listening service (over real HTTP) and refuses anything else. */
  fetch: typeof fetch;
  /** An API key of the issuer with every scope. */
  token: string;
  issue(recordId: string, format?: CredentialFormat, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startWallet(config: Partial<ServiceConfig> = {}): Promise<WalletHarness> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const db = await openDb({ dataDir: 'memory' });
  const keysRoot = mkdtempSync(path.join(tmpdir(), 'microcred-wallet-keys-'));
  const app = await startServer({ db, port: 0, publicUrl: PUBLIC_URL, keysDir: keysRoot, logger: pino({ level: 'debug' }, sink), ...config });
  const slug = `northbridge-${Math.random().toString(36).slice(2, 8)}`;
  await createIssuer(db, { slug, profile, publicUrl: PUBLIC_URL, keysRoot });
  const { token } = await createApiKey(db, { issuer: slug, scopes: ['issue', 'read', 'revoke', 'admin'] });
  const ctx = app.context;
  return {
    db,
    app,
    ctx,
    slug,
    logs,
    url: app.url,
    fetch: fetchVia(app.url, PUBLIC_URL),
    token,
    async issue(recordId, format = 'di', extra = {}) {
      const out = await issueFromRecord(ctx, slug, { ...recordMinimal, recordId, ...extra }, { format, actor: 'test' });
      return out.row.id;
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** A fetch that sends `publicUrl/…` to `serverUrl` (over real HTTP) and refuses anything else. */
export function fetchVia(serverUrl: string, publicUrl: string): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(publicUrl)) throw new TypeError(`no network in tests: ${url}`);
    const target = serverUrl + url.slice(publicUrl.length);
    return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
  };
}

export interface Answer<B = any> {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: B;
  text: string;
}

/**
 * One HTTP request to the service: `url` is PUBLIC_URL/… or a path; `json` or `form` is the body (a form as
 * wallets send the token request).
 */
export async function call(h: WalletHarness, method: string, url: string, options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string>; token?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await h.fetch(url.startsWith('/') ? PUBLIC_URL + url : url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), body: parsed, text };
}

/** The answer when it is a success; a problem+json answer is thrown as the HttpProblem it carries. */
export function expectOk<B = any>(a: Answer<B>): Answer<B> {
  if (a.status < 400) return a;
  const p = a.body as { type?: string; title?: string; detail?: string; status?: number } | undefined;
  if (a.headers['content-type']?.startsWith('application/problem+json') && p?.type) {
    throw new HttpProblem(a.status, p.type.startsWith(PROBLEM_BASE) ? p.type.slice(PROBLEM_BASE.length) : p.type, p.title ?? '', p.detail ?? '');
  }
  throw new Error(`unexpected answer ${a.status}: ${a.text.slice(0, 300)}`);
}

/** Contexts plus did:key documents for the holder side (what LCW's security document loader gives it). */
export const holderLoader = (() => {
  const resolve = createDidResolver({ fetch: async (u) => { throw new Error(`no fetch in tests: ${u}`); } });
  return createDocumentLoader({ resolve });
})();

/** A wallet key as LCW holds one: an Ed25519VerificationKey2020 of a did:key. */
export async function lcwHolder(): Promise<{ did: string; sign(options: { challenge?: string; domain?: string; version?: 1.0 | 2.0; holder?: string }): Promise<Record<string, any>> }> {
  const key = await Ed25519VerificationKey2020.generate();
  const fingerprint = key.fingerprint();
  const did = `did:key:${fingerprint}`;
  key.controller = did;
  key.id = `${did}#${fingerprint}`;
  return {
    did,
    async sign({ challenge, domain, version = 2.0, holder = did }) {
      // As LCW's composeVp: createPresentation({holder}) then signPresentation with Ed25519Signature2020.
      const presentation = vc.createPresentation({ holder, version });
      return vc.signPresentation({ presentation, challenge, domain, documentLoader: holderLoader, suite: new Ed25519Signature2020({ key }) });
    },
  };
}

/** A holder signing DataIntegrityProof eddsa-rdfc-2022 with a Multikey did:key. */
export async function dataIntegrityHolder(): Promise<{ did: string; sign(options: { challenge?: string; domain?: string }): Promise<Record<string, any>> }> {
  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  return {
    did,
    async sign({ challenge, domain }) {
      const presentation = vc.createPresentation({ holder: did });
      const suite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
      return vc.signPresentation({ presentation, challenge, domain, documentLoader: holderLoader, suite });
    },
  };
}
