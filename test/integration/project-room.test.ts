import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { DEMO } from '@docspace-flows/simulator';
import { JobStore } from '../../lib/jobs/store';
import { startStack, type Stack } from '../support/stack';

/*
 * Workflow 4 end to end: the webhook handler and the worker (driven by the stack's SQS pollers, batchSize 1 and
 * maximumConcurrency 2 as in serverless.yml) against the simulator, whose room-from-template status is per portal.
 */

interface Callback {
  body: { projectId: string; jobId: string; roomId: number; title: string; webUrl: string };
  signatureValid: boolean;
  status: number;
}

let receiver: Server;
let callbackUrl: string;
const callbacks: Callback[] = [];
/** What the project system answers; a test may make it fail for a while. */
let callbackStatus = 200;
const SECRET = 'test-projects-secret';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const expected = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
      callbacks.push({ body: JSON.parse(raw), signatureValid: req.headers['x-signature-256'] === expected, status: callbackStatus });
      res.statusCode = callbackStatus;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pm/rooms`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function withStack(visibilityTimeoutSeconds: number): Promise<Stack> {
  return startStack({
    simulator: { templateDurationMs: 60 },
    env: { PROJECT_CALLBACK_URL: callbackUrl, PROJECTS_WEBHOOK_SECRET: SECRET },
    visibilityTimeoutSeconds,
  });
}

function post(stack: Stack, body: unknown) {
  const raw = JSON.stringify(body);
  return stack.http(projectRoomWebhook, {
    method: 'POST',
    path: '/webhooks/projects',
    headers: stack.signedHeaders(stack.secrets.projects, raw),
    body: raw,
  });
}

async function job(stack: Stack, jobId: string) {
  const answer = await stack.http(jobsApi, {
    method: 'GET',
    path: `/jobs/${jobId}`,
    headers: { authorization: `Bearer ${stack.secrets.admin}` },
  });
  expect(answer.statusCode).toBe(200);
  return answer.body;
}

/** Active and archived rooms of the simulated portal with this exact title. */
function roomsTitled(stack: Stack, title: string): number[] {
  return [...stack.sim.state.folders.values()]
    .filter((f) => f.title === title && f.roomType !== undefined && f.parentId !== stack.sim.state.roots.templates)
    .map((f) => f.id);
}

function creationRequests(stack: Stack): Array<{ templateId: number; title: string }> {
  return stack.sim
    .mutations()
    .filter((m) => m.method === 'POST' && /files\/rooms\/fromtemplate$/i.test(m.path))
    .map((m) => m.body as { templateId: number; title: string });
}

describe('room from template, many projects at once', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await withStack(30);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('creates exactly one room per project, from its type\'s template, and reports each project its own room', async () => {
    callbacks.length = 0;
    const projects = Array.from({ length: 10 }, (_, i) => ({
      projectId: `P-${i + 1}`,
      projectType: i % 2 === 0 ? 'legal' : 'marketing',
      projectName: `Project ${i + 1}`,
    }));
    // The PM system also retries three of them while the first deliveries are in flight.
    const deliveries = [...projects, projects[0]!, projects[4]!, projects[7]!];
    const answers = await Promise.all(deliveries.map((p) => post(stack, p)));
    expect(answers.map((a) => a.statusCode)).toEqual(deliveries.map(() => 202));
    const jobIds = answers.map((a) => a.body.jobId as string);
    expect(jobIds[10]).toBe(jobIds[0]);
    expect(jobIds[11]).toBe(jobIds[4]);
    expect(jobIds[12]).toBe(jobIds[7]);
    expect(new Set(jobIds).size).toBe(10);

    await stack.drain({ timeoutMs: 120_000 });

    const templateOf = (type: string) => (type === 'legal' ? DEMO.templates.legal : DEMO.templates.marketing);
    for (const [i, project] of projects.entries()) {
      const title = `${project.projectName} (${project.projectId})`;
      const rooms = roomsTitled(stack, title);
      expect(rooms, title).toHaveLength(1);
      const requests = creationRequests(stack).filter((r) => r.title === title);
      expect(requests.length, title).toBeGreaterThanOrEqual(1);
      expect(requests.every((r) => r.templateId === templateOf(project.projectType)), title).toBe(true);

      const view = await job(stack, jobIds[i]!);
      expect(view.status, title).toBe('succeeded');
      expect(view.result).toEqual({ roomId: rooms[0], title, webUrl: expect.stringContaining(String(rooms[0])) });

      const mine = callbacks.filter((c) => c.body.projectId === project.projectId);
      expect(mine.length, title).toBeGreaterThanOrEqual(1);
      for (const c of mine) {
        expect(c.signatureValid).toBe(true);
        expect(c.body).toMatchObject({ projectId: project.projectId, jobId: jobIds[i], roomId: rooms[0], title });
      }
    }
    // No creation went out twice for the same title, and nothing else was created.
    expect(creationRequests(stack)).toHaveLength(10);
  });

  it('fails a project whose type has no template, with the reason, and creates no room', async () => {
    const before = creationRequests(stack).length;
    const answer = await post(stack, { projectId: 'P-99', projectType: 'construction', projectName: 'Bridge' });
    expect(answer.statusCode).toBe(202);
    await stack.drain({ timeoutMs: 30_000 });

    const view = await job(stack, answer.body.jobId);
    expect(view.status).toBe('failed');
    expect(view.errors).toEqual([{ reason: expect.stringContaining('projectType "construction" has no room template') }]);
    expect(creationRequests(stack)).toHaveLength(before);
    expect(roomsTitled(stack, 'Bridge (P-99)')).toEqual([]);
  });

  it('answers bad input with a 400 naming the field, and a bad signature with a 401, creating nothing', async () => {
    const bad = await post(stack, { projectId: 'P-100', projectType: 'legal' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error.field).toBe('projectName');

    const raw = JSON.stringify({ projectId: 'P-101', projectType: 'legal', projectName: 'Unsigned' });
    const unsigned = await stack.http(projectRoomWebhook, {
      method: 'POST',
      path: '/webhooks/projects',
      headers: stack.signedHeaders('not-the-secret', raw),
      body: raw,
    });
    expect(unsigned.statusCode).toBe(401);
    expect(await stack.queueCounts('ProjectRoomQueue')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('room from template, recovering from a crash or a failed callback', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await withStack(2);
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('finds the room on redelivery instead of creating a second one', async () => {
    callbacks.length = 0;
    const original = JobStore.prototype.transition;
    let crashed = 0;
    // The worker dies between "room created" and "job updated": its message comes back after the visibility timeout.
    vi.spyOn(JobStore.prototype, 'transition').mockImplementation(async function (this: JobStore, ...args) {
      if (args[3]?.result && crashed === 0) {
        crashed++;
        throw new Error('simulated crash');
      }
      return original.apply(this, args);
    });

    const answer = await post(stack, { projectId: 'P-7', projectType: 'legal', projectName: 'Crash test' });
    expect(answer.statusCode).toBe(202);
    await stack.drain({ timeoutMs: 60_000 });

    expect(crashed).toBe(1);
    const rooms = roomsTitled(stack, 'Crash test (P-7)');
    expect(rooms).toHaveLength(1);
    expect(creationRequests(stack).filter((r) => r.title === 'Crash test (P-7)')).toHaveLength(1);
    const view = await job(stack, answer.body.jobId);
    expect(view).toMatchObject({
      status: 'succeeded',
      progress: { total: 1, done: 1, failed: 0 },
      result: { roomId: rooms[0], title: 'Crash test (P-7)' },
    });
    expect(callbacks.map((c) => c.body.roomId)).toEqual([rooms[0]]);
  });

  it('fails the job when the project system rejects the callback, keeping the room; the same project sent again reports it and succeeds', async () => {
    callbacks.length = 0;
    callbackStatus = 404;
    const project = { projectId: 'P-8', projectType: 'marketing', projectName: 'Callback test' };
    const first = await post(stack, project);
    expect(first.statusCode).toBe(202);
    await stack.drain({ timeoutMs: 60_000 });

    const rooms = roomsTitled(stack, 'Callback test (P-8)');
    expect(rooms).toHaveLength(1);
    const failed = await job(stack, first.body.jobId);
    expect(failed).toMatchObject({
      status: 'failed',
      progress: { total: 1, done: 0, failed: 1 },
      result: { roomId: rooms[0], title: 'Callback test (P-8)' },
    });
    expect(failed.errors).toEqual([{ reason: expect.stringMatching(/^callback to PROJECT_CALLBACK_URL not delivered: .*answered 404$/) }]);

    callbackStatus = 200;
    const again = await post(stack, project);
    expect(again).toMatchObject({ statusCode: 202, body: { jobId: first.body.jobId } });
    await stack.drain({ timeoutMs: 60_000 });

    expect(roomsTitled(stack, 'Callback test (P-8)')).toEqual(rooms);
    expect(creationRequests(stack).filter((r) => r.title === 'Callback test (P-8)')).toHaveLength(1);
    const view = await job(stack, first.body.jobId);
    expect(view).toMatchObject({ status: 'succeeded', progress: { total: 1, done: 1, failed: 0 }, result: { roomId: rooms[0] }, errors: [] });
    expect(callbacks.map((c) => [c.status, c.body.roomId])).toEqual([
      [404, rooms[0]],
      [200, rooms[0]],
    ]);
  });
});
