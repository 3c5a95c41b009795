/**
 * Prometheus text exposition (format 0.0.4), hand-rolled: counters and histograms with labels, one registry per
 * app so tests can run several apps in one process.
 */

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly bounds: readonly number[]) {}
  observe(labels: Labels, value: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.bounds.length; i++) if (value <= (this.bounds[i] as number)) s.buckets[i] = (s.buckets[i] as number) + 1;
    s.sum += value;
    s.count += 1;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? ',' : '';
      this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket{${k}${sep}le="${b}"} ${s.buckets[i]}`));
      lines.push(`${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The service's metrics. */
export class Metrics {
  readonly issued = new Counter('microcred_credentials_issued_total', 'Credentials issued, by issuer and format.');
  readonly statusChanges = new Counter('microcred_status_changes_total', 'Revocations, suspensions and unsuspensions.');
  readonly verified = new Counter('microcred_verifications_total', 'Verifications, by kind and result.');
  readonly errors = new Counter('microcred_http_errors_total', 'Error answers (4xx and 5xx), by status and problem type.');
  readonly requests = new Histogram('microcred_http_request_duration_seconds', 'HTTP request latency, by method, route and status.', LATENCY_BUCKETS);
  readonly signing = new Histogram('microcred_signing_duration_seconds', 'Time to sign one credential, by format.', LATENCY_BUCKETS);

  /** The text exposition for `/metrics`. */
  render(): string {
    return [this.issued, this.statusChanges, this.verified, this.errors, this.requests, this.signing].map((m) => m.render()).join('\n') + '\n';
  }
}
