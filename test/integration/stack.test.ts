import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadServiceModel, REPO_ROOT } from '../../infra/local/cfn';
import { resolveHandler } from '../../infra/local/in-process';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { resetConfigCache } from '../../lib/config';
import type { HttpHandler } from '../../lib/http/endpoint';
import { log } from '../../lib/log';
import { docspaceSignatureHeaders } from '../support/http';
import { STACK_STAGE, startStack, type Stack } from '../support/stack';

/*
 * The in-process stack the workflow tests run on: emulators built from infra/resources.yml, the simulator, and
 * the real worker from serverless.yml fed by an SQS event-source mapping that honours partial batch responses.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ visibilityTimeoutSeconds: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

async function sendToFileMoves(bodies: string[]): Promise<void> {
  await stack.aws.clients.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: stack.env.FILE_MOVES_QUEUE_URL,
      Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
    }),
  );
}

/** A well-formed message the worker accepts and drops: its job does not exist. */
const harmless = (n: number) => JSON.stringify({ kind: 'plan', jobId: `no-such-job-${n}`, run: 1 });

describe('the test stack', () => {
  it('wires the functions to the emulators and the simulator through the environment', async () => {
    for (const name of ['TABLE_NAME', 'FILE_MOVES_QUEUE_URL', 'UPLOAD_COPY_QUEUE_URL', 'PROJECT_ROOM_QUEUE_URL', 'DOCSPACE_API_HOST', 'DOCSPACE_API_KEY', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS']) {
      expect(process.env[name], name).toBe(stack.env[name]);
    }
    expect(stack.env.DOCSPACE_API_HOST).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const portal = await fetch(`${stack.env.DOCSPACE_API_HOST}/api/2.0/files/rooms`, {
      headers: { authorization: `Bearer ${stack.env.DOCSPACE_API_KEY}` },
    });
    expect(portal.status).toBe(200);

    await stack.ddb.send(new PutCommand({ TableName: stack.env.TABLE_NAME, Item: { pk: 'probe', sk: 'probe', n: 1 } }));
    const { Item } = await stack.ddb.send(new GetCommand({ TableName: stack.env.TABLE_NAME, Key: { pk: 'probe', sk: 'probe' } }));
    expect(Item).toEqual({ pk: 'probe', sk: 'probe', n: 1 });
  });

  it('calls an HTTP function with an API Gateway event and reads its JSON answer', async () => {
    const anonymous = await stack.http(jobsApi, { method: 'GET', path: '/jobs/unknown' });
    expect(anonymous.statusCode).toBe(401);
    const known = await stack.http(jobsApi, {
      method: 'GET',
      path: '/jobs/unknown',
      headers: { Authorization: `Bearer ${stack.secrets.admin}` },
    });
    expect(known.statusCode).toBe(404);
    expect(known.headers['content-type']).toMatch(/json/);
  });

  it('deletes only the records of a batch that did not fail', async () => {
    const { batchSize } = stack.aws.model.sqsMappings.find((m) => m.functionKey === 'fileMovesWorker')!;
    expect(batchSize).toBeGreaterThan(1);
    const bodies = Array.from({ length: batchSize }, (_, i) => (i === 1 ? 'not json' : harmless(i)));
    const before = stack.batches().length;
    await sendToFileMoves(bodies);
    // All visible first, so that one receive takes a full batch.
    while ((await stack.queueCounts('FileMovesQueue')).visible < batchSize) await new Promise((r) => setTimeout(r, 10));
    await stack.drain({ timeoutMs: 20_000 });
    const [first] = stack.batches().slice(before);
    expect(first).toMatchObject({ functionKey: 'fileMovesWorker', received: batchSize, deleted: batchSize - 1, retained: 1 });
    expect(await stack.dlqMessages('FileMovesQueue')).toContain('not json');
  });

  it('sends a message that keeps failing back to the queue and parks it in the DLQ after maxReceiveCount', async () => {
    const before = stack.batches().length;
    await sendToFileMoves(['{"kind":"unknown"}']);
    await stack.drain({ timeoutMs: 20_000 });
    const attempts = stack.batches().slice(before);
    const maxReceiveCount = stack.aws.resources.queues.FileMovesQueue!.maxReceiveCount!;
    expect(attempts).toHaveLength(maxReceiveCount);
    expect(attempts.every((b) => b.retained === 1 && b.deleted === 0)).toBe(true);
    expect(await stack.queueCounts('FileMovesQueue')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const parked = await stack.queueCounts('FileMovesDLQ');
    expect(await stack.dlqMessages('FileMovesQueue')).toContainEqual({ kind: 'unknown' });
    // Reading the DLQ does not consume it.
    expect(await stack.queueCounts('FileMovesDLQ')).toEqual(parked);
  });
});

describe('every POST route of serverless.yml', () => {
  const model = loadServiceModel({ stage: STACK_STAGE });
  const posts = model.httpRoutes.filter((r) => r.method === 'POST');
  const handlerOf = async (functionKey: string): Promise<HttpHandler> => {
    const { file, exportName } = resolveHandler(model.functions[functionKey]!.handler);
    return ((await import(file)) as Record<string, HttpHandler>)[exportName]!;
  };
  const secretOf = (path: string): string =>
    ({ '/webhooks/tasks': stack.secrets.tasks, '/webhooks/deals/closed': stack.secrets.deals, '/webhooks/projects': stack.secrets.projects, '/webhooks/docspace': stack.secrets.docspace })[path] ??
    stack.secrets.admin;
  /** Signed both ways and with the admin token, so only the size (or the setting) can be what is refused. */
  const signed = (path: string, raw: string) => ({
    ...stack.signedHeaders(secretOf(path), raw),
    ...docspaceSignatureHeaders(secretOf(path), raw),
    authorization: `Bearer ${stack.secrets.admin}`,
  });
  const workQueues = () => Promise.all(model.sqsMappings.map((m) => stack.queueCounts(m.queueLogicalId)));
  const idle = { visible: 0, inFlight: 0, delayed: 0 };

  it('are the four webhooks of the contract and the operators\' retry and previews', () => {
    expect(posts.map((r) => r.path).sort()).toEqual([
      '/jobs/{jobId}/retry',
      '/previews/deals/closed',
      '/previews/tasks',
      '/webhooks/deals/closed',
      '/webhooks/docspace',
      '/webhooks/projects',
      '/webhooks/tasks',
    ]);
  });

  it('answer 413 to a signed body over 256 KB, before anything is queued or sent to DocSpace', async () => {
    stack.sim.clearMutations();
    const limit = 256 * 1024;
    for (const route of posts) {
      const handler = await handlerOf(route.functionKey);
      const over = JSON.stringify({ padding: 'x'.repeat(limit) });
      const answer = await stack.http(handler, { method: 'POST', path: route.path, headers: signed(route.path, over), body: over });
      expect(answer.statusCode, route.path).toBe(413);
      expect(answer.body.error.code).toBe('payload_too_large');
      // Exactly at the limit the size is fine; the (meaningless) body is then refused for what it says (a retry
      // has no body: its job "{jobId}" does not exist).
      const at = JSON.stringify({ padding: 'x'.repeat(limit - '{"padding":""}'.length) });
      expect(Buffer.byteLength(at)).toBe(limit);
      const answer2 = await stack.http(handler, { method: 'POST', path: route.path, headers: signed(route.path, at), body: at });
      expect(answer2.statusCode, route.path).toBe(route.path.endsWith('/retry') ? 404 : 400);
    }
    expect(stack.sim.mutations()).toEqual([]);
    expect(await workQueues()).toEqual(model.sqsMappings.map(() => idle));
  });

  it('answer 503 while a setting they need is missing or malformed, naming it in the log and doing nothing', async () => {
    const broken: Record<string, [variable: string, value: string | undefined]> = {
      '/webhooks/tasks': ['COMPLETED_FOLDER_ID', 'the-completed-folder'],
      '/webhooks/deals/closed': ['DEALS_WEBHOOK_SECRET', undefined],
      '/webhooks/docspace': ['COPY_RULES', '[{"sourceRoomId": 1'],
      '/webhooks/projects': ['TEMPLATE_MAP', undefined],
      '/jobs/{jobId}/retry': ['PROJECT_ROOM_QUEUE_URL', 'not-a-url'],
      '/previews/deals/closed': ['ARCHIVE_ROOT_FOLDER_ID', 'the-archive'],
      '/previews/tasks': ['COMPLETED_FOLDER_ID', undefined],
    };
    const errors = vi.spyOn(log, 'error');
    stack.sim.clearMutations();
    try {
      for (const route of posts) {
        const [variable, value] = broken[route.path]!;
        const saved = process.env[variable];
        if (value === undefined) delete process.env[variable];
        else process.env[variable] = value;
        resetConfigCache();
        errors.mockClear();
        try {
          const raw = JSON.stringify({ any: 'body' });
          const answer = await stack.http(await handlerOf(route.functionKey), { method: 'POST', path: route.path, headers: signed(route.path, raw), body: raw });
          expect(answer.statusCode, route.path).toBe(503);
          expect(answer.body).toEqual({ error: { code: 'misconfigured', message: 'the service is not configured correctly' } });
          expect(errors.mock.calls, route.path).toEqual([[expect.stringMatching(new RegExp(`^Invalid configuration: ${variable} `)), { variable }]]);
          if (value !== undefined) expect(JSON.stringify(errors.mock.calls)).not.toContain(value);
        } finally {
          process.env[variable] = saved;
          resetConfigCache();
        }
      }
    } finally {
      errors.mockRestore();
    }
    expect(stack.sim.mutations()).toEqual([]);
    expect(await workQueues()).toEqual(model.sqsMappings.map(() => idle));
  });
});

describe('the queues of infra/resources.yml', () => {
  const model = loadServiceModel({ stage: 'prod' });

  it('give every consuming function at least six times its timeout to finish a message', () => {
    expect(model.sqsMappings.length).toBeGreaterThan(0);
    for (const mapping of model.sqsMappings) {
      const queue = model.queues.find((q) => q.logicalId === mapping.queueLogicalId)!;
      expect(queue.visibilityTimeout, `${queue.logicalId} vs ${mapping.functionKey}`).toBeGreaterThanOrEqual(6 * mapping.timeout);
    }
  });

  it('all redrive into a DLQ that the template defines', () => {
    for (const mapping of model.sqsMappings) {
      const queue = model.queues.find((q) => q.logicalId === mapping.queueLogicalId)!;
      expect(queue.redrive, queue.logicalId).toBeDefined();
      expect(model.queues.map((q) => q.logicalId)).toContain(queue.redrive!.deadLetterLogicalId);
    }
  });

  it('are read from the same files CloudFormation gets', () => {
    // Guards the parser itself: the numbers come from the YAML, not from defaults.
    const yaml = readFileSync(join(REPO_ROOT, 'infra', 'resources.yml'), 'utf8');
    for (const queue of model.queues.filter((q) => q.redrive)) {
      expect(yaml).toContain(`VisibilityTimeout: ${queue.visibilityTimeout}`);
    }
  });
});
