/**
 * Where a service process's time went: the samples of a V8 CPU profile (`node --cpu-prof`) inside a time window,
 * by self time, grouped by what the code is (the service's own modules by directory, packages by name).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Groups of self time, first match wins (url and function name of the sampled frame). */
const GROUPS: [string, (url: string, fn: string) => boolean][] = [
  ['socket writes (writev: system calls, and waiting for the core while the write wakes the reader)', (_u, f) => f === 'writev'],
  ['garbage collection', (_u, f) => f === '(garbage collector)'],
  ['node:crypto (hashes, Ed25519 sign and verify)', (u) => u.startsWith('node:internal/crypto')],
  ['canonicalization and proofs (lib/fast-rdfc, proof/, Data Integrity packages)', (u) => /\/(lib\/fast-rdfc|proof)\/|@digitalbazaar|jsonld|rdf-canon/.test(u)],
  ['building and checking credentials (credential/, vcdm/, schema/, record/, ajv)', (u) => /\/(src|dist)\/(credential|vcdm|schema|record|import)\/|node_modules\/ajv/.test(u)],
  ['verification checks (verify/, did/, status/, trust/, keyset/)', (u) => /\/(src|dist)\/(verify|did|status|trust|keyset)\//.test(u)],
  ['service and store (service/, store/, lib/)', (u) => /\/(src|dist)\/(service|store|lib)\//.test(u)],
  ['PostgreSQL driver (pg, pg-protocol, pg-pool, pg-types)', (u) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\//.test(u)],
  [
    'HTTP (express and its middleware, Node http, net, streams, events)',
    (u) =>
      /node_modules\/(express|router|body-parser|raw-body|content-type|type-is|finalhandler|on-finished|etag|qs|mime-types|media-typer|iconv-lite|statuses|accepts|negotiator|http-errors|encodeurl|parseurl|path-to-regexp|fresh|vary)\//.test(u) ||
      /^node:(_http|net|stream|events|buffer|timers|internal\/(streams|http|url|process|timers|perf|event_target|async_hooks|stream_base))/.test(u),
  ],
  ['other packages (pino, uuid, …)', (u) => u.includes('node_modules/')],
  ['V8 built-ins (JSON, regular expressions, microtasks)', () => true],
];

export interface ProfileSummary {
  /** Sampled time in the window, ms (idle excluded). */
  totalMs: number;
  groups: { name: string; ms: number }[];
}

/**
 * Self time of a profile's samples between two CLOCK_MONOTONIC instants (µs, as `process.hrtime.bigint() / 1000n`
 * gives them: V8 profiles use the same clock on Linux), per group.
 *
 * @example
 * ```ts
 * const { totalMs, groups } = summariseProfile('/tmp/p/CPU.1.cpuprofile', fromUs, toUs);
 * ```
 */
export function summariseProfile(file: string, fromUs: number, toUs: number): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const sums = new Map<string, number>(GROUPS.map(([name]) => [name, 0]));
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] as number;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const frame = byId.get(p.samples[i] as number)?.callFrame;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    total += dt;
    const group = GROUPS.find(([, test]) => test(frame.url, frame.functionName))?.[0] as string;
    sums.set(group, (sums.get(group) ?? 0) + dt);
  }
  return { totalMs: total / 1000, groups: [...sums].map(([name, us]) => ({ name, ms: us / 1000 })) };
}

/**
 * A Markdown table of a summary: each group's share of the sampled time, and its share without the socket writes
 * (which on a loaded machine mostly measure waiting for a core, not work).
 *
 * @example
 * ```ts
 * console.log(formatSummary(summariseProfile(file, from, to)));
 * ```
 */
export function formatSummary(s: ProfileSummary): string {
  const writes = s.groups[0]?.ms ?? 0;
  const lines = ['| self time in | share | share without the socket writes |', '|---|---:|---:|'];
  for (const [i, g] of s.groups.entries()) {
    lines.push(`| ${g.name} | ${((100 * g.ms) / s.totalMs).toFixed(1)} % | ${i === 0 ? '' : `${((100 * g.ms) / (s.totalMs - writes)).toFixed(1)} %`} |`);
  }
  return lines.join('\n');
}
