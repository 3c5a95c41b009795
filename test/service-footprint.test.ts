/**
 * What a service process loads when it starts: the PDF stack (pdf-lib and its font engine, tens of MiB of memory)
 * waits for the first certificate or PDF submission, so a service that only issues and verifies never holds it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/lib/paths.js';

const run = promisify(execFile);

/** The packages under node_modules a built service process has loaded after `steps` ran against it. */
async function loadedPackages(steps: string): Promise<string[]> {
  const keys = await mkdtemp(path.join(tmpdir(), 'microcred-footprint-'));
  const script = `
    import { createRequire } from 'node:module';
    const { startServer } = await import(${JSON.stringify(path.join(PACKAGE_ROOT, 'dist', 'service', 'server.js'))});
    const srv = await startServer({ logLevel: 'warn', port: 0, adminToken: 'footprint-admin', publicUrl: 'https://credentials.test', dataDir: 'memory', keysDir: ${JSON.stringify(keys)} });
    const call = async (method, p, body, token = 'footprint-admin') => {
      const res = await fetch(srv.url + p, { method, headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (res.status >= 300) throw new Error(method + ' ' + p + ': ' + res.status + ' ' + (await res.text()));
      return res;
    };
    ${steps}
    const cache = Object.keys(createRequire(process.cwd() + '/').cache);
    await srv.close();
    const names = new Set(cache.flatMap((f) => { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f); return m ? [m[1]] : []; }));
    process.stdout.write(JSON.stringify([...names].sort()));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE_ROOT });
  return JSON.parse(stdout) as string[];
}

describe('service footprint', () => {
  it('loads the PDF stack at the first certificate, not at start or while issuing', async () => {
    const profile = `JSON.parse(await (await import('node:fs/promises')).readFile(${JSON.stringify(path.join(PACKAGE_ROOT, 'keys.example', 'profile.json'))}, 'utf8'))`;
    const record = `JSON.parse(await (await import('node:fs/promises')).readFile(${JSON.stringify(path.join(PACKAGE_ROOT, 'examples', 'record.json'))}, 'utf8'))`;
    const issue = `
      const profile = ${profile}; delete profile._note;
      const record = ${record}; delete record._note;
      await call('POST', '/issuers', { slug: 'footprint', profile });
      const { token } = await (await call('POST', '/issuers/footprint/api-keys', { scopes: ['issue'] })).json();
      const issued = await (await call('POST', '/issuers/footprint/credentials', record, token)).json();
      await call('POST', '/credentials/verify', { verifiableCredential: issued.credential });
    `;
    const started = await loadedPackages(issue);
    // The check sees packages the service loads (express, say), so an empty list means nothing.
    expect(started).toContain('express');
    expect(started.filter((p) => p === 'pdf-lib' || p === '@pdf-lib/fontkit')).toEqual([]);
  });
});
