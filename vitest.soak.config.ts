import { defineConfig } from 'vitest/config';

/**
 * The SIGKILL test of `npm test` at a larger size (`npm run test:soak`): 100 kills unless CRASH_KILLS says otherwise.
 * Its time limit grows with the number of kills (tests/slack/crash.e2e.test.ts).
 */
export default defineConfig({
  test: {
    include: ['tests/slack/crash.e2e.test.ts'],
    env: { CRASH_KILLS: process.env['CRASH_KILLS'] ?? '100', ADVISOR_TEST_STORE: 'sqlite' },
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
