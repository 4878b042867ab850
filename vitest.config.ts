import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end suites open ports and spawn processes; two workers suit the 2-core machines.
    maxWorkers: 2,
  },
});
