// Test runner configuration: the spec, provider, client and CLI suites run in parallel files;
// Pact consumer files run on their own (see vitest.pact.config.ts) because parallel writers of
// one pact file lose interactions.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The provider verification files run here too (npm run pact:verify runs them alone); only the
    // consumer files need a run of their own.
    include: ['test/**/*.test.ts', 'contracts/provider/**/*.test.ts'],
    globalSetup: ['test/support/tools-setup.ts'],
    // vitest's default is one worker per CPU but one, i.e. a single worker on 2 cores, so every file
    // ran after the other although most of their time is spent waiting on child processes (k6,
    // pact-verifier, directearn check, Chromium): one worker more than CPUs overlaps those waits
    // (measured with npm run bench:test: 97 s with 1 worker, 45 s with 2, 43 s with 3 on 2 cores).
    maxWorkers: availableParallelism() + 1,
    // Files of one worker share its module cache: the spec, ajv's compiled schemas and the pact
    // libraries load once per worker instead of once per file (about 18 s of CPU less here). No test
    // mocks modules; the few that change process.env restore it before they end.
    isolate: false,
    // Transformed modules (TypeScript to JS, ~300 of them) kept in node_modules/.experimental-vitest-cache
    // between runs, keyed by each file's content: a run after a small change transforms only what
    // changed (measured: 2.5 s of CPU less on three files; a fresh clone fills the cache once). The
    // code that runs is the same.
    experimental: { fsModuleCache: true },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
