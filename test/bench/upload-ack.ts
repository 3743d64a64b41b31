/*
 * Runs test/bench/upload-ack.bench.ts: `npx tsx test/bench/upload-ack.ts` or `npm run bench:upload-ack`.
 *
 * The handlers import ESM-only packages (middy 7 exports only an `import` condition) while this package is
 * CommonJS, so tsx cannot load them directly. The benchmark is therefore bundled as ESM with esbuild (packages
 * left external, resolved from node_modules) and run by the same Node binary.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..', '..');
const outdir = join(root, 'node_modules', '.cache', 'docspace-flows-bench');
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, 'upload-ack.mjs');
buildSync({
  entryPoints: [join(__dirname, 'upload-ack.bench.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'error',
  // infra/local/cfn.ts finds the repository from its own directory and require()s infra/*.js at run time.
  banner: {
    js: [
      `import { createRequire as __benchCreateRequire } from 'node:module';`,
      `const require = __benchCreateRequire(import.meta.url);`,
      `const __dirname = ${JSON.stringify(join(root, 'infra', 'local'))};`,
    ].join('\n'),
  },
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile], {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: process.env,
  maxBuffer: 64 * 1024 * 1024,
});
// Powertools Metrics warns on every invocation that published no metric; the figures are what matter here.
const quiet = (out: Buffer | null) =>
  (out?.toString('utf8') ?? '').split('\n').filter((line) => !line.startsWith('No application metrics to publish')).join('\n');
process.stderr.write(quiet(run.stderr));
process.stdout.write(quiet(run.stdout));
process.exitCode = run.status ?? 1;
