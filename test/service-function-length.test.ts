/**
 * The service stays small routers over plain functions: no function (declaration, method, arrow or function
 * expression, constructor, accessor) in src/service/ is longer than MAX_LINES lines, counted by the TypeScript
 * compiler's own parse of each file, from the line the function starts on to the line it ends on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 80;
const ROOT = path.join(import.meta.dirname, '..', 'src', 'service');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

interface Measured {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function nameOf(node: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  return '(anonymous)';
}

/** Every function-like node of a file with its length in lines. */
export function functionLengths(file: string, text = readFileSync(file, 'utf8')): Measured[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Measured[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file: path.relative(ROOT, file), name: nameOf(node as ts.FunctionLikeDeclaration, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('function length in src/service', () => {
  it('measures what it should (a known snippet)', () => {
    const snippet = ['function a() {', '  const b = () => {', '    return 1;', '  };', '  return b;', '}', 'class C {', '  m() {', '    return 2;', '  }', '}'].join('\n');
    const m = functionLengths(path.join(ROOT, 'snippet.ts'), snippet).map((f) => [f.name, f.lines]);
    expect(m).toEqual([['a', 6], ['b', 3], ['m', 3]]);
  });

  it(`has no function over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(ROOT);
    expect(files.length).toBeGreaterThan(20);
    const all = files.flatMap((f) => functionLengths(f));
    expect(all.length).toBeGreaterThan(100);
    const long = all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
