import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Powertools resets the level to the one it was built with on every invocation after the first, so the level
// has to be in the environment before lib/log is imported.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { log } from '../../../lib/log';
import { sqsWorker } from '../../../lib/queue/worker';
import { endpoint } from '../../../lib/http/endpoint';

const context = {
  functionName: 'test-fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-fn',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-request-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

let lines: Array<Record<string, unknown>>;
beforeEach(() => {
  lines = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const record = (messageId: string, body: unknown) => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
  awsRegion: 'us-east-1',
});

describe('log context', () => {
  it('puts each SQS record own messageId and jobId on its lines while records run in parallel', async () => {
    const worker = sqsWorker(z.object({ jobId: z.string(), delayMs: z.number() }), async (message) => {
      log.info('step one');
      await new Promise((resolve) => setTimeout(resolve, message.delayMs));
      log.info('step two');
    });
    const event = { Records: [record('m-1', { jobId: 'job-a', delayMs: 30 }), record('m-2', { jobId: 'job-b', delayMs: 1 })] };
    await worker(event as unknown as SQSEvent, context);
    const steps = lines.filter((l) => String(l.message).startsWith('step'));
    expect(steps).toHaveLength(4);
    for (const line of steps) {
      expect(line.jobId).toBe(line.messageId === 'm-1' ? 'job-a' : 'job-b');
    }
    expect(steps.map((l) => `${l.messageId}:${l.message}`)).toEqual(['m-1:step one', 'm-2:step one', 'm-2:step two', 'm-1:step two']);
  });

  it('puts the request id, and the jobId once known, on the lines of an HTTP request, and never its headers', async () => {
    const handler = endpoint(
      { authenticate: () => undefined, body: z.object({ id: z.string() }), logKeys: (body) => ({ eventId: body.id }) },
      async () => {
        log.info('working');
        return { statusCode: 202, body: { jobId: 'deal-archive-abc' } };
      },
    );
    const response = await handler(
      {
        version: '2.0',
        routeKey: 'POST /webhooks/deals/closed',
        rawPath: '/webhooks/deals/closed',
        rawQueryString: '',
        headers: { 'x-signature-256': 'sha256=feedface', authorization: 'Bearer secret-token' },
        requestContext: { requestId: 'req-123', http: { method: 'POST', path: '/webhooks/deals/closed' } },
        body: JSON.stringify({ id: 'evt-9' }),
        isBase64Encoded: false,
      } as never,
      context,
    );
    expect(response.statusCode).toBe(202);
    const working = lines.find((l) => l.message === 'working')!;
    expect(working).toMatchObject({ requestId: 'req-123', eventId: 'evt-9', route: 'POST /webhooks/deals/closed' });
    expect(lines.find((l) => l.message === 'request answered')).toMatchObject({ requestId: 'req-123', jobId: 'deal-archive-abc' });
    const all = JSON.stringify(lines);
    expect(all).not.toContain('feedface');
    expect(all).not.toContain('secret-token');
  });
});
