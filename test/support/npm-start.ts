import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/local/cfn';
import { freePort } from '../../infra/local/ports';
import type { StackState } from '../../infra/local/stack-state';
import { isAlive, processTree } from './processes';

/*
 * `npm start` as a developer runs it: a child process on a free port, used over HTTP. Its state file and esbuild
 * output go to their own folders, so a developer's running stack is left alone.
 */

export const READY_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Running {
  child: ChildProcess;
  output: () => string;
  dataDir: string;
  esbuildDir: string;
  httpPort: number;
  state: StackState;
  pids: number[];
}

const started: Running[] = [];

export async function npmStart(extraEnv: Record<string, string> = {}): Promise<Running> {
  const httpPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'docspace-flows-e2e-'));
  const esbuildDir = join('.local-data', `esbuild-e2e-${process.pid}-${started.length}`);
  const env: NodeJS.ProcessEnv = { ...process.env, HTTP_PORT: String(httpPort), LOCAL_DATA_DIR: dataDir, SLS_ESBUILD_WORK_FOLDER: esbuildDir };
  // The stack's own defaults, not whatever the test process happens to carry.
  delete env.DOCSPACE_API_HOST;
  delete env.ADMIN_API_TOKEN;
  Object.assign(env, extraEnv);
  // Its own process group, as in a terminal, so that stray processes could not hide in ours.
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const running: Running = { child, output: () => output, dataDir, esbuildDir, httpPort, state: undefined as never, pids: [] };
  started.push(running);

  const file = join(dataDir, 'stack.json');
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    if (existsSync(file) && output.includes('is ready')) break;
    if (Date.now() > deadline) throw new Error(`npm start was not ready within ${READY_MS / 1000} s:\n${output.slice(-3000)}`);
    await sleep(100);
  }
  running.state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
  running.pids = processTree(child.pid!);
  return running;
}

/** For afterAll: kills whatever is left of every stack this file started and removes their folders. */
export function killStarted(): void {
  for (const run of started.splice(0)) {
    for (const pid of [run.child.pid!, ...run.pids]) {
      try {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(run.dataDir, { recursive: true, force: true });
    rmSync(join(REPO_ROOT, run.esbuildDir), { recursive: true, force: true });
  }
}

/** Ctrl-C, as a terminal sends it to the foreground process group; resolves once npm has exited. */
export async function stopNpmStart(run: Running, ms = 20_000): Promise<boolean> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return true;
  const exited = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    run.child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  process.kill(-run.child.pid!, 'SIGINT');
  return exited;
}

/** Runs npm without blocking this process (the test's own simulator must keep answering). */
export function npmRun(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn('npm', args, { cwd: REPO_ROOT, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('close', (code) => resolve({ code, output }));
  });
}
