import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadServiceModel, type QueueSpec, type ServiceModel } from './cfn';

/*
 * The two AWS services the bundle uses, emulated in this process: DynamoDB by dynalite (pure JS; conditional
 * writes work, TransactWriteItems and UpdateTimeToLive do not) and SQS by local-aws-sqs (visibility timeouts and
 * RedrivePolicy → DLQ behave like SQS). Both listen on 127.0.0.1 only. The table and queues are created from
 * infra/resources.yml via ./cfn, so local and AWS cannot drift.
 */

export const LOCAL_REGION = 'us-east-1';
/** local-aws-sqs's default account id; it appears in every queue URL and ARN. */
export const LOCAL_ACCOUNT_ID = '123456789012';
/** The emulators accept any credentials, but the SDK refuses to sign without some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server, host: string, port: number): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        // SDK clients keep connections alive; without this, close() waits for them to time out.
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

export function startDynamo(options: { host?: string; port?: number } = {}): Promise<RunningServer> {
  // No table-state delays: the emulator is only useful if a fresh table is ACTIVE at once.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
}

export async function startSqs(options: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  const running = await listen(server, host, options.port ?? 0);
  // local-aws-sqs builds queue URLs from the port it is given, so the handler is created once the port is known.
  const { requestHandler, service } = createRequestHandler({
    port: running.port,
    hostname: host,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    // Tests create and drop stacks quickly; AWS's 60 s wait before re-creating a queue name only gets in the way.
    emulateQueueCreationLifecycle: false,
  });
  server.on('request', (req, res) => {
    keepReceiveCountOnVisibilityChange(service.Queues);
    void requestHandler(req, res);
  });
  return running;
}

type EmulatedRecord = { record: { MessageId: string; attributes: Record<string, string> } };
type EmulatedQueue = {
  newRecord: (message: Record<string, unknown>, delay?: number) => EmulatedRecord;
  changeVisibility: (receiptHandle: string, visibilityTimeout: string) => boolean;
  delete: (receiptHandle: string) => boolean;
};
const patchedQueues = new WeakSet<object>();

/** local-aws-sqs's receipt handles are base64 of a UUID followed by JSON naming the message. */
function messageIdOfHandle(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const id = (JSON.parse(text.slice(text.indexOf('{'))) as { MessageId?: unknown }).MessageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * local-aws-sqs 2.0.2 counts a ChangeMessageVisibility as a receive (its visibility setter adds one to
 * ApproximateReceiveCount, and its redrive check runs on that count), so a worker that shortens a failed record's
 * visibility would see receive counts jump by two and reach the DLQ after half its attempts. SQS counts receives
 * only. This puts the count back after the emulator's own change: each queue's records are remembered as they are
 * created (the queue keeps them in a private field) and forgotten when deleted.
 */
function keepReceiveCountOnVisibilityChange(queues: readonly object[]): void {
  for (const queue of queues as unknown as EmulatedQueue[]) {
    if (patchedQueues.has(queue)) continue;
    patchedQueues.add(queue);
    const records = new Map<string, EmulatedRecord>();
    const newRecord = queue.newRecord;
    queue.newRecord = (message, delay) => {
      const entry = newRecord(message, delay);
      records.set(entry.record.MessageId, entry);
      return entry;
    };
    const remove = queue.delete.bind(queue);
    queue.delete = (receiptHandle) => {
      const deleted = remove(receiptHandle);
      const id = messageIdOfHandle(receiptHandle);
      if (deleted && id) records.delete(id);
      return deleted;
    };
    const changeVisibility = queue.changeVisibility.bind(queue);
    queue.changeVisibility = (receiptHandle, visibilityTimeout) => {
      const id = messageIdOfHandle(receiptHandle);
      const entry = id === undefined ? undefined : records.get(id);
      const count = entry?.record.attributes.ApproximateReceiveCount;
      const changed = changeVisibility(receiptHandle, visibilityTimeout);
      if (entry && count !== undefined) entry.record.attributes.ApproximateReceiveCount = count;
      return changed;
    };
  }
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  visibilityTimeout: number;
  /** Logical id of this queue's DLQ, if it has one. */
  deadLetterLogicalId?: string;
  maxReceiveCount?: number;
}

export interface LocalResources {
  /** Logical id → table name. */
  tables: Record<string, string>;
  /** Logical id → queue. */
  queues: Record<string, LocalQueue>;
  /** TABLE_NAME, FILE_MOVES_QUEUE_URL, ... as infra/environment.js wires them on AWS. */
  wiring: Record<string, string>;
}

/** DLQs before the queues that redrive into them: SQS wants the target's ARN at creation. */
function creationOrder(queues: QueueSpec[]): QueueSpec[] {
  const dlqs = new Set(queues.flatMap((q) => (q.redrive ? [q.redrive.deadLetterLogicalId] : [])));
  return [...queues.filter((q) => dlqs.has(q.logicalId)), ...queues.filter((q) => !dlqs.has(q.logicalId))];
}

export async function createResources(
  model: ServiceModel,
  clients: { dynamo: DynamoDBClient; sqs: SQSClient },
  options: { visibilityTimeoutSeconds?: number } = {},
): Promise<LocalResources> {
  const tables: Record<string, string> = {};
  for (const table of model.tables) {
    await clients.dynamo.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: table.attributeDefinitions,
        KeySchema: table.keySchema,
        ...(table.globalSecondaryIndexes ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes as never } : {}),
        ...(table.localSecondaryIndexes ? { LocalSecondaryIndexes: table.localSecondaryIndexes as never } : {}),
      }),
    );
    for (let i = 0; ; i++) {
      const { Table } = await clients.dynamo.send(new DescribeTableCommand({ TableName: table.name }));
      if (Table?.TableStatus === 'ACTIVE') break;
      if (i > 100) throw new Error(`table ${table.name} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 20));
    }
    tables[table.logicalId] = table.name;
  }

  const queues: Record<string, LocalQueue> = {};
  for (const spec of creationOrder(model.queues)) {
    const visibilityTimeout = options.visibilityTimeoutSeconds ?? spec.visibilityTimeout;
    const attributes: Record<string, string> = { VisibilityTimeout: String(visibilityTimeout) };
    if (spec.messageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(spec.messageRetentionPeriod);
    if (spec.delaySeconds !== undefined) attributes.DelaySeconds = String(spec.delaySeconds);
    if (spec.redrive) {
      const dlq = queues[spec.redrive.deadLetterLogicalId];
      if (!dlq) throw new Error(`${spec.logicalId}: dead-letter queue ${spec.redrive.deadLetterLogicalId} is not a queue`);
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: spec.redrive.maxReceiveCount });
    }
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: spec.name, Attributes: attributes }));
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queues[spec.logicalId] = {
      logicalId: spec.logicalId,
      name: spec.name,
      url: QueueUrl!,
      arn: Attributes!.QueueArn!,
      visibilityTimeout,
      ...(spec.redrive
        ? { deadLetterLogicalId: spec.redrive.deadLetterLogicalId, maxReceiveCount: spec.redrive.maxReceiveCount }
        : {}),
    };
  }

  const wiring: Record<string, string> = {};
  for (const [variable, logicalId] of Object.entries(model.wiring)) {
    const value = tables[logicalId] ?? queues[logicalId]?.url;
    if (!value) throw new Error(`infra/environment.js wires ${variable} to ${logicalId}, which resources.yml does not define`);
    wiring[variable] = value;
  }
  return { tables, queues, wiring };
}

export interface LocalAws {
  model: ServiceModel;
  dynamo: RunningServer;
  sqs: RunningServer;
  resources: LocalResources;
  /** What a process needs to use the emulators through the standard SDK settings, plus the wiring. */
  env: Record<string, string>;
  clients: { dynamo: DynamoDBClient; sqs: SQSClient };
  close(): Promise<void>;
}

/** Both emulators with the bundle's table and queues, ready to use. */
export async function startLocalAws(options: {
  stage: string;
  host?: string;
  dynamoPort?: number;
  sqsPort?: number;
  visibilityTimeoutSeconds?: number;
  root?: string;
}): Promise<LocalAws> {
  const model = loadServiceModel({ stage: options.stage, ...(options.root ? { root: options.root } : {}) });
  const dynamo = await startDynamo({ host: options.host, port: options.dynamoPort });
  const sqs = await startSqs({ host: options.host, port: options.sqsPort }).catch(async (error: unknown) => {
    await dynamo.close();
    throw error;
  });
  const clients = { dynamo: dynamoClient(dynamo.url), sqs: sqsClient(sqs.url) };
  const close = async () => {
    clients.dynamo.destroy();
    clients.sqs.destroy();
    await Promise.all([dynamo.close(), sqs.close()]);
  };
  try {
    const resources = await createResources(model, clients, { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
    const env = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      ...resources.wiring,
    };
    return { model, dynamo, sqs, resources, env, clients, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** A queue's counts with SQS's meaning. local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const all = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  return { visible: Math.max(0, all - inFlight), inFlight, delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0) };
}
