import { defineConfig } from 'vitest/config';

/** The benchmark named by BENCH_FILE (test/bench/*.ts start it); `npm test` never picks these up. */
export default defineConfig({
  test: {
    include: [process.env.BENCH_FILE ?? 'test/bench/none'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
  },
});
