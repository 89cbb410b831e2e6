// Pact consumer run: the files write ONE pact file, and parallel writers of a pact file silently
// lose interactions, so files run one after another in one worker, after the folder is emptied.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contracts/consumer/**/*.test.ts'],
    globalSetup: ['contracts/consumer/clean-pacts.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
