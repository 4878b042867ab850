import { defineConfig } from 'vitest/config';

/**
 * Soak tests: long runs that kill and restart the real program (`npm run test:soak`).
 * Kept out of `npm test` because one run takes minutes.
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.soak.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
