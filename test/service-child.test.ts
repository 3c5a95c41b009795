import { describe, expect, it } from 'vitest';
import { spawnServiceProcess } from '../src/service/testing.js';

describe('service process', () => {
  it('starts from the TypeScript sources in a child process and answers /healthz', async () => {
    const child = await spawnServiceProcess({ dataDir: 'memory', exampleIssuer: true });
    try {
      const res = await fetch(`${child.url}/healthz`);
      expect(res.status).toBe(200);
      const ready = await fetch(`${child.url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'pglite', issuers: 1 });
    } finally {
      await child.stop();
    }
  });
});
