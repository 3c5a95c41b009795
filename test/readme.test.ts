import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mappingTableMarkdown } from '../src/credential/mapping-table.js';

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
});
