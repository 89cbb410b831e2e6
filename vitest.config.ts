// Test runner configuration: the spec, provider, client and CLI suites run in parallel files;
// Pact consumer files run on their own (see vitest.pact.config.ts) because parallel writers of
// one pact file lose interactions.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/chromium-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
