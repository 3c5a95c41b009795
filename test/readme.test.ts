import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mappingTableMarkdown } from './support/mapping-table.js';
import { COMMANDS } from '../src/cli/main.js';

const README = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('shows the mapping table exactly as the mapping module defines it (one place for each fact)', () => {
    const m = /<!-- mapping-table:start[^>]*-->\n([\s\S]*?)<!-- mapping-table:end -->/.exec(README);
    expect(m, 'README has the mapping-table markers').not.toBeNull();
    expect(m![1]).toBe(mappingTableMarkdown());
  });

  it('gives the two set-up commands and they exist as npm scripts', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(README).toContain('npm ci && npm run demo');
    expect(README).toContain('npm ci && npm test');
    expect(pkg.scripts.demo).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
  });

  it('lists exactly the commands the CLI has, with the same synopsis (CLI section)', () => {
    const section = README.slice(README.indexOf('## CLI\n'), README.indexOf('\n## ', README.indexOf('## CLI\n') + 1));
    const block = /```\n([\s\S]*?)```/.exec(section)![1]!.trim().split('\n');
    const synopses = COMMANDS.flatMap((c) => c.synopsis.map((line) => `microcred ${line}`));
    expect(block).toEqual([...synopses, 'microcred help [COMMAND]', 'microcred --version']);
    expect(section).toContain('**0** success');
    expect(section).toContain('**1** not valid or failed');
    expect(section).toContain('**2** usage or input errors');
  });

  it('imports in the Library section exist in the entry points they name', () => {
    const section = README.slice(README.indexOf('## Library\n'), README.indexOf('\n## ', README.indexOf('## Library\n') + 1));
    const exported = (file: string) =>
      new Set([...readFileSync(path.resolve(import.meta.dirname, '..', 'src', file), 'utf8').matchAll(/^export \{([^}]+)\}/gm)]
        .flatMap((m) => m[1]!.split(',').map((n) => n.trim())));
    const entries: Record<string, Set<string>> = {
      microcred: exported('index.ts'),
      'microcred/service': exported('service/index.ts'),
      'microcred/display': exported('display/index.ts'),
      'microcred/stacking': exported('stacking/index.ts'),
    };
    const imports = [...section.matchAll(/^import \{([^}]+)\} from '([^']+)';/gm)];
    expect(new Set(imports.map((m) => m[2]))).toEqual(new Set(Object.keys(entries).filter((e) => section.includes(`from '${e}'`))));
    expect(imports.map((m) => m[2])).toContain('microcred');
    for (const [, names, from] of imports) {
      for (const name of names!.split(',').map((n) => n.trim())) expect(entries[from!]!.has(name), `${name} from ${from}`).toBe(true);
    }
  });

  it('quick start and the record section point at the shipped example records', () => {
    for (const f of ['examples/record.json', 'examples/record-minimal.json']) expect(README).toContain(`(${f})`);
    expect(README).not.toContain('test/fixtures/record');
  });
});
