import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isListening } from '../../infra/local/ports';
import { DocSpaceSimulator, demoFixture } from '../../infra/local/simulator';
import type { StackState } from '../../infra/local/stack-state';
import { killStarted, npmRun, npmStart, READY_MS, type Running } from '../support/npm-start';
import { isAlive } from '../support/processes';

/*
 * `npm start` as a developer runs it (test/support/npm-start.ts): a child process on a free port, used over HTTP,
 * then stopped with Ctrl-C.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function portsOf(state: StackState): number[] {
  const urls = [state.httpUrl, state.lambdaUrl, state.dynamodbUrl, state.sqsUrl, ...(state.simulatorUrl ? [state.simulatorUrl] : [])];
  return urls.map((u) => Number(new URL(u).port));
}

/** Stops it with a signal and checks that nothing it started is left: processes, ports, state file. */
async function expectStopsCleanly(run: Running, stopIt: () => void): Promise<void> {
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

afterAll(killStarted);

describe('npm start', () => {
  let run: Running;
  beforeAll(async () => {
    run = await npmStart();
  }, READY_MS + 5000);

  it('serves the API on HTTP_PORT with the emulators, the simulator and serverless offline', () => {
    expect(run.state.httpUrl).toBe(`http://127.0.0.1:${run.httpPort}`);
    expect(run.state.simulatorUrl).toBe(run.state.docspaceApiHost);
    // npm, tsx, the start script, serverless offline and its esbuild at least.
    expect(run.pids.length).toBeGreaterThanOrEqual(4);
  });

  it('answers the HEAD probe DocSpace sends when a webhook is registered', async () => {
    const response = await fetch(`${run.state.httpUrl}/webhooks/docspace`, { method: 'HEAD' });
    expect(response.status).toBe(200);
  });

  it('guards the jobs API with the admin token', async () => {
    const anonymous = await fetch(`${run.state.httpUrl}/jobs/unknown`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${run.state.httpUrl}/jobs/unknown`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    const admin = await fetch(`${run.state.httpUrl}/jobs/unknown`, { headers: { authorization: `Bearer ${run.state.adminToken}` } });
    expect(admin.status).toBe(404);
  });

  it('stops every process it started on Ctrl-C and frees every port', async () => {
    // What a terminal does on Ctrl-C: SIGINT to the foreground process group.
    await expectStopsCleanly(run, () => process.kill(-run.child.pid!, 'SIGINT'));
  }, 30_000);
});

describe('npm start against another portal, under a supervisor', () => {
  it('uses DOCSPACE_API_HOST instead of its own simulator, runs the scan there, and stops on SIGTERM to npm', async () => {
    const portalSim = new DocSpaceSimulator({ fixture: demoFixture() });
    const portal = await portalSim.listen(0, '127.0.0.1');
    try {
      const run = await npmStart({ DOCSPACE_API_HOST: portal.url, DOCSPACE_API_KEY: portalSim.apiKey });
      expect(run.state.simulatorUrl).toBeUndefined();
      expect(run.state.docspaceApiHost).toBe(portal.url);

      const scan = await npmRun(['run', 'scan'], { LOCAL_DATA_DIR: run.dataDir });
      expect(scan.code, scan.output).toBe(0);
      expect(scan.output).toMatch(/: 3 rooms inactive for 10 days or more/);
      expect(scan.output).toMatch(/Vendor onboarding\s+90\s+\S+ \S+ UTC\s+Form filling/);
      expect(portalSim.requestLog().some((r) => r.path.includes('/api/2.0/files/rooms'))).toBe(true);

      // A supervisor (or `kill`) signals npm alone, not the whole group.
      await expectStopsCleanly(run, () => process.kill(run.child.pid!, 'SIGTERM'));
    } finally {
      await portal.close();
      await portalSim.close();
    }
  }, READY_MS + 40_000);
});
