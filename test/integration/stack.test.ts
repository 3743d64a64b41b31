import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceModel, REPO_ROOT } from '../../infra/local/cfn';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { startStack, type Stack } from '../support/stack';

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
