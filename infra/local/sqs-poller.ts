import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { SqsMapping } from './cfn';

/*
 * What Lambda's SQS event-source mapping does, for the local stack. serverless-offline-sqs deletes whole batches
 * and ignores batchItemFailures, which would hide exactly the redelivery and DLQ behaviour the workers rely on.
 *
 * Per mapping: receive up to batchSize, invoke the function with a real-shaped SQSEvent, then delete only the
 * records the function did not report as failed. A thrown error (or an invalid failure report, as on AWS) fails
 * the whole batch: nothing is deleted and SQS redelivers after the visibility timeout, then parks in the DLQ.
 * At most maximumConcurrency invocations per mapping run at once.
 */

export type SqsInvoker = (functionKey: string, event: SQSEvent, mapping: SqsMapping) => Promise<unknown>;

export interface PollerTarget {
  mapping: SqsMapping;
  queueUrl: string;
  queueArn: string;
}

export interface PollerEvent {
  functionKey: string;
  received: number;
  deleted: number;
  retained: number;
  error?: unknown;
}

export interface SqsPollersOptions {
  sqs: SQSClient;
  targets: PollerTarget[];
  invoke: SqsInvoker;
  region?: string;
  /** Pause after an empty receive. Short: local-aws-sqs long polls keep collecting until the wait ends and can
   *  then hand out a message twice in one batch when its visibility timeout is shorter than the wait. */
  idleDelayMs?: number;
  onBatch?: (event: PollerEvent) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function toLambdaAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    };
  }
  return out;
}

export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'LOCAL',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp || String(Date.now()),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records to delete after an invocation, following Lambda's rules for ReportBatchItemFailures: a missing or
 * empty report means all succeeded; an identifier that is empty or not in the batch makes the whole batch fail.
 */
export function recordsToDelete(records: SQSRecord[], result: unknown, reportBatchItemFailures: boolean): SQSRecord[] {
  if (!reportBatchItemFailures) return records;
  const failures = (result as Partial<SQSBatchResponse> | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return records;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((r) => !failed.has(r.messageId));
}

export class SqsPollers {
  readonly #options: Required<Pick<SqsPollersOptions, 'idleDelayMs' | 'region'>> & SqsPollersOptions;
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #sleepers = new Set<() => void>();

  constructor(options: SqsPollersOptions) {
    this.#options = { idleDelayMs: 100, region: 'us-east-1', ...options };
  }

  get running(): boolean {
    return this.#running;
  }

  /** Invocations that have received messages and not yet settled them. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = this.#options.targets.map((target) => this.#loop(target));
  }

  /** Stops receiving and waits for the invocations already under way (their results are still applied). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const wake of this.#sleepers) wake();
    await Promise.all(this.#loops);
    await Promise.allSettled([...this.#inFlight]);
    this.#loops = [];
  }

  async #loop(target: PollerTarget): Promise<void> {
    const { mapping } = target;
    const active = new Set<Promise<void>>();
    while (this.#running) {
      if (active.size >= Math.max(1, mapping.maximumConcurrency)) {
        await Promise.race(active);
        continue;
      }
      let messages: Message[] = [];
      try {
        const out = await this.#options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: target.queueUrl,
            MaxNumberOfMessages: Math.min(10, Math.max(1, mapping.batchSize)),
            WaitTimeSeconds: 0,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (!this.#running) break;
        this.#options.onBatch?.({ functionKey: mapping.functionKey, received: 0, deleted: 0, retained: 0, error });
      }
      if (messages.length === 0) {
        await this.#idle();
        continue;
      }
      const batch = this.#process(target, messages);
      active.add(batch);
      this.#inFlight.add(batch);
      void batch.finally(() => {
        active.delete(batch);
        this.#inFlight.delete(batch);
      });
    }
    await Promise.allSettled([...active]);
  }

  #idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.#options.idleDelayMs);
      this.#sleepers.add(done);
    });
  }

  async #process(target: PollerTarget, messages: Message[]): Promise<void> {
    const { mapping } = target;
    // A message handed out twice in one receive would make DeleteMessageBatch fail with BatchEntryIdsNotDistinct.
    const unique = [...new Map(messages.map((m) => [m.MessageId, m])).values()];
    const records = unique.map((m) => toSqsRecord(m, target.queueArn, this.#options.region));
    let toDelete: SQSRecord[] = [];
    let error: unknown;
    try {
      const result = await this.#options.invoke(mapping.functionKey, { Records: records }, mapping);
      toDelete = recordsToDelete(records, result, mapping.reportBatchItemFailures);
    } catch (e) {
      error = e;
    }
    if (toDelete.length > 0) {
      try {
        const out = await this.#options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: target.queueUrl,
            Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
        if (out.Failed?.length) error ??= new Error(`could not delete ${out.Failed.length} message(s): ${out.Failed[0]?.Message}`);
      } catch (e) {
        error ??= e;
      }
    }
    this.#options.onBatch?.({
      functionKey: mapping.functionKey,
      received: records.length,
      deleted: toDelete.length,
      retained: records.length - toDelete.length,
      ...(error !== undefined ? { error } : {}),
    });
  }
}

/** How deployed functions are named, and so how serverless-offline's Lambda endpoint finds them. */
export function deployedFunctionName(service: string, stage: string, functionKey: string): string {
  return `${service}-${stage}-${functionKey}`;
}

export class LambdaInvokeError extends Error {
  override readonly name = 'LambdaInvokeError';
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName} failed (${errorType}): ${message}`);
  }
}

/**
 * Invokes a function through serverless-offline's Lambda API (`POST /2015-03-31/functions/<name>/invocations`,
 * the route the AWS SDK's Invoke uses), so the function runs in offline's own runtime with its environment.
 * A function error becomes a thrown LambdaInvokeError, like an unhandled error on AWS.
 */
export function lambdaEndpointInvoker(options: { endpoint: string; service: string; stage: string }) {
  return async (functionKey: string, event: unknown): Promise<unknown> => {
    const name = deployedFunctionName(options.service, options.stage, functionKey);
    const response = await fetch(`${options.endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      body: JSON.stringify(event),
    });
    const text = await response.text();
    let payload: unknown = undefined;
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = text;
      }
    }
    const errorType = response.headers.get('x-amz-function-error') ?? response.headers.get('x-amzn-errortype');
    if (!response.ok || errorType) {
      const p = payload as { errorMessage?: string; Message?: string } | undefined;
      throw new LambdaInvokeError(name, errorType ?? `HTTP ${response.status}`, p?.errorMessage ?? p?.Message ?? String(text).slice(0, 200));
    }
    return payload;
  };
}
