import { defineConfig } from 'vitest/config';

// The simulator's own tests: `npm test -w @docspace-flows/simulator` here, or the root's `npm run test:simulator`
// (the root config lists this folder as its `simulator` project, so `npm test` runs them with the rest).
export default defineConfig({
  test: {
    name: 'simulator',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
