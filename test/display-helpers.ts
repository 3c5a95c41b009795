/**
 * Shared fixtures for the display, badge, baking and certificate tests: the full example record issued with the
 * example keys (did:key), once as Data Integrity and once as VC-JWT, with fixed ids and dates.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildCredential, type BuildOptions } from '../src/credential/annex1.js';
import type { OpenBadgeCredential } from '../src/credential/types.js';
import { issueCredential } from '../src/issue.js';
import { loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';

export const read = (rel: string): any => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
export const profile = read('../keys.example/profile.json');
export const record = read('../examples/record.json');

export const OPTIONS: Omit<BuildOptions, 'issuerId'> = {
  id: 'urn:uuid:5d0b6c1e-2f43-4d6a-9e1b-7c8d9e0f1a2b',
  validFrom: '2026-06-22T09:00:00Z',
  salt: 'c0ffee00c0ffee00',
};

export interface Issued {
  keys: KeySet;
  unsigned: OpenBadgeCredential;
  di: Record<string, unknown>;
  jwt: string;
}

let issued: Promise<Issued> | undefined;

/** The full example record, built and signed once per test file. */
export function issuedFull(): Promise<Issued> {
  issued ??= (async () => {
    const keys = await loadKeySet(EXAMPLE_KEYS_DIR);
    const unsigned = buildCredential(profile, record, { ...OPTIONS, issuerId: keys.controller });
    const di = (await issueCredential(unsigned, { format: 'di', keys, created: '2026-06-22T09:00:00Z' })) as Record<string, unknown>;
    const jwt = await issueCredential(unsigned, { format: 'jwt', keys });
    return { keys, unsigned, di, jwt };
  })();
  return issued;
}

/** Every OB 3.0 example credential we hold from other issuers (test/fixtures/verify and test/fixtures/display) (JSON objects and compact JWTs), by name. */
export function otherIssuersExamples(): [string, Record<string, unknown> | string][] {
  const out: [string, Record<string, unknown> | string][] = [];
  for (const dir of ['verify', 'display'].map((d) => path.resolve(import.meta.dirname, 'fixtures', d))) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && !x.includes('keypair'))) {
      const doc = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      if (Array.isArray(doc.vectors)) {
        for (const v of doc.vectors) {
          if (v.dataIntegrity) out.push([`${f}#${v.n} DI`, v.dataIntegrity]);
          const jws = v.compactJws ?? v.vcJwt?.compactJws;
          if (typeof jws === 'string') out.push([`${f}#${v.n} JWT`, jws]);
        }
      } else if (doc.signedCredential) {
        out.push([f, doc.signedCredential]);
      } else {
        out.push([f, doc]);
      }
    }
  }
  return out;
}
