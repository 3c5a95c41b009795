import { PerformanceObserver } from 'node:perf_hooks';

/** One benchmark row: throughput and per-operation latency. */
export interface BenchRow {
  name: string;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Share of wall time spent in main-thread GC pauses (0..1). */
  gcShare: number;
  /** opsPerSec divided by the reference row's (set by the caller). */
  ratio?: number;
}

/** The p-quantile (0..1) of ascending latencies, nearest-rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/**
 * Times `fn` sequentially: a warm-up, a forced GC when `--expose-gc` is on, then `n` timed calls.
 * Latencies are per call; GC share comes from PerformanceObserver('gc') over the timed phase.
 *
 * @example
 * ```ts
 * const row = await measure('sha256', () => createHash('sha256').update(buf).digest(), { n: 10_000 });
 * ```
 */
export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  options: { n: number; warmup?: number },
): Promise<BenchRow> {
  const warmup = options.warmup ?? Math.min(1000, Math.ceil(options.n / 10));
  for (let i = 0; i < warmup; i++) await fn();
  (globalThis as { gc?: () => void }).gc?.();
  // GC entries arrive on a later timer tick: let the forced GC's entry pass before observing.
  await new Promise((r) => setTimeout(r, 50));
  let gcMs = 0;
  let collecting = true;
  const obs = new PerformanceObserver((list) => {
    if (!collecting) return;
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const lat = new Float64Array(options.n);
  const start = process.hrtime.bigint();
  for (let i = 0; i < options.n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    lat[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  // GC entries are delivered on a later timer tick: wait one before reading the total.
  await new Promise((r) => setTimeout(r, 50));
  collecting = false;
  obs.disconnect();
  lat.sort();
  return {
    name,
    ops: options.n,
    opsPerSec: options.n / (wallMs / 1000),
    p50Ms: percentile(lat, 0.5),
    p99Ms: percentile(lat, 0.99),
    gcShare: wallMs > 0 ? gcMs / wallMs : 0,
  };
}

/** Sets `ratio` on every row relative to the row named `reference`. */
export function withRatios(rows: BenchRow[], reference: string): BenchRow[] {
  const ref = rows.find((r) => r.name === reference);
  return rows.map((r) => (ref ? { ...r, ratio: r.opsPerSec / ref.opsPerSec } : r));
}

/** A fixed-width text table for the terminal and the README. */
export function formatRows(title: string, rows: BenchRow[], ratioLabel: string): string {
  const head = `| ${title} | ops/s | p50 ms | p99 ms | GC % | ${ratioLabel} |\n|---|---:|---:|---:|---:|---:|`;
  // NaN marks a figure the case does not measure (e.g. latency of a whole-batch run).
  const num = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
  const body = rows.map((r) =>
    `| ${r.name} | ${num(r.opsPerSec, 0)} | ${num(r.p50Ms, 3)} | ${num(r.p99Ms, 3)} | ${num(r.gcShare * 100, 1)} | ${r.ratio === undefined ? '' : num(r.ratio, r.ratio < 0.1 ? 4 : 2)} |`,
  );
  return [head, ...body].join('\n');
}
