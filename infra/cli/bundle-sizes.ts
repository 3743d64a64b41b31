import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readZipEntries } from './zip';

/*
 * `npm run package` = `sls package` + this: one line per function zip with its zipped size and the size of the
 * JavaScript in it, so a dependency that bloats a bundle shows up in CI output.
 *   tsx infra/cli/bundle-sizes.ts [package dir, default .serverless]
 */
const dir = process.argv[2] ?? '.serverless';
const zips = readdirSync(dir).filter((f) => f.endsWith('.zip')).sort();
if (!zips.length) {
  console.error(`no .zip in ${dir}; run \`npx sls package\` first`);
  process.exit(1);
}
const kib = (n: number) => `${(n / 1024).toFixed(0).padStart(6)} KiB`;
console.log(`${'function'.padEnd(22)} ${'zipped'.padStart(10)} ${'JS'.padStart(10)} ${'source map'.padStart(10)}`);
let total = 0;
for (const zip of zips) {
  const bytes = statSync(join(dir, zip)).size;
  total += bytes;
  const entries = readZipEntries(readFileSync(join(dir, zip)));
  const sum = (re: RegExp) => entries.filter((e) => re.test(e.name)).reduce((s, e) => s + e.size, 0);
  console.log(`${zip.replace(/\.zip$/, '').padEnd(22)} ${kib(bytes)} ${kib(sum(/\.js$/))} ${kib(sum(/\.map$/))}`);
}
console.log(`${'total'.padEnd(22)} ${kib(total)}`);
