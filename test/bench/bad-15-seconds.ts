/*
 * `npm run bench:bad-15-seconds` (see bad-15-seconds.run.ts for the scenario). Runs the scenario in this tree and,
 * as the baseline, in a temporary checkout of BAD15_BASELINE_REF (default 3cdec6f, the commit before the
 * resilience work: retries give up after 8 attempts / 30 s, a failed step waits out the 720 s visibility
 * timeout) sharing this tree's node_modules, and prints both.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const baselineRef = process.env.BAD15_BASELINE_REF ?? '3cdec6f';

function runIn(tree: string, label: string): Record<string, unknown> | undefined {
  const out = join(mkdtempSync(join(tmpdir(), 'bad15-')), 'figures.json');
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(tree, 'test', 'bench', 'vitest.bench.config.mts')],
    {
      cwd: tree,
      env: { ...process.env, BENCH_FILE: 'test/bench/bad-15-seconds.run.ts', BAD15_OUT: out },
      stdio: ['inherit', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (!existsSync(out)) {
    process.stderr.write(`${label}: no figures\n${run.stdout?.toString().slice(-3000)}${run.stderr?.toString().slice(-3000)}\n`);
    return undefined;
  }
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
}

const now = runIn(root, 'now');
const baseTree = mkdtempSync(join(tmpdir(), 'bad15-baseline-'));
let baseline: Record<string, unknown> | undefined;
try {
  execFileSync('git', ['worktree', 'add', '--detach', baseTree, baselineRef], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(baseTree, 'node_modules'));
  for (const file of ['bad-15-seconds.run.ts', 'vitest.bench.config.mts']) {
    copyFileSync(join(root, 'test', 'bench', file), join(baseTree, 'test', 'bench', file));
  }
  baseline = runIn(baseTree, 'baseline');
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', baseTree], { cwd: root, stdio: 'ignore' });
  rmSync(baseTree, { recursive: true, force: true });
}

const line = (label: string, f: Record<string, unknown> | undefined) =>
  f
    ? `  ${label.padEnd(9)} job ${String(f.status).padEnd(9)} ${f.ended ? `${f.secondsAfterTrouble} s after the trouble ended` : `not ended ${f.patienceS} s after the trouble ended`}; ` +
      `${f.filesInCompleted}/150 files in Completed, ${f.duplicateCopies} duplicates, ${f.leftInSource} left in the source; ` +
      `${f.docspaceRequests} DocSpace requests (${f.answered429} x 429, ${f.answered5xx} x 5xx)`
    : `  ${label}: failed to run`;
console.log('a bad 15 seconds (150-file task; limits on: 1500/min, 15 writes / 50 reads; 1 % 5xx; 720 s visibility timeout)');
console.log(line('now', now));
console.log(line(`baseline (${baselineRef})`, baseline));
