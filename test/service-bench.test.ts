import { describe, expect, it } from 'vitest';
import { benchHttp } from './bench/http.js';

// A smoke test of the benchmark function (tiny counts): the rows it reports, not the figures.
describe('HTTP benchmark', () => {
  it('measures issue and verify through a service process', { timeout: 120_000 }, async () => {
    const { rows } = await benchHttp({ db: 'pglite', requests: 3, concurrency: 2, warmup: 1 });
    expect(rows.map((r) => r.name)).toEqual([
      'http pglite issue di (c=2)',
      'http pglite verify di (c=2)',
      'http pglite issue jwt (c=2)',
      'http pglite verify jwt (c=2)',
    ]);
    for (const r of rows) {
      expect(r.ops).toBe(3);
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    }
  });
});
