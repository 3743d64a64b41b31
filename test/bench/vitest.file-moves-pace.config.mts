import { defineConfig } from 'vitest/config';

/** Only the file-moves pace benchmark (test/bench/file-moves-pace.ts starts it); `npm test` never picks it up. */
export default defineConfig({
  test: {
    include: ['test/bench/file-moves-pace.run.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 60_000,
  },
});
