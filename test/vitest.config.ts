import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/**
 * Integration tests: processes, HTTP servers, PostgreSQL and PGlite, worker threads, the built package. Every other
 * test file is a unit test, which test/support/unit-guard.ts keeps free of all of those.
 */
const INTEGRATION = [
  'test/cli.test.ts',
  'test/cli-service.test.ts',
  'test/entry-points.test.ts',
  'test/fast-pool.test.ts',
  'test/fetch.test.ts',
  'test/http.test.ts',
  'test/http-api.test.ts',
  'test/interop-verifier-core.test.ts',
  'test/package.test.ts',
  'test/pages-browser.test.ts',
  'test/record-input.test.ts',
  'test/service.test.ts',
  'test/service-bench.test.ts',
  'test/service-concurrency.test.ts',
  'test/service-resilience.test.ts',
  'test/service-routes.test.ts',
  'test/store.test.ts',
  'test/trust-remote.test.ts',
  'test/verify-route.test.ts',
  'test/verify-signer.test.ts',
  'test/wallet-exchange.test.ts',
  'test/wallet-interop.test.ts',
  'test/wallet-mail.test.ts',
  'test/wallet-oid4vci.test.ts',
];

// Lives in test/ so the top level keeps only the layout the project agreed on.
// `npm test` runs both projects (each file once); `npm run test:unit` / `npm run test:integration` run one.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION, setupFiles: ['test/support/unit-guard.ts'] },
      },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
  },
});
