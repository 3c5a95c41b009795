import { defineConfig } from 'vitest/config';
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Unit tests: no processes, worker threads, sockets (so no HTTP and no PostgreSQL) and no database. The set-up file
 * test/support/unit-guard.ts makes each of those throw in these files, so a unit test cannot quietly become an
 * integration test. Every other test file is an integration test (processes, HTTP servers, PostgreSQL and PGlite,
 * worker threads, the built package, the browser): a new test file starts there, and joins this list when it is pure.
 */
const UNIT = [
  'test/architecture.test.ts',
  'test/baking.test.ts',
  'test/certificate.test.ts',
  'test/cli-conventions.test.ts',
  'test/clr.test.ts',
  'test/contexts.test.ts',
  'test/did.test.ts',
  'test/display-badge.test.ts',
  'test/display-i18n.test.ts',
  'test/display-public-api.test.ts',
  'test/display-view.test.ts',
  'test/fast-differential.test.ts',
  'test/fast-identity-keys.test.ts',
  'test/fast-wiring.test.ts',
  'test/golden.test.ts',
  'test/import.test.ts',
  'test/issue.test.ts',
  'test/jwt-profiles.test.ts',
  'test/keys.test.ts',
  'test/mapping.test.ts',
  'test/presentation.test.ts',
  'test/profile-schema.test.ts',
  'test/proof-roundtrip.test.ts',
  'test/proof-suites.test.ts',
  'test/readme.test.ts',
  'test/record-hash.test.ts',
  'test/record-limits.test.ts',
  'test/record-shape.test.ts',
  'test/record-validation.test.ts',
  'test/schema-ob.test.ts',
  'test/service-function-length.test.ts',
  'test/stacking.test.ts',
  'test/status.test.ts',
  'test/suite-vectors.test.ts',
  'test/trust-lists.test.ts',
  'test/vc-api.test.ts',
  'test/vcdm.test.ts',
  'test/verify-context.test.ts',
  'test/verify-data-model.test.ts',
  'test/verify-endorsements.test.ts',
  'test/verify-examples.test.ts',
  'test/verify-proof-sets.test.ts',
  'test/verify-roundtrip.test.ts',
  'test/verify-semantics.test.ts',
  'test/verify-unicode.test.ts',
  'test/verify.test.ts',
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The slowest files (half a minute or more on a loaded 2-core machine), slowest first, unit or integration. They
 * start first, so the two workers finish together: on a fresh clone (CI) vitest knows no durations of an earlier run
 * and orders files by size, which started these small, slow files last and left one worker running them alone at
 * the end.
 */
const SLOW_FIRST = [
  'test/service-concurrency.test.ts',
  'test/jobs-exactly-once.test.ts',
  'test/pages-credential-browser.test.ts',
  'test/fast-differential.test.ts',
  'test/wallet-pages-browser.test.ts',
  'test/staff-pages-browser.test.ts',
  'test/cli-service.test.ts',
  'test/cli-jobs.test.ts',
  'test/stacking-pages-browser.test.ts',
  'test/store.test.ts',
  'test/package.test.ts',
  'test/service-bench.test.ts',
  'test/pages-browser.test.ts',
];

/** vitest's order (integration before unit; by an earlier run's durations, else by size), SLOW_FIRST ahead of all. */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.indexOf(path.relative(ROOT, f.moduleId).split(path.sep).join('/'));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// Lives in test/ so the top level keeps only the layout the project agreed on.
// `npm test` runs both projects (each file once); `npm run test:unit` / `npm run test:integration` run one.
export default defineConfig({
  test: {
    root: ROOT,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each worker process imports the sources once and runs file after file with them (a fresh process per file
    // spent a third of the suite's time importing the same modules again). Files share no state through modules:
    // every file opens its own databases, services and browser and closes them in afterAll. Workers are per
    // project, so the unit project's guards never apply to an integration file.
    isolate: false,
    // Two files at a time even on 2 cores: most integration files wait on processes, sockets and the browser.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, setupFiles: ['test/support/unit-guard.ts'] },
      },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: UNIT } },
    ],
  },
});
