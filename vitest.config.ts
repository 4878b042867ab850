import { defineConfig } from 'vitest/config';

/** The Slack and Discord end-to-end suites, run a second time on PostgreSQL (tests/support/test-store.ts). */
const E2E = ['tests/slack/*.e2e.test.ts', 'tests/discord/*.e2e.test.ts'];
/**
 * End-to-end files whose store is fixed by what they test: two processes on one SQLite file, the PostgreSQL replicas,
 * and the SIGKILL test on a SQLite file; or that never reach the store: sharded start-up failures.
 */
const STORE_SPECIFIC = ['tests/slack/crash.e2e.test.ts', 'tests/slack/replicas.e2e.test.ts', 'tests/slack/replicas-postgres.e2e.test.ts', 'tests/discord/sharding-start.e2e.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end suites open ports and spawn processes; two workers suit the 2-core machines.
    maxWorkers: 2,
    // One embedded PostgreSQL for the run (or PG_TEST_URL), started in the background and shared by both projects; see tests/support/pg.ts.
    globalSetup: ['tests/support/pg-global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'all', include: ['tests/**/*.test.ts'], env: { ADVISOR_TEST_STORE: 'sqlite' } } },
      { extends: true, test: { name: 'e2e-postgres', include: E2E, exclude: STORE_SPECIFIC, env: { ADVISOR_TEST_STORE: 'postgres' } } },
    ],
  },
});
