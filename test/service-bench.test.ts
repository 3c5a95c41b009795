import { describe, expect, it } from 'vitest';
import { benchHttp } from '../src/service/bench.js';

describe('HTTP benchmark', () => {
  it('measures issue and verify through a service process (small run)', { timeout: 120_000 }, async () => {
    const { rows } = await benchHttp({ db: 'pglite', requests: 12, concurrency: 4 });
    expect(rows.map((r) => r.name)).toEqual([
      'http pglite issue di (c=4)',
      'http pglite verify di (c=4)',
      'http pglite issue jwt (c=4)',
      'http pglite verify jwt (c=4)',
    ]);
    for (const r of rows) {
      expect(r.ops).toBe(12);
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    }
  });
});
