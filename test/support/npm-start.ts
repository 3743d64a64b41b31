import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../infra/local/cfn';
import { freePort, isListening } from '../../infra/local/ports';
import type { StackState } from '../../infra/local/stack-state';
import { isAlive, processTree } from './processes';

/*
 * `npm start` as a developer runs it, for the e2e tests: a child process on a free port, used over HTTP, then
 * stopped with a signal. Its state file goes to its own folder, so a developer's running stack is left alone;
 * so does its esbuild output unless a test asks for the default folder (`esbuildDir: null`).
 */

export const READY_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Running {
  child: ChildProcess;
  output: () => string;
  dataDir: string;
  /** Relative to the checkout; undefined when the stack uses serverless.yml's default folder. */
  esbuildDir?: string;
  httpPort: number;
  state: StackState;
  pids: number[];
}

const started: Running[] = [];

export function exited(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function npmStart(extraEnv: Record<string, string> = {}, options: { esbuildDir?: string | null } = {}): Promise<Running> {
  const httpPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'docspace-flows-e2e-'));
  const esbuildDir = options.esbuildDir === null ? undefined : (options.esbuildDir ?? join('.local-data', `esbuild-e2e-${process.pid}-${started.length}`));
  const env: NodeJS.ProcessEnv = { ...process.env, HTTP_PORT: String(httpPort), LOCAL_DATA_DIR: dataDir };
  if (esbuildDir) env.SLS_ESBUILD_WORK_FOLDER = esbuildDir;
  else delete env.SLS_ESBUILD_WORK_FOLDER;
  // The stack's own defaults, not whatever the test process happens to carry.
  delete env.DOCSPACE_API_HOST;
  delete env.ADMIN_API_TOKEN;
  delete env.LOG_FORMAT;
  Object.assign(env, extraEnv);
  // Its own process group, as in a terminal, so that stray processes could not hide in ours.
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const running: Running = { child, output: () => output, dataDir, ...(esbuildDir ? { esbuildDir } : {}), httpPort, state: undefined as never, pids: [] };
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

export function portsOf(state: StackState): number[] {
  const urls = [state.httpUrl, state.lambdaUrl, state.dynamodbUrl, state.sqsUrl, ...(state.simulatorUrl ? [state.simulatorUrl] : [])];
  return urls.map((u) => Number(new URL(u).port));
}

/** Stops it with a signal and checks that nothing it started is left: processes, ports, state file. */
export async function expectStopsCleanly(run: Running, stopIt: () => void): Promise<void> {
  const ports = portsOf(run.state);
  for (const port of ports) expect(await isListening(port), `port ${port} before stopping`).toBe(true);
  stopIt();
  expect(await exited(run.child, 20_000)).toBe(true);
  const deadline = Date.now() + 5000;
  while (run.pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  expect(run.pids.filter(isAlive)).toEqual([]);
  for (const port of ports) expect(await isListening(port), `port ${port} after stopping`).toBe(false);
  expect(existsSync(join(run.dataDir, 'stack.json'))).toBe(false);
  expect(run.output()).toContain('[local] stopped');
}

/** For afterAll: kills whatever a failed test left running and removes the stacks' folders. */
export function cleanUpStacks(): void {
  for (const run of started.splice(0)) {
    for (const pid of [run.child.pid!, ...run.pids]) {
      try {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(run.dataDir, { recursive: true, force: true });
    if (run.esbuildDir) rmSync(join(REPO_ROOT, run.esbuildDir), { recursive: true, force: true });
  }
}

/** Runs a command of the checkout without blocking this process (a test's own simulator must keep answering). */
export function runCommand(
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; output: string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d: Buffer) => ((output += d.toString()), (stdout += d.toString())));
    proc.stderr!.on('data', (d: Buffer) => ((output += d.toString()), (stderr += d.toString())));
    proc.on('close', (code) => resolve({ code, output, stdout, stderr }));
  });
}

/** Runs npm without blocking this process (the test's own simulator must keep answering). */
export const npmRun = (args: string[], extraEnv: Record<string, string> = {}) => runCommand('npm', args, extraEnv);

/** Ctrl-C, as a terminal sends it to the foreground process group; resolves once npm has exited. */
export async function stopNpmStart(run: Running, ms = 20_000): Promise<boolean> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return true;
  const stopped = exited(run.child, ms);
  process.kill(-run.child.pid!, 'SIGINT');
  return stopped;
}
