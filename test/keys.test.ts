/**
 * Key sets: generation (did:key, did:web), file modes, rotation, no private material in output, clear errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
// @ts-ignore -- untyped package, used as an independent check of our multibase encoding
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
// @ts-ignore -- untyped package
import * as vc from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { didWebDocumentUrl, generateKeySet, loadKeySet, rotateKey, type KeySet } from '../src/keyset/keyset.js';
import { didWebDocument, jwks } from '../src/did/web-document.js';
import { issueCredential } from '../src/issue.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { EXAMPLE_KEYS_DIR } from '../src/lib/paths.js';

let root: string;
const tmp = async (name: string) => path.join(root, `${name}-${Math.random().toString(36).slice(2)}`);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'microcred-keys-'));
});

async function privateDs(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.includes('private'));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')).d as string));
}

function credential(issuerId: string) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:0b7e9a4c-33f0-4a47-8d1e-3c2b9d0a6f10',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuerId, type: ['Profile'], name: 'Example University' },
    validFrom: '2025-06-30T00:00:00Z',
    credentialSubject: {
      id: 'did:example:learner',
      type: ['AchievementSubject'],
      achievement: { id: 'https://example.ac.uk/a/1', type: ['Achievement'], name: 'X', description: 'Y', criteria: { narrative: 'Z' } },
    },
  };
}

async function verifyWith(signed: unknown, doc: { id: string; verificationMethod: { id: string }[]; '@context': string[] }) {
  const documentLoader = createDocumentLoader({
    resolve: async (url) => {
      if (url === doc.id) return doc;
      const vm = doc.verificationMethod.find((m) => m.id === url);
      return vm && { '@context': doc['@context'], ...vm };
    },
  });
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  return vc.verifyCredential({ credential: signed, suite, documentLoader, now: new Date('2025-07-01T00:00:00Z') });
}

describe('generateKeySet', () => {
  it('did:key: one Ed25519 key, VM id did:key:z6Mk…#z6Mk…, private file 0600, multibase as Ed25519Multikey computes it', async () => {
    const dir = await tmp('didkey');
    const keys = await generateKeySet({ dir });
    expect(keys.controller).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    expect(keys.keys).toHaveLength(1);
    const [key] = keys.keys;
    const fp = keys.controller.slice('did:key:'.length);
    expect(key).toMatchObject({ id: `${keys.controller}#${fp}`, type: 'Multikey', alg: 'Ed25519', publicKeyMultibase: fp, active: true });
    const independent = await Ed25519Multikey.fromJwk({ jwk: key!.publicKeyJwk });
    expect(independent.publicKeyMultibase).toBe(fp);
    expect(keys.activeKey('di').id).toBe(key!.id);
    expect(keys.defaultJwtAlg()).toBe('EdDSA');
    expect((await stat(path.join(dir, key!.privateKeyFile))).mode & 0o777).toBe(0o600);
    expect(keys.files?.didDocument).toBeUndefined();
    const onDisk = JSON.parse(await readFile(path.join(dir, 'keyset.json'), 'utf8'));
    expect(onDisk).toEqual(keys.toJSON());
    expect(JSON.stringify(onDisk)).not.toContain('"d"');
  });

  it('did:web: Ed25519 + P-256 keys, did.json and jwks.json written for publishing', async () => {
    const dir = await tmp('didweb');
    const keys = await generateKeySet({ dir, didWeb: 'Badges.Example.ac.uk:issuers:1' });
    expect(keys.controller).toBe('did:web:badges.example.ac.uk:issuers:1');
    expect(keys.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'Ed25519']);
    expect(keys.keys.every((k) => k.active && k.id.startsWith(`${keys.controller}#z`))).toBe(true);
    expect(keys.activeKey('jwt').alg).toBe('ES256');
    expect(keys.activeKey('jwt').publicKeyMultibase).toMatch(/^zDn/);
    expect(keys.defaultJwtAlg()).toBe('ES256');
    for (const k of keys.keys) expect((await stat(path.join(dir, k.privateKeyFile))).mode & 0o777).toBe(0o600);
    expect(keys.files?.didDocument).toBe(path.join(dir, 'did.json'));
    const did = JSON.parse(await readFile(path.join(dir, 'did.json'), 'utf8'));
    expect(did).toEqual(didWebDocument(keys));
    expect(did['@context']).toEqual(['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1']);
    expect(did.id).toBe(keys.controller);
    expect(did.assertionMethod).toEqual(keys.keys.map((k) => k.id));
    expect(did.verificationMethod.every((vm: { controller: string; type: string }) => vm.controller === keys.controller && vm.type === 'Multikey')).toBe(true);
    const set = JSON.parse(await readFile(path.join(dir, 'jwks.json'), 'utf8'));
    expect(set).toEqual(jwks(keys));
    expect(set.keys.map((k: { kid: string; alg: string }) => [k.kid, k.alg]).sort()).toEqual(
      keys.keys.map((k) => [k.id, k.alg === 'Ed25519' ? 'EdDSA' : 'ES256']).sort(),
    );
    expect(JSON.stringify(set)).not.toContain('"d"');
    expect(didWebDocumentUrl(keys.controller)).toBe('https://badges.example.ac.uk/issuers/1/did.json');
    expect(didWebDocumentUrl('did:web:localhost%3A8443')).toBe('https://localhost:8443/.well-known/did.json');
  });

  it('did:web with jwtAlg EdDSA holds only the Ed25519 key', async () => {
    const keys = await generateKeySet({ dir: await tmp('edonly'), didWeb: 'example.ac.uk', jwtAlg: 'EdDSA' });
    expect(keys.keys.map((k) => k.alg)).toEqual(['Ed25519']);
    expect(keys.defaultJwtAlg()).toBe('EdDSA');
  });

  it.each(['https://example.ac.uk', 'example.ac.uk/issuers', 'exa mple.ac.uk', ''])('rejects the did:web value %j', async (bad) => {
    await expect(generateKeySet({ dir: await tmp('bad'), didWeb: bad })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('HOST[:PATH]') });
  });

  it('refuses to overwrite an existing key set', async () => {
    const dir = await tmp('twice');
    await generateKeySet({ dir });
    await expect(generateKeySet({ dir })).rejects.toMatchObject({ code: 'KEYSET_INVALID', message: expect.stringContaining('already exists') });
  });

  it('never overwrites a stray private key file', async () => {
    const dir = await tmp('stray');
    await generateKeySet({ dir });
    await rm(path.join(dir, 'keyset.json'));
    await expect(generateKeySet({ dir })).rejects.toMatchObject({ code: 'KEYSET_INVALID', message: expect.stringContaining('key-1.private.jwk.json') });
  });

  it('round-trips through loadKeySet', async () => {
    const dir = await tmp('load');
    const made = await generateKeySet({ dir, didWeb: 'example.ac.uk' });
    const loaded = await loadKeySet(dir);
    expect(loaded.toJSON()).toEqual(made.toJSON());
    expect(loaded.files?.jwks).toBe(path.join(dir, 'jwks.json'));
  });
});

describe('rotateKey', () => {
  it('adds an active key, keeps the old one listed, and old credentials still verify', async () => {
    const dir = await tmp('rotate');
    const before = await generateKeySet({ dir, didWeb: 'example.ac.uk' });
    const oldDi = before.activeKey('di');
    const oldSigned = await issueCredential(credential(before.controller), { format: 'di', keys: before });

    const after = await rotateKey(dir, 'Ed25519');
    expect(after.keys).toHaveLength(3);
    const newDi = after.activeKey('di');
    expect(newDi.id).not.toBe(oldDi.id);
    expect(after.keys.find((k) => k.id === oldDi.id)?.active).toBe(false);
    expect(after.activeKey('jwt').id).toBe(before.activeKey('jwt').id); // the ES256 key is untouched
    expect((await stat(path.join(dir, newDi.privateKeyFile))).mode & 0o777).toBe(0o600);

    const reloaded = await loadKeySet(dir);
    expect(reloaded.toJSON()).toEqual(after.toJSON());
    const did = JSON.parse(await readFile(path.join(dir, 'did.json'), 'utf8'));
    expect(did.assertionMethod).toEqual(expect.arrayContaining([oldDi.id, newDi.id]));

    const newSigned = await issueCredential(credential(after.controller), { format: 'di', keys: reloaded });
    expect(newSigned.proof[0]?.verificationMethod).toBe(newDi.id);
    expect((await verifyWith(newSigned, did)).verified).toBe(true);
    expect((await verifyWith(oldSigned, did)).verified).toBe(true);
  });

  it('rotates the ES256 key too', async () => {
    const dir = await tmp('rotate-es');
    const before = await generateKeySet({ dir, didWeb: 'example.ac.uk' });
    const after = await rotateKey(dir, 'ES256');
    expect(after.activeKey('jwt').id).not.toBe(before.activeKey('jwt').id);
    expect(after.keys.filter((k) => k.alg === 'ES256')).toHaveLength(2);
    expect(jwks(after).keys).toHaveLength(3);
  });

  it('a retired key may have its private file removed; the set still loads and lists it', async () => {
    const dir = await tmp('retire');
    const before = await generateKeySet({ dir, didWeb: 'example.ac.uk' });
    const old = before.activeKey('di');
    await rotateKey(dir, 'Ed25519');
    await rm(path.join(dir, old.privateKeyFile));
    const keys = await loadKeySet(dir);
    expect(keys.keys.map((k) => k.id)).toContain(old.id);
    expect(() => keys.signingKey(old.id)).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
  });

  it('a did:key issuer cannot rotate', async () => {
    const dir = await tmp('rotate-didkey');
    await generateKeySet({ dir });
    await expect(rotateKey(dir, 'Ed25519')).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('did:key') });
  });
});

describe('no private material in output', () => {
  it('JSON, inspect (even showHidden) and String never show private keys', async () => {
    for (const didWeb of [undefined, 'example.ac.uk']) {
      const dir = await tmp('secret');
      const keys: KeySet = await generateKeySet({ dir, ...(didWeb ? { didWeb } : {}) });
      const ds = await privateDs(dir);
      expect(ds.length).toBe(keys.keys.length);
      const outputs = [
        JSON.stringify(keys),
        JSON.stringify({ nested: { keys } }),
        inspect(keys),
        inspect(keys, { showHidden: true, depth: Infinity, getters: true }),
        inspect({ keys }, { depth: Infinity }),
        String(keys),
        `${inspect(keys.signer())}`,
        JSON.stringify(keys.signer()),
        inspect(keys.signingKey(keys.activeKey('di').id), { showHidden: true }),
        JSON.stringify(keys.signingKey(keys.activeKey('di').id)),
        JSON.stringify(didWebDocument(keys)),
        JSON.stringify(jwks(keys)),
      ];
      for (const out of outputs) {
        for (const d of ds) expect(out).not.toContain(d);
        expect(out).not.toMatch(/"d"\s*:/);
      }
    }
  });
});

describe('loadKeySet errors', () => {
  it('missing directory: KEY_NOT_FOUND saying the directory does not exist', async () => {
    const dir = path.join(root, 'nope');
    await expect(loadKeySet(dir)).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      message: `No key set: the key directory ${dir} does not exist. Create one with \`microcred keys generate --dir ${dir}\` or point the configuration at an existing key directory.`,
      details: { file: path.join(dir, 'keyset.json') },
    });
  });

  it('a directory without keyset.json: KEY_NOT_FOUND naming the missing file', async () => {
    const dir = await tmp('no-keyset');
    await mkdir(dir, { recursive: true });
    await expect(loadKeySet(dir)).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
      message: expect.stringContaining(`No key set: the key directory ${dir} has no keyset.json.`),
    });
  });

  it('corrupt keyset.json: KEYSET_INVALID naming the file', async () => {
    const dir = await tmp('corrupt-set');
    await generateKeySet({ dir });
    await writeFile(path.join(dir, 'keyset.json'), '{"controller": ');
    await expect(loadKeySet(dir)).rejects.toMatchObject({ code: 'KEYSET_INVALID', message: expect.stringContaining(path.join(dir, 'keyset.json')) });
  });

  it('a malformed entry names the field, expected and found', async () => {
    const dir = await tmp('bad-entry');
    await generateKeySet({ dir, didWeb: 'example.ac.uk' });
    const set = JSON.parse(await readFile(path.join(dir, 'keyset.json'), 'utf8'));
    set.keys[1].alg = 'RS256';
    await writeFile(path.join(dir, 'keyset.json'), JSON.stringify(set));
    const err = await loadKeySet(dir).catch((e) => e);
    expect(err.code).toBe('KEYSET_INVALID');
    expect(err.message).toContain('keys[1].alg');
    expect(err.message).toContain('"Ed25519" or "ES256"');
    expect(err.message).toContain('"RS256"');
  });

  it('missing private key file of an active key: KEY_NOT_FOUND naming the file', async () => {
    const dir = await tmp('missing-priv');
    const keys = await generateKeySet({ dir });
    const file = path.join(dir, keys.keys[0]!.privateKeyFile);
    await rm(file);
    await expect(loadKeySet(dir)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', message: expect.stringContaining(file) });
  });

  it('corrupt private key file: KEYSET_INVALID naming the file, without quoting its content', async () => {
    const dir = await tmp('corrupt-priv');
    const keys = await generateKeySet({ dir });
    const file = path.join(dir, keys.keys[0]!.privateKeyFile);
    const [d] = await privateDs(dir);
    await writeFile(file, `{"kty":"OKP","crv":"Ed25519","d":"${d}",`, { mode: 0o600 });
    const err = await loadKeySet(dir).catch((e) => e);
    expect(err.code).toBe('KEYSET_INVALID');
    expect(err.message).toContain(file);
    expect(err.message).not.toContain(d);
    expect(inspect(err, { depth: Infinity })).not.toContain(d);
  });

  it('a private key that does not match keyset.json: KEYSET_INVALID', async () => {
    const a = await tmp('mismatch-a');
    const b = await tmp('mismatch-b');
    const ka = await generateKeySet({ dir: a });
    const kb = await generateKeySet({ dir: b });
    await cp(path.join(b, kb.keys[0]!.privateKeyFile), path.join(a, ka.keys[0]!.privateKeyFile));
    await expect(loadKeySet(a)).rejects.toMatchObject({ code: 'KEYSET_INVALID', message: expect.stringContaining('does not belong to') });
  });

  it('a group/world-readable private key file is refused unless allowed', async () => {
    const dir = await tmp('perms');
    const keys = await generateKeySet({ dir });
    const file = path.join(dir, keys.keys[0]!.privateKeyFile);
    await chmod(file, 0o644);
    await expect(loadKeySet(dir)).rejects.toMatchObject({ code: 'KEYSET_INVALID', message: expect.stringContaining(`chmod 600 ${file}`) });
    await expect(loadKeySet(dir, { allowInsecurePermissions: true })).resolves.toBeDefined();
  });

  it('the example key set loads even with the mode git gives it (0644) and is marked as example', async () => {
    const dir = await tmp('example');
    await cp(EXAMPLE_KEYS_DIR, dir, { recursive: true });
    for (const f of await readdir(dir)) await chmod(path.join(dir, f), 0o644);
    const keys = await loadKeySet(dir);
    expect(keys.example).toBe(true);
    expect(keys.controller).toMatch(/^did:key:z6Mk/);
    expect(inspect(keys)).toContain('EXAMPLE');
  });
});
