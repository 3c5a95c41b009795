// Shared set-up of the wallet tests: one in-memory database, a service context for an https deployment that
// never listens (the wallet functions are called directly), an issuer and a way to issue records.
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
import { createApp } from '../src/service/app.js';
import type { ServiceApp } from '../src/service/app.js';
import { createIssuer } from '../src/service/admin.js';
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
  app: ServiceApp;
  ctx: ServiceApp['context'];
  slug: string;
  logs: string[];
  issue(recordId: string, format?: CredentialFormat, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startWallet(): Promise<WalletHarness> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const db = await openDb({ dataDir: 'memory' });
  const keysRoot = mkdtempSync(path.join(tmpdir(), 'microcred-wallet-keys-'));
  const app = await createApp({ db, publicUrl: PUBLIC_URL, keysDir: keysRoot, logger: pino({ level: 'debug' }, sink) });
  const slug = `northbridge-${Math.random().toString(36).slice(2, 8)}`;
  await createIssuer(db, { slug, profile, publicUrl: PUBLIC_URL, keysRoot });
  const ctx = app.context;
  return {
    db,
    app,
    ctx,
    slug,
    logs,
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
