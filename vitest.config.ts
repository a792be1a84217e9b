import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn the CLI and load real lockfiles; two cores, so keep it to two workers.
    maxWorkers: 2,
    // GitHub's workflow parser (test/package/docs.test.ts) imports its JSON schemas without import attributes,
    // as a bundler would: let vite load it instead of Node.js.
    server: { deps: { inline: [/@actions\/(workflow-parser|expressions)/] } },
  },
});
