import { ChangeMessageVisibilityCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/*
 * When a record fails, SQS would hand it out again only once the queue's visibility timeout runs out (720 s for
 * file moves), a wait sized for a crashed invocation. A record whose handler *returned* a failure is instead made
 * visible again after a short backoff that grows with its receive count, by ChangeMessageVisibility on its receipt
 * handle before the batch response reports it.
 *
 * Why ChangeMessageVisibility and not a re-send with DelaySeconds: the message stays the same message, so
 * ApproximateReceiveCount keeps counting, the DLQ's maxReceiveCount still parks a message that never succeeds,
 * the workflows' "last attempt" logic (receiveCount >= 5) stays true, and there is no window in which the copy
 * was sent but the original not yet deleted (two deliveries). It needs sqs:ChangeMessageVisibility (every worker
 * role has it, infra/per-function.js) and nothing else: no SendMessage on a queue a worker only consumes.
 */

/** Seconds before attempt n+1 after attempt n failed: 5, 25, 125, 625, never more than the visibility timeout. */
export const REDELIVERY_BASE_SECONDS = 5;
const GROWTH = 5;
/** SQS's own upper bound for a visibility timeout. */
const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/** The cap when the queue's visibility timeout could not be read. */
const UNKNOWN_CEILING_SECONDS = 900;

/**
 * An error may ask for a longer wait than the backoff (for example a copy that DocSpace may still be applying);
 * never a shorter one.
 */
export interface WantsRedeliveryAfter {
  redeliverAfterSeconds: number;
}

function wantsAtLeast(error: unknown): number {
  const seconds = (error as Partial<WantsRedeliveryAfter> | null)?.redeliverAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/**
 * The visibility to give a record that failed on its `receiveCount`-th delivery: exponential from 5 s with
 * jitter over its upper half (records that failed together do not all come back in the same second), capped by
 * the queue's own visibility timeout (a returned failure never waits longer than a crash would).
 */
export function redeliveryDelaySeconds(
  receiveCount: number,
  options: { visibilityTimeoutSeconds?: number; error?: unknown; random?: () => number } = {},
): number {
  const n = Math.max(1, Math.floor(receiveCount));
  const ceiling = options.visibilityTimeoutSeconds ?? UNKNOWN_CEILING_SECONDS;
  const full = Math.min(ceiling, REDELIVERY_BASE_SECONDS * GROWTH ** (n - 1));
  const jittered = Math.ceil(full / 2 + (options.random ?? Math.random)() * (full / 2));
  const wanted = Math.ceil(wantsAtLeast(options.error));
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(0, jittered, wanted));
}

/** `arn:aws:sqs:eu-west-1:123456789012:name` → the queue URL SQS answers to (the SDK's configured endpoint is used
 *  locally; the emulator finds the queue by name). */
export function queueUrlFromArn(arn: string): string {
  const [, partition, service, region, account, name] = arn.split(':');
  if (service !== 'sqs' || !region || !account || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export interface Redelivery {
  /** Makes a failed record visible again after the backoff for its receive count; returns the seconds chosen. */
  schedule(record: { eventSourceARN: string; receiptHandle: string }, receiveCount: number, error: unknown): Promise<number>;
}

/** Redelivery through SQS itself; the queue's visibility timeout is read once per queue per process. */
export function sqsRedelivery(sqs: SQSClient, options: { random?: () => number } = {}): Redelivery {
  const timeouts = new Map<string, Promise<number | undefined>>();
  const visibilityTimeoutOf = (queueUrl: string): Promise<number | undefined> => {
    let known = timeouts.get(queueUrl);
    if (!known) {
      known = sqs
        .send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }))
        .then((out) => {
          const seconds = Number(out.Attributes?.VisibilityTimeout);
          return Number.isFinite(seconds) ? seconds : undefined;
        })
        .catch(() => {
          timeouts.delete(queueUrl);
          return undefined;
        });
      timeouts.set(queueUrl, known);
    }
    return known;
  };
  return {
    async schedule(record, receiveCount, error) {
      const queueUrl = queueUrlFromArn(record.eventSourceARN);
      const visibilityTimeoutSeconds = await visibilityTimeoutOf(queueUrl);
      const seconds = redeliveryDelaySeconds(receiveCount, {
        error,
        ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
        ...(options.random ? { random: options.random } : {}),
      });
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
      return seconds;
    },
  };
}
