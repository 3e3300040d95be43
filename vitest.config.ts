import { defineConfig } from 'vitest/config';

// Tests drive the compiled server and CLI in dist/ (worker threads need real .js files),
// so `npm test` builds first (see the "pretest" script).
export default defineConfig({
  test: {
    include: ['server/test/**/*.test.ts', 'loadgen/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
