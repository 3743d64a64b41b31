import { defineConfig } from 'vitest/config';

/** Only the file-moves benchmark (test/bench/file-moves.ts starts it); `npm test` never picks it up. */
export default defineConfig({
  test: {
    include: ['test/bench/file-moves.run.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 60_000,
  },
});
