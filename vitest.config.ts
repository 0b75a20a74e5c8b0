import { defineConfig } from 'vitest/config';

// Tests spawn real child processes and run real numerics: generous timeouts, and at most two
// files at once so the suite fits a 2-core CI machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    pool: 'forks',
  },
});
