import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Lives in test/ so the top level keeps only the layout the project agreed on.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
