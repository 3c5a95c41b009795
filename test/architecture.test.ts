// The module layout the project keeps: no import cycles between folders of src/, production code never imports
// test support, and only the service and the store know of HTTP, SQL or the logger.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

interface Edge {
  from: string;
  to: string;
  /** The importing file and the specifier, to name in a failure. */
  via: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Static, type-only, re-export and dynamic imports of a file (TypeScript's own pre-processor finds them all). */
function imports(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** The unit of the folder graph: a folder directly under src/, or a file directly in src/ (index, cli, errors, …). */
function unitOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? `${rel[0]}/` : (rel[0] as string).replace(/\.tsx?$/, '');
}

const files = sourceFiles(SRC);
const packageImports: { file: string; specifier: string }[] = [];
const edges: Edge[] = [];
for (const file of files) {
  for (const specifier of imports(file)) {
    if (!specifier.startsWith('.')) {
      packageImports.push({ file: path.relative(SRC, file), specifier });
      continue;
    }
    const target = path.resolve(path.dirname(file), specifier);
    const from = unitOf(file);
    const to = path.relative(SRC, target).startsWith('..') ? `outside src: ${path.relative(SRC, target)}` : unitOf(target);
    if (from !== to) edges.push({ from, to, via: `${path.relative(SRC, file)} -> ${specifier}` });
  }
}

/** Strongly connected components with more than one member (Tarjan): each is a cycle between folders. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('module layout', () => {
  it('finds the imports it checks (the parser sees type-only, re-export and dynamic imports)', () => {
    expect(files.length).toBeGreaterThan(50);
    const via = edges.map((e) => e.via);
    expect(via).toContain("index.ts -> ./verify/verify.js"); // re-export
    expect(via.some((v) => v.startsWith('service/') && v.includes('../store/db.js'))).toBe(true); // type-only
    expect(via.some((v) => v.startsWith('cli') && v.includes('service/'))).toBe(true); // dynamic import
  });

  it('has no import cycle between folders of src/', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      if (!graph.has(e.from)) graph.set(e.from, new Set());
      graph.get(e.from)!.add(e.to);
    }
    const found = cycles(graph).map((scc) => ({
      cycle: scc.join(' <-> '),
      imports: edges.filter((e) => scc.includes(e.from) && scc.includes(e.to)).map((e) => e.via),
    }));
    expect(found).toEqual([]);
  });

  it('never imports from outside src/ (test support and benchmarks stay out of the package)', () => {
    expect(edges.filter((e) => e.to.startsWith('outside src')).map((e) => e.via)).toEqual([]);
  });

  it('ships no module that nothing runs: every file of src/ is reached from an entry point or the executable', () => {
    // The package's entry points (package.json exports, dist/x.js built from src/x.ts) and the executable.
    const pkg = JSON.parse(readFileSync(path.join(SRC, '..', 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
    const fromExports = Object.values(pkg.exports).flatMap((t) => (typeof t === 'object' ? [t.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')] : []));
    const entries = [...fromExports, 'cli.ts'].map((f) => path.join(SRC, f));
    const reached = new Set<string>();
    const queue = [...entries];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const s of imports(file)) {
        if (!s.startsWith('.')) continue;
        const ts = path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts');
        queue.push(files.includes(ts) || !files.includes(`${ts}x`) ? ts : `${ts}x`);
      }
    }
    expect(files.filter((f) => !reached.has(f)).map((f) => path.relative(SRC, f))).toEqual([]);
  });

  it('keeps HTTP, SQL and the logger in the service and the store', () => {
    const serverSide = /^(express|pg|pino|@electric-sql\/pglite)(\/|$)/;
    const allowed = (file: string) => file.startsWith(`service${path.sep}`) || file.startsWith(`store${path.sep}`);
    expect(packageImports.filter((i) => serverSide.test(i.specifier) && !allowed(i.file))).toEqual([]);
    const core = edges.filter((e) => (e.to === 'service/' || e.to === 'store/') && !['service/', 'store/', 'cli/', 'cli'].includes(e.from));
    expect(core.map((e) => e.via)).toEqual([]);
  });
});
