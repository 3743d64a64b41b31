import { createHmac } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as scan } from '../../functions/abandoned-rooms/handler';
import { handler as opsConsole } from '../../functions/console/handler';
import { handler as dealArchiveWebhook } from '../../functions/deal-archive/handler';
import { handler as jobRetry } from '../../functions/job-retry/handler';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as previews } from '../../functions/previews/handler';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { handler as taskCompleteWebhook } from '../../functions/task-complete/handler';
import { handler as uploadCopyWebhook } from '../../functions/upload-copy/handler';
import { lambdaContext } from '../../infra/local/lambda-context';
import { DEMO } from '@docspace-flows/simulator';
import { dynamo, sqs } from '../../lib/aws';
import { JobStore } from '../../lib/jobs/store';
import { startStack, type Stack } from '../support/stack';

/*
 * The roles of infra/per-function.js are only as good as the calls they allow: a missing action shows up on AWS
 * as AccessDenied in the middle of a job. Every workflow runs here once, one function at a time, while every
 * DynamoDB and SQS call the bundle's own clients make is recorded under the function that made it; each call must
 * be allowed by that function's role, on that resource.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const perFunction = require('../../infra/per-function.js') as {
  roles: (ctx: { resolveVariable: (v: string) => Promise<string> }) => Promise<Record<string, any>>;
  roleId: (key: string) => string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { WIRING } = require('../../infra/environment.js') as { WIRING: Record<string, string> };

type Call = { action: string; resource: string };

let stack: Stack;
let current: string | undefined;
const calls = new Map<string, Call[]>();
const allowed = new Map<string, Call[]>();

/** DocumentClient command names → IAM actions. */
const DYNAMO_ACTIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchWriteCommand: 'BatchWriteItem',
  BatchGetCommand: 'BatchGetItem',
  TransactWriteCommand: 'TransactWriteItems',
  TransactGetCommand: 'TransactGetItems',
};

function record(action: string, resource: string): void {
  if (!current) throw new Error(`${action} on ${resource} outside of a function under test`);
  const list = calls.get(current) ?? [];
  list.push({ action, resource });
  calls.set(current, list);
}

function resourceOfUrl(url: string): string {
  const variable = Object.keys(WIRING).find((name) => stack.env[name] === url);
  return variable ? WIRING[variable]! : `unknown queue ${url}`;
}

async function as<T>(functionKey: string, run: () => Promise<T>): Promise<T> {
  current = functionKey;
  try {
    return await run();
  } finally {
    current = undefined;
  }
}

/** `!GetAtt X.Arn` → X; `!Sub ${X.Arn}/index/i` → X/index/i; anything else as JSON. */
function resourceId(r: unknown): string {
  const getAtt = (r as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0];
  if (getAtt) return getAtt;
  const sub = /^\$\{(\w+)\.Arn\}(\/index\/[\w-]+)$/.exec(String((r as { 'Fn::Sub'?: string })['Fn::Sub'] ?? ''));
  return sub ? `${sub[1]}${sub[2]}` : JSON.stringify(r);
}

const context = (functionKey: string): Context =>
  lambdaContext({ functionName: `docspace-flows-test-${functionKey}`, timeoutSeconds: 300 });

function signed(secret: string, body: unknown, upper = false) {
  const raw = JSON.stringify(body);
  const hex = createHmac('sha256', secret).update(raw).digest('hex');
  return { raw, hex: upper ? hex.toUpperCase() : hex };
}

beforeAll(async () => {
  stack = await startStack({ simulator: { fileOpDurationMs: 5, templateDurationMs: 20 } });
  const tableNames = new Map([[stack.env.TABLE_NAME!, 'JobsTable']]);
  dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { TableName?: string; IndexName?: string; RequestItems?: Record<string, unknown>; TransactItems?: unknown[] };
      // A query on an index needs the index's ARN (<table ARN>/index/<name>), not the table's.
      const names = new Map([...tableNames].map(([t, id]) => [t, input.IndexName ? `${id}/index/${input.IndexName}` : id]));
      const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
      // The DocumentClient's commands reach this stack as the low-level ones (PutItemCommand ...), but map both.
      const action = `dynamodb:${DYNAMO_ACTIONS[ctx.commandName!] ?? ctx.commandName!.replace(/Command$/, '')}`;
      for (const t of tables.length ? tables : ['?']) record(action, names.get(t) ?? `unknown table ${t}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordForIamTest' },
  );
  sqs().middlewareStack.add(
    (next, ctx) => async (args) => {
      const name = ctx.commandName!.replace(/Command$/, '').replace(/Batch$/, '');
      record(`sqs:${name}`, resourceOfUrl((args.input as { QueueUrl: string }).QueueUrl));
      return next(args);
    },
    { step: 'initialize', name: 'recordForIamTest' },
  );

  const roles = await perFunction.roles({
    resolveVariable: async (v) => (v === 'self:service' ? 'docspace-flows' : v === 'sls:stage' ? 'test' : v.split(/,\s*/)[1]!.replace(/^'|'$/g, '')),
  });
  for (const [id, role] of Object.entries(roles)) {
    const statements = role.Properties.Policies[0].PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown[] }>;
    allowed.set(
      id,
      statements.flatMap((s) =>
        s.Action.flatMap((action) =>
          s.Resource.map((r) => ({ action, resource: resourceId(r) })),
        ),
      ),
    );
  }

  // Workflow 2, then 1: the webhook alone, then the worker alone (only its queue has messages).
  const deal = signed(stack.secrets.deals, { dealId: 'D-IAM', clientRoomId: DEMO.clientRoomId, clientName: 'IAM Ltd', guestUserId: DEMO.guestUserId });
  const dealJob = await as('dealArchiveWebhook', () =>
    stack.http(dealArchiveWebhook, { method: 'POST', path: '/webhooks/deals/closed', headers: { 'x-signature-256': `sha256=${deal.hex}`, 'content-type': 'application/json' }, body: deal.raw }),
  );
  expect(dealJob.statusCode).toBe(202);
  await as('fileMovesWorker', () => stack.drain({ timeoutMs: 60_000 }));
  const task = signed(stack.secrets.tasks, { taskId: 'T-IAM', status: 'closed', docsFolderId: DEMO.taskFolderId });
  expect(
    (await as('taskCompleteWebhook', () =>
      stack.http(taskCompleteWebhook, { method: 'POST', path: '/webhooks/tasks', headers: { 'x-signature-256': `sha256=${task.hex}`, 'content-type': 'application/json' }, body: task.raw }),
    )).statusCode,
  ).toBe(202);
  await as('fileMovesWorker', () => stack.drain({ timeoutMs: 60_000 }));

  // Workflow 4.
  const project = signed(stack.secrets.projects, { projectId: 'P-IAM', projectType: 'legal', projectName: 'IAM check' });
  expect(
    (await as('projectRoomWebhook', () =>
      stack.http(projectRoomWebhook, { method: 'POST', path: '/webhooks/projects', headers: { 'x-signature-256': `sha256=${project.hex}`, 'content-type': 'application/json' }, body: project.raw }),
    )).statusCode,
  ).toBe(202);
  await as('projectRoomWorker', () => stack.drain({ timeoutMs: 60_000 }));

  // Workflow 3: an upload into the source room of COPY_RULES.
  const fileId = stack.sim.addFile(DEMO.sourceRoomId, 'iam.pdf');
  const upload = signed(
    stack.secrets.docspace,
    {
      event: { id: 4242, createOn: '2026-11-30T10:00:00Z', trigger: 'file.uploaded', triggerId: 256 },
      payload: { id: fileId, parentId: DEMO.sourceRoomId, title: 'iam.pdf', rootFolderType: 14, fileEntryType: 2 },
      webhook: { id: 42, name: 'iam', triggers: ['file.uploaded'] },
    },
    true,
  );
  expect(
    (await as('uploadCopyWebhook', () =>
      stack.http(uploadCopyWebhook, { method: 'POST', path: '/webhooks/docspace', headers: { 'x-docspace-signature-256': `sha256=${upload.hex}`, 'content-type': 'application/json' }, body: upload.raw }),
    )).statusCode,
  ).toBe(202);
  await as('uploadCopyWorker', () => stack.drain({ timeoutMs: 60_000 }));

  // Workflow 5 and the read API.
  await as('abandonedRoomsScan', () => scan({ source: 'aws.events' }, context('abandonedRoomsScan')));
  await as('jobsApi', async () => {
    const auth = { authorization: `Bearer ${stack.secrets.admin}` };
    expect((await stack.http(jobsApi, { method: 'GET', path: `/jobs/${dealJob.body.jobId}`, headers: auth })).body.status).toBe('succeeded');
    expect((await stack.http(jobsApi, { method: 'GET', path: '/reports/abandoned-rooms/latest', headers: auth })).statusCode).toBe(200);
    expect((await stack.http(jobsApi, { method: 'GET', path: '/jobs?status=succeeded&limit=2', headers: auth })).body.jobs).toHaveLength(2);
    expect((await stack.http(jobsApi, { method: 'GET', path: '/dead-letter-queues', headers: auth })).body.queues).toHaveLength(3);
  });

  // An operator's retry of a failed job (made failed here outside any function), then the run it queues.
  await new JobStore(stack.ddb, stack.env.TABLE_NAME!).transition(dealJob.body.jobId, ['succeeded'], 'failed');
  await as('jobRetry', async () => {
    const auth = { authorization: `Bearer ${stack.secrets.admin}` };
    expect((await stack.http(jobRetry, { method: 'POST', path: `/jobs/${dealJob.body.jobId}/retry`, headers: auth })).statusCode).toBe(202);
  });
  await as('fileMovesWorker', () => stack.drain({ timeoutMs: 60_000 }));

  // The console's page: served from the bundle, nothing read.
  await as('opsConsole', async () => {
    expect((await stack.http(opsConsole, { method: 'GET', path: '/console' })).statusCode).toBe(200);
  });

  // A preview reads DocSpace only: a DynamoDB or SQS call would be recorded under it (checked below).
  await as('previews', async () => {
    const body = JSON.stringify({ dealId: 'D-IAM-2', clientRoomId: DEMO.clientRoomId, clientName: 'IAM Ltd' });
    const answer = await stack.http(previews, { method: 'POST', path: '/previews/deals/closed', headers: { authorization: `Bearer ${stack.secrets.admin}` }, body });
    expect(answer.statusCode).toBe(200);
  });
}, 300_000);

afterAll(() => stack?.stop());

const FUNCTIONS = [
  'dealArchiveWebhook',
  'taskCompleteWebhook',
  'fileMovesWorker',
  'projectRoomWebhook',
  'projectRoomWorker',
  'uploadCopyWebhook',
  'uploadCopyWorker',
  'abandonedRoomsScan',
  'jobsApi',
  'jobRetry',
];

describe('each function role', () => {
  it('gives the console, which serves a static page, no DynamoDB or SQS grant and makes no such call', () => {
    expect(calls.get('opsConsole') ?? []).toEqual([]);
    expect(allowed.get(perFunction.roleId('opsConsole'))!.filter((g) => /^(dynamodb|sqs):/.test(g.action))).toEqual([]);
  });

  it('gives the previews, which make no DynamoDB or SQS call, no DynamoDB or SQS grant', () => {
    expect(calls.get('previews') ?? []).toEqual([]);
    expect(allowed.get(perFunction.roleId('previews'))!.filter((g) => /^(dynamodb|sqs):/.test(g.action))).toEqual([]);
  });

  it.each(FUNCTIONS)('allows every DynamoDB and SQS call that %s makes in a real run', (functionKey) => {
    const made = calls.get(functionKey) ?? [];
    expect(made.length, `${functionKey} made no calls; the run did not reach it`).toBeGreaterThan(0);
    const grants = allowed.get(perFunction.roleId(functionKey))!;
    const denied = [...new Set(made.map((c) => `${c.action} on ${c.resource}`))].filter(
      (call) => !grants.some((g) => `${g.action} on ${g.resource}` === call),
    );
    expect(denied, `${functionKey} would get AccessDenied`).toEqual([]);
    // Not a failure: some grants serve paths one happy run does not take (resuming a failed job, a held lease).
    const unused = grants
      .filter((g) => /^(dynamodb|sqs):/.test(g.action) && !made.some((c) => c.action === g.action && c.resource === g.resource))
      .map((g) => `${g.action} on ${g.resource}`);
    if (unused.length) console.log(`${functionKey}: granted, not used in this run: ${unused.join(', ')}`);
  });
});
