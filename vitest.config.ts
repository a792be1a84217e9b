import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn the CLI and load real lockfiles; two cores, so keep it to two workers.
    maxWorkers: 2,
  },
});
