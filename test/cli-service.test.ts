import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from './support/cli.js';
import { openDb } from '../src/store/open.js';
import { findApiKey } from '../src/store/api-keys.js';
import { spawnServiceProcess } from './support/testing.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}


const PROFILE = path.resolve(import.meta.dirname, '..', 'keys.example', 'profile.json');

describe('microcred issuers / apikeys (service administration from the CLI)', () => {
  it('creates a did:web issuer and an API key whose token is stored only as a hash', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'microcred-cli-svc-'));
    const created = await cli('issuers', 'create', '--slug', 'northbridge', '--profile', PROFILE,
      '--public-url', 'https://credentials.northbridge.example.ac.uk', '--data', data);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('did:web:credentials.northbridge.example.ac.uk:issuers:northbridge');
    const keyFile = path.join(data, 'keys', 'northbridge', 'keyset.json');
    expect(statSync(keyFile).isFile()).toBe(true);

    const again = await cli('issuers', 'create', '--slug', 'northbridge', '--profile', PROFILE,
      '--public-url', 'https://credentials.northbridge.example.ac.uk', '--data', data);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    const key = await cli('apikeys', 'create', '--issuer', 'northbridge', '--scopes', 'issue,read', '--data', data);
    expect(key.code, key.stderr).toBe(0);
    const token = key.stdout.trim();
    expect(token).toMatch(/^mcred_/);
    expect(key.stderr).toMatch(/shown only now/);

    const db = await openDb({ dataDir: path.join(data, 'db') });
    try {
      const dump = JSON.stringify((await db.query('SELECT * FROM api_keys')).rows);
      expect(dump).not.toContain(token);
      const found = await findApiKey(db, token);
      expect(found?.issuerSlug).toBe('northbridge');
    } finally {
      await db.close();
    }

    const badScope = await cli('apikeys', 'create', '--issuer', 'northbridge', '--scopes', 'everything', '--data', data);
    expect(badScope.code).not.toBe(0);
    expect(badScope.stderr).toMatch(/scopes must be one or more of/);
  });

  it('on a fresh data directory the example issuer exists for admin commands too (not only after serve)', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'microcred-cli-fresh-'));
    const key = await cli('apikeys', 'create', '--issuer', 'example', '--scopes', 'issue', '--data', data);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stdout.trim()).toMatch(/^mcred_/);
  });

  it('an admin command on the data directory of a running service fails at once with what to do instead; after kill -9 it works', { timeout: 120_000 }, async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'microcred-cli-locked-'));
    const service = await spawnServiceProcess({ dataDir: data, exampleIssuer: true });
    let running = true;
    try {
      const locked = await cli('apikeys', 'create', '--issuer', 'example', '--scopes', 'issue', '--data', data);
      expect(locked.code).toBe(1);
      expect(locked.stdout).toBe('');
      expect(locked.stderr).toMatch(/in use by another microcred process \(process \d+/);
      expect(locked.stderr).toMatch(/Stop that process first/);
      expect(locked.stderr).toMatch(/admin API/);
      expect(locked.stderr).toMatch(/PostgreSQL \(set DATABASE_URL\)/);
      // A second service on the same directory does not start either.
      await expect(spawnServiceProcess({ dataDir: data })).rejects.toThrow(/in use by another microcred process/);
      // The service kept working.
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

      // kill -9 leaves the lock file behind; its holder is gone, so the next command takes the lock over.
      process.kill(service.pid, 'SIGKILL');
      for (let i = 0; i < 100 && alive(service.pid); i++) await new Promise((r) => setTimeout(r, 50));
      running = false;
      expect(existsSync(path.join(data, 'db', 'microcred.lock'))).toBe(true);
      const after = await cli('apikeys', 'create', '--issuer', 'example', '--scopes', 'issue', '--data', data);
      expect(after.code, after.stderr).toBe(0);
      expect(existsSync(path.join(data, 'db', 'microcred.lock'))).toBe(false);
    } finally {
      if (running) await service.stop();
    }
  });

  it('issuers create, issuers rotate-key and apikeys create print their result as JSON with --json', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'microcred-cli-svc-json-'));
    const created = await cli('issuers', 'create', '--slug', 'westfield', '--profile', PROFILE,
      '--public-url', 'https://credentials.westfield.example.ac.uk', '--data', data, '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({
      slug: 'westfield',
      did: 'did:web:credentials.westfield.example.ac.uk:issuers:westfield',
      keysDir: path.join(data, 'keys', 'westfield'),
    });
    const rotated = await cli('issuers', 'rotate-key', '--slug', 'westfield', '--data', data, '--json');
    expect(rotated.code, rotated.stderr).toBe(0);
    const keys = JSON.parse(rotated.stdout);
    expect(keys).toMatchObject({ slug: 'westfield', controller: 'did:web:credentials.westfield.example.ac.uk:issuers:westfield' });
    expect(keys.keys.filter((k: { alg: string }) => k.alg === 'Ed25519')).toHaveLength(2);
    expect(rotated.stdout).not.toMatch(/"d"\s*:/);
    const key = await cli('apikeys', 'create', '--issuer', 'westfield', '--scopes', 'issue,read', '--label', 'SIS', '--data', data, '--json');
    expect(key.code, key.stderr).toBe(0);
    expect(key.stderr).toBe('');
    const printed = JSON.parse(key.stdout);
    expect(printed).toEqual({ id: expect.any(String), issuer: 'westfield', scopes: ['issue', 'read'], token: expect.stringMatching(/^mcred_/) });
  });

  it('explains missing options instead of failing obscurely', async () => {
    const r = await cli('issuers', 'create', '--slug', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs --profile FILE');
    writeFileSync(path.join(tmpdir(), 'not-json.json'), '{');
    const bad = await cli('issuers', 'create', '--slug', 'x', '--profile', path.join(tmpdir(), 'not-json.json'), '--public-url', 'https://a.example');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
  });
});
