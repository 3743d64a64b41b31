import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queueCounts, startLocalAws, type LocalAws } from '../../infra/local/emulators';
import { SqsPollers, type SqsInvoker } from '../../infra/local/sqs-poller';
import { DocSpaceServerError } from '../../lib/docspace/errors';
import { resetAwsClients, sqs } from '../../lib/aws';
import { sqsWorker } from '../../lib/queue/worker';
import { redeliveryDelaySeconds, sqsRedelivery } from '../../lib/queue/redelivery';

/*
 * Redelivery after a returned failure, on the local stack's pieces: the SQS emulator with the queues of
 * infra/resources.yml, the local event-source mapping, and the real sqsWorker with SQS-backed redelivery. The
 * queues keep a 60 s visibility timeout, so anything back within seconds came back because of the backoff.
 */

let aws: LocalAws;

const saved = new Map<string, string | undefined>();
beforeAll(async () => {
  aws = await startLocalAws({ stage: 'redeliverytest', visibilityTimeoutSeconds: 60 });
  // The worker's own SQS client, configured the standard way (AWS_ENDPOINT_URL_SQS), as on the local stack.
  for (const [name, value] of Object.entries(aws.env)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  resetAwsClients();
});
afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetAwsClients();
  await aws?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

const context = { functionName: 'stand-in', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function pollersFor(logicalId: string, invoke: SqsInvoker) {
  const queue = aws.resources.queues[logicalId]!;
  return new SqsPollers({
    sqs: aws.clients.sqs,
    idleDelayMs: 20,
    invoke,
    targets: [
      {
        mapping: { functionKey: 'stand-in', queueLogicalId: logicalId, batchSize: 1, maximumConcurrency: 2, reportBatchItemFailures: true, timeout: 60 },
        queueUrl: queue.url,
        queueArn: queue.arn,
      },
    ],
  });
}

const send = (logicalId: string, body: unknown, delaySeconds?: number) =>
  aws.clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: aws.resources.queues[logicalId]!.url,
      MessageBody: JSON.stringify(body),
      ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
    }),
  );

describe('a record whose step fails for a transient reason', () => {
  it('is back within seconds, not after the 60 s visibility timeout, and its receive count counts receives only', async () => {
    const deliveries: Array<{ at: number; receiveCount: number }> = [];
    const worker = sqsWorker(
      z.object({ jobId: z.string() }),
      async (_message, { receiveCount }) => {
        deliveries.push({ at: Date.now(), receiveCount });
        if (receiveCount === 1) throw new DocSpaceServerError(502, 'Bad Gateway', 'POST', '/api/2.0/files/folder/1', {});
      },
      // Half the backoff's jitter range, so the wait is exactly the schedule's lower bound: 3 s for the first retry.
      { redelivery: sqsRedelivery(sqs(), { random: () => 0 }) },
    );
    const pollers = pollersFor('FileMovesQueue', (_fn, event) => worker(event as SQSEvent, context));
    await send('FileMovesQueue', { jobId: 'job-1' });
    pollers.start();
    await until(() => deliveries.length === 2, 15_000);
    await pollers.stop();
    expect(deliveries.map((d) => d.receiveCount)).toEqual([1, 2]);
    const waited = deliveries[1]!.at - deliveries[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(2_500);
    expect(waited).toBeLessThan(6_000);
    expect(await queueCounts(aws.clients.sqs, aws.resources.queues.FileMovesQueue!.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('still reaches the DLQ after maxReceiveCount receives when it never succeeds', async () => {
    const counts: number[] = [];
    const worker = sqsWorker(
      z.object({ jobId: z.string() }),
      async (_message, { receiveCount }) => {
        counts.push(receiveCount);
        throw new DocSpaceServerError(503, 'Service Unavailable', 'GET', '/api/2.0/files/1', {});
      },
      // A zero-second backoff, so five receives take no time; the count is what is under test.
      {
        redelivery: {
          schedule: async (record) => {
            const queueUrl = aws.resources.queues.ProjectRoomQueue!.url;
            await aws.clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }));
            return 0;
          },
        },
      },
    );
    // Every record of the batch fails: Powertools throws FullBatchFailureError and the poller keeps the batch.
    const pollers = pollersFor('ProjectRoomQueue', (_fn, event) => worker(event as SQSEvent, context));
    await send('ProjectRoomQueue', { jobId: 'job-2' });
    pollers.start();
    await until(async () => (await queueCounts(aws.clients.sqs, aws.resources.queues.ProjectRoomDLQ!.url)).visible === 1, 15_000);
    await pollers.stop();
    expect(counts).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the visibility timeout for a message that can never parse', async () => {
    const scheduled: unknown[] = [];
    const worker = sqsWorker(z.object({ jobId: z.string() }), async () => undefined, {
      redelivery: { schedule: async (_r, _n, error) => (scheduled.push(error), 0) },
    });
    const record = { messageId: 'm-1', receiptHandle: 'rh', body: '{"nope":1}', attributes: { ApproximateReceiveCount: '1' }, eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q' };
    await expect(worker({ Records: [record] } as unknown as SQSEvent, context)).rejects.toThrow();
    expect(scheduled).toEqual([]);
  });
});

describe('the redelivery backoff', () => {
  it('grows with the receive count from seconds and never passes the queue visibility timeout', () => {
    const top = (n: number, visibilityTimeoutSeconds?: number) =>
      redeliveryDelaySeconds(n, { random: () => 1, ...(visibilityTimeoutSeconds ? { visibilityTimeoutSeconds } : {}) });
    expect([1, 2, 3, 4].map((n) => top(n, 720))).toEqual([5, 25, 125, 625]);
    expect(top(5, 720)).toBe(720);
    expect(top(3, 60)).toBe(60);
    expect(redeliveryDelaySeconds(1, { random: () => 0 })).toBe(3);
  });

  it('waits at least as long as an error asks', () => {
    expect(redeliveryDelaySeconds(1, { random: () => 1, error: { redeliverAfterSeconds: 90 }, visibilityTimeoutSeconds: 360 })).toBe(90);
  });
});

describe('the local event-source mapping, like SQS', () => {
  it('does not hand out a message before its DelaySeconds', async () => {
    let receivedAt = 0;
    const pollers = pollersFor('UploadCopyQueue', async () => {
      receivedAt = Date.now();
      return {};
    });
    pollers.start();
    const sentAt = Date.now();
    await send('UploadCopyQueue', { jobId: 'delayed' }, 2);
    await until(() => receivedAt > 0, 10_000);
    await pollers.stop();
    expect(receivedAt - sentAt).toBeGreaterThanOrEqual(1_900);
    expect(receivedAt - sentAt).toBeLessThan(4_000);
  });
});
