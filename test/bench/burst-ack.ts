/*
 * A burst of webhooks on `npm start`: `npm run bench:burst-ack`. Starts the local stack twice, once with
 * serverless-offline's default runner (a worker thread per concurrent request: the baseline) and once as npm start
 * runs now (in-process), and sends 22 signed webhooks at once to each (tasks and deals, as a morning replayed).
 * Prints every acknowledgement's time, the median, p95 and worst, and how many were not 202.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/local/cfn';
import { freePort } from '../../infra/local/ports';
import { LOCAL_SECRETS } from '../../infra/local/settings';
import { DEMO } from '@docspace-flows/simulator';
import type { StackState } from '../../infra/local/stack-state';

const BURST = Number(process.env.BURST ?? 22);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

export interface Acks {
  runner: string;
  ms: number[];
  statuses: number[];
  /** The same kind of webhook sent one at a time afterwards, on the now warm stack. */
  oneAtATimeMs: number[];
}

export async function burstOnNpmStart(runner: 'in-process' | 'worker-threads', burst = BURST): Promise<Acks> {
  const httpPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'docspace-flows-burst-'));
  const esbuildDir = join('.local-data', `esbuild-burst-${process.pid}-${runner}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HTTP_PORT: String(httpPort),
    LOCAL_DATA_DIR: dataDir,
    SLS_ESBUILD_WORK_FOLDER: esbuildDir,
    LOCAL_LAMBDA_RUNNER: runner,
  };
  delete env.DOCSPACE_API_HOST;
  delete env.ADMIN_API_TOKEN;
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const file = join(dataDir, 'stack.json');
    const deadline = Date.now() + 120_000;
    while (!(existsSync(file) && output.includes('is ready'))) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`npm start not ready:\n${output.slice(-2000)}`);
      await sleep(100);
    }
    const state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
    const requests = Array.from({ length: burst }, (_, i) => {
      const isTask = i % 2 === 0;
      const body = JSON.stringify(
        isTask
          ? { taskId: `T-burst-${runner}-${i}`, status: 'closed', docsFolderId: DEMO.taskFolderId }
          : { dealId: `D-burst-${runner}-${i}`, clientRoomId: DEMO.clientRoomId, clientName: `Client ${i}` },
      );
      const path = isTask ? '/webhooks/tasks' : '/webhooks/deals/closed';
      const secret = isTask ? LOCAL_SECRETS.tasks : LOCAL_SECRETS.deals;
      return { path, body, signature: sign(secret, body) };
    });
    const results = await Promise.all(
      requests.map(async (r) => {
        const started = performance.now();
        const response = await fetch(`${state.httpUrl}${r.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature-256': r.signature },
          body: r.body,
        });
        await response.arrayBuffer();
        return { ms: performance.now() - started, status: response.status };
      }),
    );
    const oneAtATimeMs: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const body = JSON.stringify({ taskId: `T-single-${runner}-${i}`, status: 'closed', docsFolderId: DEMO.taskFolderId });
      const started = performance.now();
      const response = await fetch(`${state.httpUrl}/webhooks/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature-256': sign(LOCAL_SECRETS.tasks, body) },
        body,
      });
      await response.arrayBuffer();
      oneAtATimeMs.push(performance.now() - started);
    }
    return { runner, ms: results.map((r) => r.ms), statuses: results.map((r) => r.status), oneAtATimeMs };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      // gone already
    }
    const deadline = Date.now() + 20_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(100);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(join(REPO_ROOT, esbuildDir), { recursive: true, force: true });
  }
}

export function summary(a: Acks): string {
  const sorted = [...a.ms].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const bad = a.statuses.filter((s) => s !== 202);
  return (
    `${a.runner.padEnd(15)} ${a.ms.length} webhooks at once: median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, ` +
    `worst ${sorted.at(-1)!.toFixed(0)} ms; not 202: ${bad.length}${bad.length ? ` (${bad.join(', ')})` : ''}; ` +
    `then one at a time: ${a.oneAtATimeMs.map((ms) => ms.toFixed(0)).join(', ')} ms`
  );
}

if (require.main === module) {
  void (async () => {
    const baseline = await burstOnNpmStart('worker-threads');
    const now = await burstOnNpmStart('in-process');
    console.log(`burst acknowledgement on npm start (${BURST} webhooks, tasks and deals, sent at once to a fresh stack)`);
    console.log(`  baseline ${summary(baseline)}`);
    console.log(`  now      ${summary(now)}`);
    const median = (a: Acks) => [...a.ms].sort((x, y) => x - y)[Math.floor(a.ms.length / 2)]!;
    console.log(`  median ratio baseline/now: ${(median(baseline) / median(now)).toFixed(1)}x`);
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
