import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../../infra/local/cfn';

// The page's browser code is its own TypeScript project (DOM types, no Node), left out of the root tsconfig and
// not type-checked by esbuild: this keeps `npm test` from passing a page that does not typecheck.
it('the console page typechecks against the DOM', async () => {
  const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  const run = await promisify(execFile)(tsc, ['--noEmit', '-p', 'lib/console/page'], { cwd: REPO_ROOT }).catch((e: { stdout: string }) => e);
  expect(run.stdout).toBe('');
}, 60_000);
