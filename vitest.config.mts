import { createRequire } from 'node:module';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The `?browser` imports of the console page, bundled by the same function as the Lambda bundles do
// (infra/esbuild-plugins.js); Vite reads `?raw` by itself.
const { bundleBrowserScript } = createRequire(import.meta.url)('./infra/esbuild-plugins.js') as {
  bundleBrowserScript: (entry: string) => Promise<{ text: string; inputs: string[] }>;
};

const browserScripts: Plugin = {
  name: 'browser-scripts',
  enforce: 'pre',
  // Vitest caches a transformed module on disk keyed by its own source only; a bundle depends on every file it
  // pulls in, so it is never cached (it takes ~0.1 s), or a test would run yesterday's page.
  configureVitest({ defineCacheKeyGenerator }) {
    defineCacheKeyGenerator(({ id }) => (id.endsWith('?browser') ? false : ''));
  },
  async load(id) {
    if (!id.endsWith('?browser')) return null;
    const { text, inputs } = await bundleBrowserScript(id.slice(0, -'?browser'.length));
    for (const input of inputs) this.addWatchFile(input);
    return `export default ${JSON.stringify(text)};`;
  },
};

/*
 * Test tiers, each a vitest project (`npm run test:<tier>`; `npm test` runs them all):
 *   unit         plain code, fakes and scripted fetches; no emulator, no simulator
 *   simulator    the DocSpace simulator's own behaviour: the workspace infra/simulator, with its own vitest config
 *                (`npm test -w @docspace-flows/simulator` runs it alone, from its folder)
 *   integration  code against the emulators (dynalite, local SQS), the simulator, the in-process stack and `sls package`
 *   browser      the operations console's page in a real headless Chromium, against a stand-in API
 *   e2e          `npm start` itself, as a developer runs it
 */
const tier = (name: string, include: string[]) => ({ extends: true as const, test: { name, include } });

export default defineConfig({
  plugins: [browserScripts],
  test: {
    setupFiles: ['test/support/setup.ts'],
    // Vitest blanks CSS imports by default, `?raw` ones too: the console's style must reach its page whole.
    css: { include: [/\/lib\/console\/page\/[^/]+\.css/] },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only add contention with the in-process emulators.
    maxWorkers: 2,
    projects: [
      tier('unit', ['test/unit/**/*.test.ts']),
      'infra/simulator',
      tier('integration', ['test/integration/**/*.test.ts']),
      tier('browser', ['test/browser/**/*.test.ts']),
      tier('e2e', ['test/e2e/**/*.test.ts']),
    ],
  },
});
