/**
 * `microcred verify` on what employers are sent: a baked PNG or SVG badge (baked here with `bake()`), a URL
 * (served by a local plain-http server, reached with the test-only allow flags), and with known issuers from
 * MICROCRED_TRUST_LISTS and --trust; `--json` carries the signer and each check's code and details.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { bake } from '../src/baking/bake.js';
import { rasterise } from '../src/display/badge.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RECORD = path.join(ROOT, 'examples/record.json');
const EXAMPLE_DID = JSON.parse(readFileSync(path.join(ROOT, 'keys.example', 'keyset.json'), 'utf8')).controller as string;
const PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#1d4e89"/></svg>';


let tmp: string;
let di: string;
let jwt: string;
const files: Record<string, string> = {};
let server: Server;
let base: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'microcred-cli-verify-'));
  di = (await cli('issue', RECORD)).stdout;
  jwt = (await cli('issue', RECORD, '--format', 'jwt')).stdout.trim();
  const plainPng = new Uint8Array(rasterise(PLAIN_SVG, 64).asPng());
  const images: Record<string, Uint8Array | string> = {
    'badge.png': bake(plainPng, JSON.parse(di)),
    'badge.svg': bake(PLAIN_SVG, JSON.parse(di)),
    'badge-jwt.svg': bake(PLAIN_SVG, jwt),
    'unbaked.png': plainPng,
    'credential.json': di,
    'tampered.json': JSON.stringify({ ...JSON.parse(di), name: 'A title never awarded' }),
    'trust.json': JSON.stringify({ name: 'CLI test list', issuers: [{ id: EXAMPLE_DID, name: 'Northbridge (as listed)' }] }),
  };
  for (const [name, content] of Object.entries(images)) {
    files[name] = path.join(tmp, name);
    writeFileSync(files[name]!, content);
  }
  server = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    if (!(name in images)) {
      res.writeHead(404).end('not here');
      return;
    }
    const type = name.endsWith('.png') ? 'image/png' : name.endsWith('.svg') ? 'image/svg+xml' : 'application/json';
    res.writeHead(200, { 'content-type': type }).end(Buffer.from(images[name] as Uint8Array | string));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('microcred verify: badges', () => {
  it.each([['badge.png', 'png'], ['badge.svg', 'svg']])('%s: reads the baked credential and verifies it', async (name, image) => {
    const json = await cli('verify', files[name]!, '--json');
    expect(json.code, json.stdout + json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ verified: true, format: 'di', source: { kind: 'file', image } });
    const human = await cli('verify', files[name]!);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Read from the credential baked into the ${image.toUpperCase()} badge`);
    expect(human.stdout).toMatch(/Signer: Signed with a self-asserted key \(did:key\)/);
  });

  it('a JWT baked into an SVG verifies as a JWT', async () => {
    const r = await cli('verify', files['badge-jwt.svg']!, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: true, format: 'jwt', source: { image: 'svg' } });
  });

  it('an image that carries no credential is an input error (exit 2) saying so', async () => {
    const r = await cli('verify', files['unbaked.png']!);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unbaked\.png: .*credential/i);
    expect(r.stdout).toBe('');
  });
});

describe('microcred verify: URLs', () => {
  it('fetches a credential, or a badge, from a local test service with the allow flags', async () => {
    for (const name of ['credential.json', 'badge.png']) {
      const r = await cli('verify', `${base}/${name}`, '--allow-http', '--allow-private-network', '--json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ verified: true, source: { kind: 'url', name: `${base}/${name}` } });
    }
  });

  it('refuses plain http without --allow-http and private addresses without --allow-private-network, and says why a fetch failed', async () => {
    const http = await cli('verify', `${base}/credential.json`);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('https URLs only');
    const priv = await cli('verify', `${base}/credential.json`, '--allow-http');
    expect(priv.code).toBe(2);
    expect(priv.stderr).toMatch(/cannot fetch .*credential\.json/);
    const missing = await cli('verify', `${base}/nothing.json`, '--allow-http', '--allow-private-network');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('404');
  });
});

describe('microcred verify: known issuers and the --json report', () => {
  const withEnv = async <T>(value: string | undefined, fn: () => Promise<T>): Promise<T> => {
    const before = process.env.MICROCRED_TRUST_LISTS;
    if (value === undefined) delete process.env.MICROCRED_TRUST_LISTS;
    else process.env.MICROCRED_TRUST_LISTS = value;
    try {
      return await fn();
    } finally {
      if (before === undefined) delete process.env.MICROCRED_TRUST_LISTS;
      else process.env.MICROCRED_TRUST_LISTS = before;
    }
  };
  const trustOf = (stdout: string) => {
    const report = JSON.parse(stdout);
    return { known: report.signer?.known?.name, check: report.checks.find((c: { id: string }) => c.id === 'issuer-trust').status };
  };

  it('without a list the issuer is not known (warning); MICROCRED_TRUST_LISTS and --trust FILE|URL make it known', async () => {
    const none = await withEnv(undefined, () => cli('verify', files['credential.json']!, '--json'));
    expect(trustOf(none.stdout)).toEqual({ known: undefined, check: 'warning' });
    const env = await withEnv(files['trust.json'], () => cli('verify', files['credential.json']!, '--json'));
    expect(trustOf(env.stdout)).toEqual({ known: 'Northbridge (as listed)', check: 'pass' });
    const flag = await withEnv(undefined, () => cli('verify', files['credential.json']!, '--trust', files['trust.json']!, '--json'));
    expect(trustOf(flag.stdout)).toEqual({ known: 'Northbridge (as listed)', check: 'pass' });
    const remote = await withEnv(undefined, () => cli('verify', files['credential.json']!, '--trust', `${base}/nothing.json`, '--trust', `${base}/trust.json`, '--allow-http', '--allow-private-network', '--json'));
    expect(trustOf(remote.stdout)).toEqual({ known: 'Northbridge (as listed)', check: 'pass' });
    const human = await withEnv(files['trust.json'], () => cli('verify', files['credential.json']!));
    expect(human.stdout).toMatch(/Signer: .*CLI test list lists for Northbridge \(as listed\)/);
  });

  it('a trust list that is not one is an input error naming it', async () => {
    const r = await withEnv(undefined, () => cli('verify', files['credential.json']!, '--trust', files['credential.json']!));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('credential.json');
    const env = await withEnv('ftp://lists.example/trust.json', () => cli('verify', files['credential.json']!));
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('MICROCRED_TRUST_LISTS');
  });

  it('--json carries the signer as proven and each check\'s code and details', async () => {
    const ok = JSON.parse((await cli('verify', files['credential.json']!, '--json')).stdout);
    expect(ok.signer).toMatchObject({ method: 'did:key', id: EXAMPLE_DID });
    expect(ok.checks.find((c: { id: string }) => c.id === 'proof').details).toEqual([expect.objectContaining({ path: 'proof[0]', status: 'pass' })]);
    const bad = await cli('verify', files['tampered.json']!, '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.signer).toBeUndefined();
    expect(report.checks.find((c: { id: string }) => c.id === 'proof')).toMatchObject({ status: 'fail', code: 'PROOF_VERIFICATION_ERROR', details: [expect.objectContaining({ path: 'proof[0]', status: 'fail' })] });
  });
});
