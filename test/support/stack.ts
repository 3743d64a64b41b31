import { ReceiveMessageCommand, ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queueCounts as countsOf, startLocalAws, type LocalAws, type LocalQueue, type QueueCounts } from '../../infra/local/emulators';
import { inProcessInvoker } from '../../infra/local/in-process';
import { lambdaContext } from '../../infra/local/lambda-context';
import { SqsPollers, type PollerEvent } from '../../infra/local/sqs-poller';
import { demoSettings, secretSettings, type LocalSecrets } from '../../infra/local/settings';
import { DEMO, DocSpaceSimulator, demoFixture, type SimulatorOptions } from '@docspace-flows/simulator';
import { resetAwsClients } from '../../lib/aws';
import { resetConfigCache } from '../../lib/config';
import type { HttpHandler } from '../../lib/http/endpoint';
import { resetRuntime } from '../../lib/runtime';
import { buildHttpEvent, readHttpResult, signatureHeaders, type HttpAnswer, type HttpRequest } from './http';

/*
 * The whole bundle in one test process: DynamoDB and SQS emulators with the table and queues of
 * infra/resources.yml, the DocSpace simulator on an ephemeral port, the settings in process.env, and SQS pollers
 * that invoke the worker handlers named in serverless.yml the way Lambda's event-source mapping does.
 *
 * One stack at a time per test file: handlers read process.env and the SDK clients are process-wide.
 */

export const STACK_STAGE = 'test';

export interface StackOptions {
  /** The simulator runs in-process, listening on 127.0.0.1:<ephemeral>. Default: the demo portal. */
  simulator?: SimulatorOptions;
  /** Extra settings, or overrides of the defaults (they win over everything the stack sets). */
  env?: Record<string, string>;
  /** Every queue's visibility timeout. Default 5 s, so a failed message comes back within a test's patience;
   *  keep it above the slowest handler run, or SQS hands the message out again while it is still being worked on. */
  visibilityTimeoutSeconds?: number;
  /** Pause of an idle poller between receives. Default 25 ms. */
  pollIdleMs?: number;
}

export type { QueueCounts };

export interface Stack {
  sim: DocSpaceSimulator;
  /** Everything put into process.env (TABLE_NAME, *_QUEUE_URL, DOCSPACE_API_HOST/KEY, secrets, ...). */
  env: Record<string, string>;
  secrets: LocalSecrets;
  /** Calls an HTTP handler with an API Gateway HTTP API event and parses the JSON answer. */
  http(handler: HttpHandler, request: HttpRequest): Promise<HttpAnswer>;
  /** `x-signature-256: sha256=<hex>` (and content-type) for a body signed with one of the secrets. */
  signedHeaders(secret: string, rawBody: string): Record<string, string>;
  /** Polls every queue with an SQS event-source mapping and invokes the workers in-process until all queues are
   *  empty and nothing is in flight; throws after timeoutMs (default 30 s) naming what is still queued. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  startPollers(): void;
  stopPollers(): Promise<void>;
  /** Counts of a queue by logical id (FileMovesQueue, FileMovesDLQ, ...). */
  queueCounts(logicalId: string): Promise<QueueCounts>;
  /** Bodies (JSON-parsed when possible) parked in the DLQ of the given queue, or in the given DLQ itself. */
  dlqMessages(logicalId: string): Promise<unknown[]>;
  /** Every batch the pollers handled, in order: what was received, deleted and retained. */
  batches(): PollerEvent[];
  ddb: DynamoDBDocumentClient;
  aws: LocalAws;
  stop(): Promise<void>;
}

export const TEST_SECRETS: LocalSecrets = {
  tasks: 'test-tasks-secret',
  deals: 'test-deals-secret',
  projects: 'test-projects-secret',
  docspace: 'test-docspace-secret',
  admin: 'test-admin-token-0123456789',
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function resetProcessCaches(): void {
  resetConfigCache();
  resetAwsClients();
  resetRuntime();
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const aws = await startLocalAws({
    stage: STACK_STAGE,
    host: '127.0.0.1',
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 5,
  });
  let sim: DocSpaceSimulator | undefined;
  let portal: { url: string; close(): Promise<void> };
  try {
    sim = new DocSpaceSimulator({ fixture: demoFixture(), ...options.simulator });
    portal = await sim.listen(0, '127.0.0.1');
  } catch (error) {
    await sim?.close();
    await aws.close();
    throw error;
  }

  const env: Record<string, string> = {
    ...aws.env,
    DOCSPACE_API_HOST: portal.url,
    DOCSPACE_API_KEY: sim.apiKey,
    ...demoSettings(DEMO),
    ...secretSettings(TEST_SECRETS),
    // Callbacks in tests go to 127.0.0.1.
    PROJECT_CALLBACK_ALLOW_PRIVATE: 'true',
    ...options.env,
  };
  const secrets: LocalSecrets = {
    tasks: env.TASKS_WEBHOOK_SECRET!,
    deals: env.DEALS_WEBHOOK_SECRET!,
    projects: env.PROJECTS_WEBHOOK_SECRET!,
    docspace: env.DOCSPACE_WEBHOOK_SECRET!,
    admin: env.ADMIN_API_TOKEN!,
  };

  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  resetProcessCaches();

  const { model } = aws;
  const queues = aws.resources.queues;
  const invoke = inProcessInvoker(model, { stage: STACK_STAGE });
  const batchLog: PollerEvent[] = [];
  const pollers = new SqsPollers({
    sqs: aws.clients.sqs,
    region: env.AWS_REGION,
    idleDelayMs: options.pollIdleMs ?? 25,
    invoke: (functionKey, event) => invoke(functionKey, event),
    targets: model.sqsMappings.map((mapping) => {
      const queue = queues[mapping.queueLogicalId];
      if (!queue) throw new Error(`${mapping.functionKey} consumes ${mapping.queueLogicalId}, which is not a queue`);
      return { mapping, queueUrl: queue.url, queueArn: queue.arn };
    }),
    onBatch: (event) => batchLog.push(event),
  });
  const polled = model.sqsMappings.map((m) => m.queueLogicalId);

  const queueOf = (logicalId: string): LocalQueue => {
    const queue = queues[logicalId];
    if (!queue) throw new Error(`no queue "${logicalId}"; queues: ${Object.keys(queues).join(', ')}`);
    return queue;
  };

  const queueCounts = (logicalId: string): Promise<QueueCounts> => countsOf(aws.clients.sqs, queueOf(logicalId).url);

  const ddb = DynamoDBDocumentClient.from(aws.clients.dynamo, { marshallOptions: { removeUndefinedValues: true } });
  let stopped = false;

  const stack: Stack = {
    sim,
    env,
    secrets,
    ddb,
    aws,

    async http(handler, request) {
      const event = buildHttpEvent(request, model.httpRoutes);
      const route = model.httpRoutes.find((r) => `${r.method} ${r.path}` === event.routeKey);
      const spec = route ? model.functions[route.functionKey] : undefined;
      const context = lambdaContext({
        functionName: `${model.service}-${STACK_STAGE}-${route?.functionKey ?? 'http'}`,
        timeoutSeconds: spec?.timeout ?? 10,
        memoryMB: spec?.memorySize ?? 256,
      });
      return readHttpResult(await handler(event, context));
    },

    signedHeaders: signatureHeaders,

    async drain({ timeoutMs = 30_000 } = {}) {
      const wasRunning = pollers.running;
      pollers.start();
      const deadline = Date.now() + timeoutMs;
      let quiet = 0;
      try {
        for (;;) {
          let busy = pollers.inFlight > 0;
          let counts: Record<string, QueueCounts> = {};
          if (!busy) {
            counts = Object.fromEntries(await Promise.all(polled.map(async (id) => [id, await queueCounts(id)] as const)));
            busy = pollers.inFlight > 0 || Object.values(counts).some((c) => c.visible + c.inFlight + c.delayed > 0);
          }
          // Twice quiet in a row: a handler may have sent a message just as the counts were read.
          quiet = busy ? 0 : quiet + 1;
          if (quiet >= 2) return;
          if (Date.now() > deadline) {
            throw new Error(
              `drain: still busy after ${timeoutMs} ms (${pollers.inFlight} invocation(s) running; ` +
                `${JSON.stringify(counts)}). A failed message returns after the visibility timeout; ` +
                'pass a small visibilityTimeoutSeconds to startStack.',
            );
          }
          await sleep(busy ? 20 : 10);
        }
      } finally {
        if (!wasRunning) await pollers.stop();
      }
    },

    startPollers: () => pollers.start(),
    stopPollers: () => pollers.stop(),
    queueCounts,

    async dlqMessages(logicalId) {
      const queue = queueOf(logicalId);
      const dlq = queue.deadLetterLogicalId ? queueOf(queue.deadLetterLogicalId) : queue;
      // Take everything out of sight, read it, then make it visible again: receiving must not consume it.
      const seen = new Map<string, { body: string; receiptHandle: string }>();
      for (;;) {
        const { Messages = [] } = await aws.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0 }),
        );
        const fresh = Messages.filter((m) => !seen.has(m.MessageId!));
        if (fresh.length === 0) break;
        for (const m of fresh) seen.set(m.MessageId!, { body: m.Body ?? '', receiptHandle: m.ReceiptHandle! });
      }
      const entries = [...seen.values()];
      for (let i = 0; i < entries.length; i += 10) {
        await aws.clients.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: dlq.url,
            Entries: entries.slice(i, i + 10).map((e, j) => ({ Id: String(j), ReceiptHandle: e.receiptHandle, VisibilityTimeout: 0 })),
          }),
        );
      }
      // local-aws-sqs applies even a 0 s visibility on a timer, so the messages come back a tick later; wait for
      // that, or a count taken right after this read still shows them in flight. Nothing else receives from a DLQ.
      const deadline = Date.now() + 1_000;
      while (entries.length > 0 && Date.now() < deadline && (await countsOf(aws.clients.sqs, dlq.url)).inFlight > 0) await sleep(5);
      return entries.map((e) => {
        try {
          return JSON.parse(e.body) as unknown;
        } catch {
          return e.body;
        }
      });
    },

    batches: () => [...batchLog],

    async stop() {
      if (stopped) return;
      stopped = true;
      await pollers.stop();
      await portal.close();
      await sim!.close();
      await aws.close();
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetProcessCaches();
    },
  };
  return stack;
}
