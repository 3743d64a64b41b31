'use strict';
/*
 * esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins), so the operations console's
 * page travels inside its function's zip: no CDN, no S3, the same bytes on `npm start` and on AWS.
 *
 *   import html from './index.html?raw'      the file's text
 *   import script from './main.ts?browser'   that browser entry bundled (IIFE, minified) and returned as text
 *
 * vitest.config.mts gives Vite the `?browser` import through the same bundleBrowserScript (Vite reads `?raw` itself).
 */
const { readFile } = require('node:fs/promises');
const { dirname, resolve } = require('node:path');
const esbuild = require('esbuild');

/** The page script for Chromium/Firefox/Safari of the last few years; inlined into the HTML, so no `</script`. */
async function bundleBrowserScript(entry) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  });
  return { text: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs).map((p) => resolve(p)) };
}

const QUERY = /\?(raw|browser)$/;

const pageAssets = {
  name: 'page-assets',
  setup(build) {
    build.onResolve({ filter: QUERY }, (args) => {
      const [path, kind] = args.path.split('?');
      return { path: resolve(args.resolveDir || dirname(args.importer), path), namespace: `page-${kind}` };
    });
    build.onLoad({ filter: /.*/, namespace: 'page-raw' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
      watchFiles: [args.path],
    }));
    build.onLoad({ filter: /.*/, namespace: 'page-browser' }, async (args) => {
      const { text, inputs } = await bundleBrowserScript(args.path);
      return { contents: text, loader: 'text', watchFiles: inputs };
    });
  },
};

module.exports = [pageAssets];
module.exports.bundleBrowserScript = bundleBrowserScript;
