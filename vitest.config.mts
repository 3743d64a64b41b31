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
  async load(id) {
    if (!id.endsWith('?browser')) return null;
    const { text, inputs } = await bundleBrowserScript(id.slice(0, -'?browser'.length));
    for (const input of inputs) this.addWatchFile(input);
    return `export default ${JSON.stringify(text)};`;
  },
};

export default defineConfig({
  plugins: [browserScripts],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only add contention with the in-process emulators.
    maxWorkers: 2,
  },
});
