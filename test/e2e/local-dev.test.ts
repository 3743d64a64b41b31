import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/cfn';
import { LOCAL_SECRETS } from '../../infra/local/settings';
import { READY_MS, cleanUpStacks, npmStart, runCommand, type Running } from '../support/npm-start';

/*
 * What a Serverless user does around `npm start`: `sls invoke local` against it, `sls package` while it runs,
 * reading its log; and what they are told when no stack runs.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
// The test setup silences Powertools; these stacks must log as a developer's does.
const LOGGING = { POWERTOOLS_LOG_LEVEL: 'INFO' };
const tmpDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
};

afterAll(() => {
  cleanUpStacks();
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

function post(run: Running, path: string, secret: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  return fetch(`${run.state.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature-256': sign(secret, text) },
    body: text,
  });
}

async function waitForOutput(run: Running, pattern: RegExp, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(run.output())) {
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${run.output().slice(-3000)}`);
    await sleep(100);
  }
}

async function jobStatus(run: Running, jobId: string): Promise<string | undefined> {
  const response = await fetch(`${run.state.httpUrl}/jobs/${jobId}`, { headers: { authorization: `Bearer ${run.state.adminToken}` } });
  return response.ok ? ((await response.json()) as { status: string }).status : undefined;
}

describe('with no local stack running', () => {
  it('sls invoke local says in one line to start one with npm start', async () => {
    const result = await runCommand('npx', ['sls', 'invoke', 'local', '-f', 'jobsApi'], { LOCAL_DATA_DIR: tempDir('docspace-flows-nostack-') });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^No local stack is running .*start one with `npm start`/)]);
  });

  it('a bare sls offline start refuses at once and points at npm start', async () => {
    const started = Date.now();
    const result = await runCommand('npx', ['sls', 'offline', 'start', '--httpPort', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('run `npm start`')]);
    expect(result.stdout).not.toContain('Server ready');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('around a running npm start (default build folder)', () => {
  let run: Running;
  beforeAll(async () => {
    run = await npmStart(LOGGING, { esbuildDir: null });
  }, READY_MS + 5000);

  it('sls invoke local runs a function against the stack: its table, its queue, its simulator', async () => {
    const body = JSON.stringify({ taskId: 'TASK-INVOKE', status: 'closed', docsFolderId: 1009 });
    const event = {
      version: '2.0',
      routeKey: 'POST /webhooks/tasks',
      rawPath: '/webhooks/tasks',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', 'x-signature-256': sign(LOCAL_SECRETS.tasks, body) },
      requestContext: { requestId: 'invoke-local-1', http: { method: 'POST', path: '/webhooks/tasks' } },
      body,
      isBase64Encoded: false,
    };
    const result = await runCommand('npx', ['sls', 'invoke', 'local', '-f', 'taskCompleteWebhook', '--data', JSON.stringify(event)], {
      LOCAL_DATA_DIR: run.dataDir,
    });
    expect(result.code, result.output).toBe(0);
    const jobId = /task-complete-[A-Za-z0-9_-]+/.exec(result.stdout)?.[0];
    expect(jobId, result.output).toBeDefined();
    expect(result.stdout).toMatch(/"statusCode": 202/);
    // The job is in the stack's table, its message in the stack's queue: the stack's own worker finishes it.
    const deadline = Date.now() + 20_000;
    let status: string | undefined;
    while (Date.now() < deadline && status !== 'succeeded') {
      status = await jobStatus(run, jobId!);
      await sleep(200);
    }
    expect(status).toBe('succeeded');
    await waitForOutput(run, new RegExp(`fileMovesWorker +job succeeded ${jobId} \\d+/\\d+ done, 0 failed`));
  }, 90_000);

  it('logs a refused request as one short line with its status and reason', async () => {
    const response = await fetch(`${run.state.httpUrl}/webhooks/tasks`, { method: 'POST', body: '{"taskId":"T"}' });
    expect(response.status).toBe(401);
    await waitForOutput(run, /taskCompleteWebhook +POST \/webhooks\/tasks 401 unauthorized: missing or invalid signature \(no signature header\)/);
    const wrong = await post(run, '/webhooks/tasks', 'not-the-secret', { taskId: 'T', status: 'closed', docsFolderId: 1009 });
    expect(wrong.status).toBe(401);
    await waitForOutput(run, /POST \/webhooks\/tasks 401 unauthorized: missing or invalid signature \(the signature does not match the body/);
    // Neither metric blobs nor offline's billing lines, nor the JSON the functions print on AWS.
    expect(run.output()).not.toContain('Billed Duration');
    expect(run.output()).not.toContain('"_aws"');
    expect(run.output()).not.toContain('"function_arn"');
  });

  it('keeps answering while sls package builds the deployment in the same checkout', async () => {
    const out = tempDir('docspace-flows-package-');
    const packaged = await runCommand('npx', ['sls', 'package', '--package', out]);
    expect(packaged.code, packaged.output).toBe(0);
    expect(existsSync(join(out, 'projectRoomWebhook.zip'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, '.esbuild-offline', '.build'))).toBe(true);
    // A function the stack had not loaded yet, so it is read from the build folder now.
    const response = await post(run, '/webhooks/projects', LOCAL_SECRETS.projects, { projectId: 'P-PKG', projectType: 'legal', projectName: 'Packaged' });
    expect(response.status).toBe(202);
    expect(((await response.json()) as { jobId: string }).jobId).toMatch(/^project-room-/);
  }, 120_000);
});

describe('a function that cannot be loaded', () => {
  it('answers a webhook 500, as API Gateway would, never a 200 with the error as its body', async () => {
    const run = await npmStart(LOGGING);
    rmSync(join(REPO_ROOT, run.esbuildDir!), { recursive: true, force: true });
    const response = await post(run, '/webhooks/deals/closed', LOCAL_SECRETS.deals, {
      dealId: 'D-LOAD',
      clientRoomId: 1017,
      clientName: 'Acme',
      guestUserId: '05e1f000-0000-4000-8000-000000000003',
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    await waitForOutput(run, /POST \/webhooks\/deals\/closed 500: docspace-flows-local-dealArchiveWebhook failed: .*Cannot find module/);
  }, READY_MS + 30_000);
});
