// Provider verification run (npm run pact:verify): replays the committed contracts/pacts; the
// consumer config is separate because it empties that folder first.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contracts/provider/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
