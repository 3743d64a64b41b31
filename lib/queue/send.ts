import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface OutboundMessage {
  body: unknown;
  delaySeconds?: number;
}

export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';
  constructor(readonly failed: number, detail: string) {
    super(`${failed} message(s) could not be queued: ${detail}`);
  }
}

/** The port workflows use to hand work on; tests may pass a recorder. */
export interface Queue {
  send(messages: OutboundMessage[]): Promise<void>;
}

/**
 * SendMessageBatch in groups of 10 (the SQS limit). Entries SQS failed on its own side are re-sent a few times;
 * one rejected as the sender's fault (it would fail again) or still unsent after that is an error, because a
 * message that silently fails to send is a lost chunk.
 */
export function sqsQueue(client: SQSClient, queueUrl: string, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Queue {
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        let entries = messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(m.body),
          ...(m.delaySeconds ? { DelaySeconds: m.delaySeconds } : {}),
        }));
        for (let attempt = 0; entries.length > 0; attempt++) {
          const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
          const failed = out.Failed ?? [];
          if (failed.length === 0) break;
          const permanent = failed.filter((f) => f.SenderFault);
          if (permanent.length > 0 || attempt >= 4) {
            throw new QueueSendError(failed.length, failed.map((f) => f.Code ?? 'unknown').join(', '));
          }
          const retry = new Set(failed.map((f) => f.Id));
          entries = entries.filter((e) => retry.has(e.Id));
          await sleep(100 * 2 ** attempt);
        }
      }
    },
  };
}
