// Pact consumer run: the files write ONE pact file, and parallel writers of a pact file silently
// lose interactions, so files run one after another in one worker, after the folder is emptied.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contracts/consumer/**/*.test.ts'],
    globalSetup: ['contracts/consumer/clean-pacts.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    // The files run one after another anyway: one worker process serves all of them instead of a
    // fresh one per file, so the pact libraries and the client load once (measured: 5.3 s of CPU
    // per consumer run down to 2.5 s; `directearn check` runs it on every call, npm test 4 times).
    isolate: false,
    sequence: { concurrent: false },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
