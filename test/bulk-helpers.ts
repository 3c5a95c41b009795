// Shared set-up of the catalogue, import and job tests: a service context over a database, and did:key issuers
// (verifiable offline) with fresh keys.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { generateKeySet } from '../src/keyset/keyset.js';
import { createIssuer } from '../src/service/admin.js';
import { ServiceContext } from '../src/service/context.js';
import type { ServiceConfig } from '../src/service/config.js';
import type { Db } from '../src/store/db.js';
import { profile, record, recordMinimal } from './http-helpers.js';

export { profile, record, recordMinimal };

export function serviceContext(db: Db, config: Partial<ServiceConfig> = {}): ServiceContext {
  return new ServiceContext(db, { publicUrl: 'https://credentials.test', ...config }, pino({ level: 'silent' }));
}

let counter = 0;

/** A new did:key issuer (fresh Ed25519 keys in a temporary directory); returns its slug. */
export async function newIssuer(db: Db, prefix = 'bulk'): Promise<string> {
  const slug = `${prefix}-${Date.now().toString(36)}-${counter++}`;
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'microcred-bulk-keys-')), slug);
  await generateKeySet({ dir });
  await createIssuer(db, { slug, profile, existingKeysDir: dir });
  return slug;
}

/** The course of the minimal record fixture, without its code. */
export function courseOf(record: Record<string, unknown> = recordMinimal): Record<string, unknown> {
  const { code: _code, ...course } = structuredClone(record.course) as Record<string, unknown>;
  return course;
}
