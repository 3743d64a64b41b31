/*
 * `npm run bench:mixed-load` (see mixed-load.run.ts). Sizes: MIXED_DEALS, MIXED_DEAL_FILES, MIXED_TASKS,
 * MIXED_TASK_FILES, MIXED_UPLOADS, MIXED_PROJECTS. Runs under vitest (the handlers import ESM-only packages).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const out = join(mkdtempSync(join(tmpdir(), 'mixed-')), 'figures.json');
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(root, 'test', 'bench', 'vitest.bench.config.mts')],
  { cwd: root, env: { ...process.env, BENCH_FILE: 'test/bench/mixed-load.run.ts', MIXED_OUT: out }, stdio: ['inherit', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
);
if (!existsSync(out)) {
  process.stderr.write(`${run.stdout?.toString().slice(-4000)}${run.stderr?.toString().slice(-4000)}\n`);
  process.exit(1);
}
type F = { makespanS: number; ended: number; jobs: number; requests: number; answered429: number; answered5xx: number; failed?: number; notEnded?: string[]; lastEndedBy?: Record<string, number> };
const { sizes, bundle, baseline } = JSON.parse(readFileSync(out, 'utf8')) as { sizes: Record<string, number>; bundle: F; baseline: F };
const line = (label: string, f: F) =>
  `  ${label.padEnd(26)} makespan ${f.makespanS.toFixed(1).padStart(6)} s; ${f.ended}/${f.jobs} jobs ended` +
  `${f.failed !== undefined ? ` (${f.failed} failed)` : ''}; ${f.requests} DocSpace requests, ${f.answered429} x 429, ${f.answered5xx} x 5xx`;
console.log(
  `mixed load on one key (limits on: 1500/min, 15 writes / 50 reads; 1 % 5xx): ${sizes.DEALS} deals x ~${sizes.DEAL_FILES} nested files, ` +
    `${sizes.TASKS} tasks x ${sizes.TASK_FILES} files, ${sizes.UPLOADS} uploads, ${sizes.PROJECTS} projects`,
);
console.log(line('bundle', bundle));
if (bundle.notEnded?.length) console.log(`    not ended: ${bundle.notEnded.join('; ')}`);
if (bundle.lastEndedBy) {
  console.log(`    last job of each workflow ended at: ${Object.entries(bundle.lastEndedBy).map(([w, at]) => `${w} ${at.toFixed(1)} s`).join(', ')}`);
}
console.log(line('baseline (whole-room moves)', baseline));
console.log(`  makespan ratio bundle/baseline: ${(bundle.makespanS / baseline.makespanS).toFixed(2)}x`);
