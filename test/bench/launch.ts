import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The handlers import ESM-only packages (middy 7 has only an `import` export) and the in-process stack loads the
 * worker handlers by path at run time, so the file-move benchmarks run under vitest, which loads them for every
 * other test too. This launcher passes the command line's arguments to the run (FILE_MOVES_BENCH_ARGS), and prints
 * the report it writes (FILE_MOVES_BENCH_OUT), or vitest's output when there is none.
 */
export function launchFileMovesBench(config: string): void {
  const root = join(__dirname, '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'file-moves-bench-'));
  const out = join(dir, 'report.txt');
  const run = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(root, 'test', 'bench', config)], {
    cwd: root,
    env: { ...process.env, FILE_MOVES_BENCH_ARGS: JSON.stringify(process.argv.slice(2)), FILE_MOVES_BENCH_OUT: out },
    stdio: ['inherit', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
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
}
