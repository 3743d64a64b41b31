import { defineConfig } from 'vitest/config';

/*
 * Test tiers, each a vitest project (`npm run test:<tier>`; `npm test` runs them all):
 *   unit         plain code, fakes and scripted fetches; no emulator, no simulator
 *   simulator    the DocSpace simulator's own behaviour (infra/local/simulator)
 *   integration  code against the emulators (dynalite, local SQS), the simulator, the in-process stack and `sls package`
 *   e2e          `npm start` itself, as a developer runs it
 */
const tier = (name: string, include: string[]) => ({ extends: true as const, test: { name, include } });

export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only add contention with the in-process emulators.
    maxWorkers: 2,
    projects: [
      tier('unit', ['test/unit/**/*.test.ts']),
      tier('simulator', ['test/simulator/**/*.test.ts']),
      tier('integration', ['test/integration/**/*.test.ts']),
      tier('e2e', ['test/e2e/**/*.test.ts']),
    ],
  },
});
