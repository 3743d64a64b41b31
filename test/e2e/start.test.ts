import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocSpaceSimulator, demoFixture } from '../../infra/local/simulator';
import { READY_MS, cleanUpStacks, expectStopsCleanly, npmRun, npmStart, type Running } from '../support/npm-start';

/*
 * `npm start` as a developer runs it (test/support/npm-start.ts), stopped with Ctrl-C and SIGTERM.
 */

afterAll(cleanUpStacks);

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

