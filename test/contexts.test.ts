import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createDocumentLoader, bundledContexts } from '../src/lib/document-loader.js';
import { CONTEXTS_DIR } from '../src/lib/paths.js';
import { MicrocredError } from '../src/errors.js';

describe('bundled contexts', () => {
  it('are byte-identical to the official files listed in PROVENANCE.md', () => {
    const provenance = readFileSync(path.join(CONTEXTS_DIR, 'PROVENANCE.md'), 'utf8');
    const files = readdirSync(CONTEXTS_DIR).filter((f) => /\.(json|jsonld)$/.test(f) && f !== 'url-map.json');
    expect(files.length).toBeGreaterThanOrEqual(18);
    for (const f of files) {
      const row = provenance.split('\n').find((l) => l.startsWith(`| \`${f}\``));
      expect(row, `${f} has a provenance row`).toBeDefined();
      const expected = /`([0-9a-f]{64})`\s*\|\s*$/.exec(row!)?.[1];
      const actual = createHash('sha256').update(readFileSync(path.join(CONTEXTS_DIR, f))).digest('hex');
      expect(actual, f).toBe(expected);
    }
  });

  it('cover every OB 3.0 context version, VC v1 and v2, Data Integrity, Multikey, DID, status list and Ed25519Signature2020', () => {
    const urls = [...bundledContexts().keys()];
    for (const u of [
      'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
      'https://www.w3.org/ns/credentials/v2',
      'https://www.w3.org/2018/credentials/v1',
      'https://w3id.org/security/data-integrity/v2',
      'https://w3id.org/security/multikey/v1',
      'https://www.w3.org/ns/did/v1',
      'https://www.w3.org/ns/credentials/status/v1',
      'https://w3id.org/security/suites/ed25519-2020/v1',
    ]) expect(urls).toContain(u);
  });
});

describe('createDocumentLoader', () => {
  it('serves a pinned context without touching the network', async () => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = (() => { throw new Error('network used'); }) as typeof fetch;
    try {
      const doc = await createDocumentLoader()('https://www.w3.org/ns/credentials/v2');
      expect((doc.document as { '@context': unknown })['@context']).toBeDefined();
      expect(doc.tag).toBe('static');
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('refuses an unknown context URL with UNKNOWN_CONTEXT naming it', async () => {
    const load = createDocumentLoader();
    await expect(load('https://evil.example/context.json')).rejects.toSatisfy(
      (e: unknown) => e instanceof MicrocredError && e.code === 'UNKNOWN_CONTEXT' && e.message.includes('https://evil.example/context.json'),
    );
  });

  it('passes non-context URLs to the injected resolver', async () => {
    const load = createDocumentLoader({ resolve: async (u) => (u === 'did:example:1' ? { id: u } : undefined) });
    expect((await load('did:example:1')).document).toEqual({ id: 'did:example:1' });
    await expect(load('did:example:2')).rejects.toBeInstanceOf(MicrocredError);
  });
});
