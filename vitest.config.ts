import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that spawn several depguard processes took over 60 s on this two-core machine under the load of
    // other suites (a timeout there is noise, not a finding): a hung test still fails, later.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests spawn the CLI and load real lockfiles; two cores, so keep it to two workers.
    maxWorkers: 2,
    // GitHub's workflow parser (test/package/docs.test.ts) imports its JSON schemas without import attributes,
    // as a bundler would: let vite load it instead of Node.js.
    server: { deps: { inline: [/@actions\/(workflow-parser|expressions)/] } },
  },
});
