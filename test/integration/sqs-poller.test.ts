import { SendMessageBatchCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsMapping } from '../../infra/local/cfn';
import { queueCounts, startLocalAws, type LocalAws } from '../../infra/local/emulators';
import { recordsToDelete, SqsPollers, toSqsRecord, type PollerEvent, type SqsInvoker } from '../../infra/local/sqs-poller';

/*
 * The SQS event-source mapping the local stack emulates, against the real SQS emulator and the queues of
 * infra/resources.yml, with stand-in functions whose answers the test controls.
 */

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws({ stage: 'pollertest', visibilityTimeoutSeconds: 1 });
});
afterAll(async () => {
  await aws?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const counts = (logicalId: string) => queueCounts(aws.clients.sqs, aws.resources.queues[logicalId]!.url);

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

function pollersFor(logicalId: string, invoke: SqsInvoker, mapping: Partial<SqsMapping> = {}) {
  const queue = aws.resources.queues[logicalId]!;
  const batches: PollerEvent[] = [];
  const pollers = new SqsPollers({
    sqs: aws.clients.sqs,
    idleDelayMs: 20,
    invoke,
    onBatch: (b) => batches.push(b),
    targets: [
      {
        mapping: { functionKey: 'stand-in', queueLogicalId: logicalId, batchSize: 5, maximumConcurrency: 5, reportBatchItemFailures: true, timeout: 1, ...mapping },
        queueUrl: queue.url,
        queueArn: queue.arn,
      },
    ],
  });
  return { pollers, batches };
}

async function sendBodies(logicalId: string, bodies: string[]) {
  await aws.clients.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: aws.resources.queues[logicalId]!.url,
      Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
    }),
  );
}

describe('the local SQS event-source mapping', () => {
  it('hands the function real-shaped SQS records', async () => {
    let seen: SQSEvent | undefined;
    const { pollers } = pollersFor('UploadCopyQueue', async (_fn, event) => {
      seen = event;
      return { batchItemFailures: [] };
    });
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.resources.queues.UploadCopyQueue!.url, MessageBody: '{"a":1}' }));
    pollers.start();
    await until(async () => seen !== undefined, 5000);
    await pollers.stop();
    const record = seen!.Records[0]!;
    expect(record).toMatchObject({
      body: '{"a":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: aws.resources.queues.UploadCopyQueue!.arn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(record.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.receiptHandle.length).toBeGreaterThan(10);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
  });

  it('deletes only the records that the function did not report as failed', async () => {
    const { pollers, batches } = pollersFor('FileMovesQueue', async (_fn, event) => ({
      batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await sendBodies('FileMovesQueue', ['ok-1', 'fail-1', 'ok-2', 'fail-2', 'ok-3']);
    pollers.start();
    await until(async () => batches.length > 0, 5000);
    await pollers.stop();
    expect(batches[0]).toMatchObject({ received: 5, deleted: 3, retained: 2 });
    // The two failures are still in the queue (in flight until their visibility timeout ends).
    const c = await counts('FileMovesQueue');
    expect(c.visible + c.inFlight).toBe(2);
  });

  it('puts a message that keeps failing into the DLQ after maxReceiveCount receives', async () => {
    const receiveCounts: string[] = [];
    const { pollers } = pollersFor('ProjectRoomQueue', async (_fn, event) => {
      receiveCounts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }, { batchSize: 1 });
    await sendBodies('ProjectRoomQueue', ['always fails']);
    pollers.start();
    await until(async () => (await counts('ProjectRoomDLQ')).visible === 1, 15_000);
    await pollers.stop();
    const maxReceiveCount = aws.resources.queues.ProjectRoomQueue!.maxReceiveCount!;
    expect(receiveCounts).toEqual(Array.from({ length: maxReceiveCount }, (_, i) => String(i + 1)));
    expect(await counts('ProjectRoomQueue')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const { Messages = [] } = await aws.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.resources.queues.ProjectRoomDLQ!.url }));
    expect(Messages.map((m) => m.Body)).toEqual(['always fails']);
  });

  it('keeps the whole batch when the function throws', async () => {
    const { pollers, batches } = pollersFor('UploadCopyQueue', async () => {
      throw new Error('crashed');
    });
    await sendBodies('UploadCopyQueue', ['a', 'b', 'c']);
    pollers.start();
    await until(async () => batches.length > 0, 5000);
    await pollers.stop();
    expect(batches[0]).toMatchObject({ received: 3, deleted: 0, retained: 3 });
    expect((batches[0]!.error as Error).message).toBe('crashed');
    const c = await counts('UploadCopyQueue');
    expect(c.visible + c.inFlight).toBe(3);
  });

  it('never runs more invocations of a function at once than maximumConcurrency', async () => {
    let running = 0;
    let peak = 0;
    let handled = 0;
    const { pollers } = pollersFor('FileMovesDLQ', async (_fn, event) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(60);
      running--;
      handled += event.Records.length;
      return {};
    }, { batchSize: 1, maximumConcurrency: 2 });
    await sendBodies('FileMovesDLQ', ['1', '2', '3', '4', '5', '6']);
    pollers.start();
    await until(async () => handled === 6, 10_000);
    await pollers.stop();
    expect(peak).toBe(2);
  });
});

describe('which records a partial batch response deletes', () => {
  const records = ['m1', 'm2', 'm3'].map((id) =>
    toSqsRecord({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: '{}' }, 'arn:aws:sqs:us-east-1:123456789012:q', 'us-east-1'),
  );
  const ids = (rs: { messageId: string }[]) => rs.map((r) => r.messageId);

  it('deletes everything when the function reports no failures or returns nothing', () => {
    expect(ids(recordsToDelete(records, { batchItemFailures: [] }, true))).toEqual(['m1', 'm2', 'm3']);
    expect(ids(recordsToDelete(records, undefined, true))).toEqual(['m1', 'm2', 'm3']);
  });

  it('keeps the whole batch when a reported identifier is empty or not in the batch, as Lambda does', () => {
    expect(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: '' }] }, true)).toEqual([]);
    expect(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'other' }] }, true)).toEqual([]);
  });

  it('ignores the report when the mapping does not use ReportBatchItemFailures', () => {
    expect(ids(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'm1' }] }, false))).toEqual(['m1', 'm2', 'm3']);
  });
});
