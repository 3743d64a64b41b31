import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueSendError, sqsQueue } from '../../../lib/queue/send';

// Only the calls matter here (how many, which entries), so SQS itself is mocked; the local-stack tests send
// through local-aws-sqs for real.
const sqs = mockClient(SQSClient);
const URL = 'https://sqs.eu-west-1.amazonaws.com/1/file-moves';
const noWait = async () => {};

beforeEach(() => sqs.reset());

const bodies = (call: number) =>
  (sqs.commandCalls(SendMessageBatchCommand)[call]!.args[0].input.Entries ?? []).map((e) => JSON.parse(e.MessageBody!));

describe('sending messages to SQS', () => {
  it('sends 23 messages in batches of at most 10, in order, with their delays', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const messages = Array.from({ length: 23 }, (_, i) => ({ body: { n: i }, ...(i === 22 ? { delaySeconds: 30 } : {}) }));
    await sqsQueue(new SQSClient({}), URL, noWait).send(messages);

    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
    expect([0, 1, 2].map((c) => bodies(c).length)).toEqual([10, 10, 3]);
    expect([0, 1, 2].flatMap((c) => bodies(c).map((b: { n: number }) => b.n))).toEqual(messages.map((_, i) => i));
    const last = sqs.commandCalls(SendMessageBatchCommand)[2]!.args[0].input.Entries!;
    expect(last.at(-1)!.DelaySeconds).toBe(30);
    expect(last[0]!.DelaySeconds).toBeUndefined();
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: URL });
  });

  it('re-sends only the entries SQS failed on its side, until they are queued', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [] });
    await sqsQueue(new SQSClient({}), URL, noWait).send([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);

    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 2);
    expect(bodies(1)).toEqual(['b']);
  });

  it('throws rather than dropping a message that SQS rejects as the sender\'s fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InvalidParameterValue', SenderFault: true }] });
    const sending = sqsQueue(new SQSClient({}), URL, noWait).send([{ body: 'x' }]);

    await expect(sending).rejects.toBeInstanceOf(QueueSendError);
    await expect(sending).rejects.toThrow('1 message(s) could not be queued: InvalidParameterValue');
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
  });

  it('gives up after five attempts on an entry SQS keeps failing', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] });
    await expect(sqsQueue(new SQSClient({}), URL, noWait).send([{ body: 'x' }])).rejects.toThrow('ServiceUnavailable');
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 5);
  });
});
