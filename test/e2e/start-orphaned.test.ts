import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/cfn';
import { freePort, isListening } from '../../infra/local/ports';
import type { StackState } from '../../infra/local/stack-state';
import { isAlive, processTree } from '../support/processes';

/*
 * The README promises that the stack stops when the process that started it disappears without a signal, e.g. a
 * terminal or CI runner that SIGKILLs `npm start`. start.ts notices a new parent pid; that only works when npm is its
 * parent, not a wrapper (the tsx CLI) that npm's death leaves running.
 */

const READY_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let child: ChildProcess | undefined;
let pids: number[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'docspace-flows-orphan-'));
const esbuildDir = join('.local-data', `esbuild-e2e-orphan-${process.pid}`);

afterAll(() => {
  for (const pid of [child?.pid, ...pids]) {
    try {
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(join(REPO_ROOT, esbuildDir), { recursive: true, force: true });
});

it('stops everything it started when npm itself is killed with SIGKILL', async () => {
  const httpPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, HTTP_PORT: String(httpPort), LOCAL_DATA_DIR: dataDir, SLS_ESBUILD_WORK_FOLDER: esbuildDir };
  delete env.DOCSPACE_API_HOST;
  child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));

  const file = join(dataDir, 'stack.json');
  const deadline = Date.now() + READY_MS;
  while (!(existsSync(file) && output.includes('is ready'))) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready within ${READY_MS / 1000} s:\n${output.slice(-3000)}`);
    await sleep(100);
  }
  const state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
  pids = processTree(child.pid!).filter((pid) => pid !== child!.pid);
  const ports = [state.httpUrl, state.lambdaUrl, state.dynamodbUrl, state.sqsUrl, state.simulatorUrl!].map((u) => Number(new URL(u).port));
  for (const port of ports) expect(await isListening(port), `port ${port} before`).toBe(true);

  // npm alone, with no chance to pass anything on.
  process.kill(child.pid!, 'SIGKILL');

  const gone = Date.now() + 20_000;
  while (pids.some(isAlive) && Date.now() < gone) await sleep(200);
  expect(pids.filter(isAlive)).toEqual([]);
  for (const port of ports) expect(await isListening(port), `port ${port} after`).toBe(false);
  expect(existsSync(file)).toBe(false);
  expect(output).toContain('parent process exited: stopping');
}, READY_MS + 40_000);
