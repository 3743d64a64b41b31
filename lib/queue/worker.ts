import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { addLogKeys, logger, withLogKeys } from '../log';
import { sqs } from '../aws';
import { counters, metrics } from '../metrics';
import { secretsMiddleware } from '../secrets';
import { sqsRedelivery, type Redelivery } from './redelivery';
import { withDeadline } from '../deadline';

/** Time kept back from the Lambda timeout: to give up a DocSpace request cleanly, shorten the visibility, report. */
const DEADLINE_MARGIN_MS = 10_000;

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
 *
 * A record that fails is not left to the queue's visibility timeout (sized for a crashed invocation): before it is
 * reported, its visibility is set to a short backoff that grows with its receive count (lib/queue/redelivery.ts),
 * so trouble that passes in seconds costs seconds. This holds for an all-fail batch too: the visibility was set
 * per record before Powertools throws. A malformed message keeps the visibility timeout; it will never parse.
 */
export function sqsWorker<S extends z.ZodType>(
  schema: S,
  handle: (message: z.infer<S>, context: MessageContext) => Promise<void>,
  options: { sequential?: boolean; redelivery?: Redelivery } = {},
): SqsHandler {
  let redelivery = options.redelivery;
  // Each record gets its own log scope (records run in parallel): its messageId, and its jobId once parsed.
  const recordHandler = (record: SQSRecord): Promise<void> =>
    withLogKeys({ messageId: record.messageId }, async () => {
      try {
        await handleRecord(record);
      } catch (error) {
        if (!(error instanceof MalformedMessageError)) await scheduleRedelivery(record, error);
        throw error;
      }
    });
  const scheduleRedelivery = async (record: SQSRecord, error: unknown): Promise<void> => {
    const receiveCount = receiveCountOf(record);
    try {
      redelivery ??= sqsRedelivery(sqs());
      const seconds = await redelivery.schedule(record, receiveCount, error);
      counters.count('RecordsRedelivered');
      logger.warn('record failed; SQS redelivers it after a backoff', { receiveCount, redeliverInSeconds: seconds, error: describe(error) });
    } catch (visibilityError) {
      // The record still fails and comes back, only after the visibility timeout.
      logger.warn('could not shorten the visibility of a failed record', { receiveCount, error: describe(visibilityError) });
    }
  };
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
    await handle(parsed.data, { messageId: record.messageId, receiveCount: receiveCountOf(record) });
  };
  const core = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    // Every record of the batch must give up before the Lambda is killed: a killed step waits out the visibility
    // timeout, a step that failed cleanly is back within seconds.
    const remaining = context.getRemainingTimeInMillis?.() ?? 0;
    const deadline = remaining > 0 ? Date.now() + remaining - Math.min(DEADLINE_MARGIN_MS, remaining / 4) : undefined;
    const underDeadline = (record: SQSRecord): Promise<void> =>
      deadline === undefined ? recordHandler(record) : withDeadline(deadline, () => recordHandler(record));
    // A processor per invocation: it holds the batch's state, and the local stack runs a function's concurrent
    // invocations in one process (on Lambda each has its own instance, so this costs nothing there).
    return processPartialResponse(event, underDeadline, new BatchProcessor(EventType.SQS), {
      context,
      ...(options.sequential ? { processInParallel: false } : {}),
    });
  };
  return middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics))
    .use(secretsMiddleware())
    .handler(core) as unknown as SqsHandler;
}

function receiveCountOf(record: SQSRecord): number {
  return Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
