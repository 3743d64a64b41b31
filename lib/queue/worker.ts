import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { addLogKeys, logger, withLogKeys } from '../log';
import { metrics } from '../metrics';
import { secretsMiddleware } from '../secrets';

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

export interface MessageContext {
  messageId: string;
  /** 1 on first delivery; higher means SQS is redelivering after a failure or a crash. */
  receiveCount: number;
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * An SQS worker with partial batch responses: each record is parsed with zod and handled on its own; a record
 * whose handler throws is reported in batchItemFailures and redelivered (and, after maxReceiveCount, parked in
 * the DLQ), while the others are deleted. If every record fails, Powertools throws FullBatchFailureError; it is
 * deliberately not caught (catching it reports zero failures and SQS would delete the whole batch).
 */
export function sqsWorker<S extends z.ZodType>(
  schema: S,
  handle: (message: z.infer<S>, context: MessageContext) => Promise<void>,
  options: { sequential?: boolean } = {},
): SqsHandler {
  // Each record gets its own log scope (records run in parallel): its messageId, and its jobId once parsed.
  const recordHandler = (record: SQSRecord): Promise<void> =>
    withLogKeys({ messageId: record.messageId }, () => handleRecord(record));
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new MalformedMessageError(`message ${record.messageId} is not JSON`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new MalformedMessageError(`message ${record.messageId}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    const jobId = (parsed.data as { jobId?: unknown } | null)?.jobId;
    if (typeof jobId === 'string') addLogKeys({ jobId });
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
    await handle(parsed.data, { messageId: record.messageId, receiveCount });
  };
  const core = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    // A processor per invocation: it holds the batch's state, and the local stack runs a function's concurrent
    // invocations in one process (on Lambda each has its own instance, so this costs nothing there).
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      ...(options.sequential ? { processInParallel: false } : {}),
    });
  return middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics))
    .use(secretsMiddleware())
    .handler(core) as unknown as SqsHandler;
}
