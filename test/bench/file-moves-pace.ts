/*
 * `npx tsx test/bench/file-moves-pace.ts --scenario nested|flat|huge [--seed 7] [--redelivery 5]`
 * (or `npm run bench:file-moves:nested|flat|huge`): the file-move engine at DocSpace's pace against a whole-room
 * baseline measured in the same run; see file-moves-pace.run.ts. Runs under vitest for the same reason as
 * file-moves.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'file-moves-pace-bench-'));
const out = join(dir, 'report.txt');
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(root, 'test', 'bench', 'vitest.file-moves-pace.config.mts')],
  {
    cwd: root,
    env: { ...process.env, FILE_MOVES_BENCH_ARGS: JSON.stringify(process.argv.slice(2)), FILE_MOVES_BENCH_OUT: out },
    stdio: ['inherit', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  },
);
let report = '';
try {
  report = readFileSync(out, 'utf8');
} catch {
  // No report: the run failed before it could write one; vitest's output says why.
}
rmSync(dir, { recursive: true, force: true });
if (report) process.stdout.write(report);
if (run.status !== 0 || !report) {
  const quiet = (b: Buffer | null) =>
    (b?.toString('utf8') ?? '').split('\n').filter((l) => !l.startsWith('No application metrics to publish')).join('\n');
  process.stderr.write(quiet(run.stdout) + quiet(run.stderr));
}
process.exitCode = run.status ?? 1;
