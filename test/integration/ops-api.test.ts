import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as dealArchiveWebhook } from '../../functions/deal-archive/handler';
import { handler as jobRetry } from '../../functions/job-retry/handler';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as previews } from '../../functions/previews/handler';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { handler as taskCompleteWebhook } from '../../functions/task-complete/handler';
import { handler as uploadCopyWebhook } from '../../functions/upload-copy/handler';
import { DEMO } from '@docspace-flows/simulator';
import { dynamo } from '../../lib/aws';
import { deadLetterQueuesSchema, fileMovePreviewSchema, jobListSchema } from '../../lib/http/openapi';
import { JOBS_BY_CREATED } from '../../lib/jobs/listing';
import { JobStore, type Workflow } from '../../lib/jobs/store';
import { buildNestedRoom, filesUnder } from '../bench/file-moves-room';
import { startStack, type Stack } from '../support/stack';

/*
 * The operations API on the local stack: GET /jobs (filters, pages), POST /jobs/{jobId}/retry (a failed job of
 * each workflow finishing its work), GET /dead-letter-queues, and the admin token on all of them.
 */

let stack: Stack;
let receiver: Server;
/** What the project system answers its callback with; a test makes it fail for a while. */
let callbackStatus = 200;
const callbacks: Array<{ status: number; roomId: number }> = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      callbacks.push({ status: callbackStatus, roomId: JSON.parse(Buffer.concat(chunks).toString('utf8')).roomId });
      res.statusCode = callbackStatus;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  stack = await startStack({
    visibilityTimeoutSeconds: 1,
    simulator: { fileOpDurationMs: 5, templateDurationMs: 20 },
    env: { PROJECT_CALLBACK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pm/rooms` },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

const admin = () => ({ authorization: `Bearer ${stack.secrets.admin}` });
const get = (path: string, headers: Record<string, string> = admin()) => stack.http(jobsApi, { method: 'GET', path, headers });
const retry = (jobId: string, headers: Record<string, string> = admin()) =>
  stack.http(jobRetry, { method: 'POST', path: `/jobs/${jobId}/retry`, headers });
const preview = (kind: 'deals/closed' | 'tasks', body: unknown, headers: Record<string, string> = admin()) =>
  stack.http(previews, { method: 'POST', path: `/previews/${kind}`, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function signed(handler: typeof dealArchiveWebhook, path: string, secret: string, body: unknown) {
  const raw = JSON.stringify(body);
  return stack.http(handler, { method: 'POST', path, headers: stack.signedHeaders(secret, raw), body: raw });
}
const postDeal = (deal: unknown) => signed(dealArchiveWebhook, '/webhooks/deals/closed', stack.secrets.deals, deal);
const postTask = (task: unknown) => signed(taskCompleteWebhook, '/webhooks/tasks', stack.secrets.tasks, task);
const postProject = (project: unknown) => signed(projectRoomWebhook, '/webhooks/projects', stack.secrets.projects, project);
function postUpload(eventId: number, fileId: number, title: string) {
  const raw = JSON.stringify({
    event: { id: eventId, createOn: '2026-11-30T10:00:00Z', trigger: 'file.uploaded', triggerId: 256 },
    payload: { id: fileId, parentId: DEMO.sourceRoomId, title, rootFolderType: 14, fileEntryType: 2 },
    webhook: { id: 77, name: 'ops', triggers: ['file.uploaded'] },
  });
  const signature = createHmac('sha256', stack.secrets.docspace).update(raw).digest('hex').toUpperCase();
  return stack.http(uploadCopyWebhook, {
    method: 'POST',
    path: '/webhooks/docspace',
    headers: { 'content-type': 'application/json', 'x-docspace-signature-256': `sha256=${signature}` },
    body: raw,
  });
}

async function job(jobId: string) {
  const answer = await get(`/jobs/${jobId}`);
  expect(answer.statusCode).toBe(200);
  return answer.body;
}

const byId = (a: number, b: number) => a - b;
const movedIds = () =>
  stack.sim
    .mutations()
    .filter((m) => m.method === 'PUT' && m.path.endsWith('/files/fileops/move'))
    .flatMap((m) => (m.body as { fileIds: number[] }).fileIds);

describe('GET /jobs', () => {
  // Seven jobs a minute apart in 2020, before anything else this file creates, written by the real store.
  const seeded: Array<{ jobId: string; workflow: Workflow; createdAt: string; status: string }> = [];
  beforeAll(async () => {
    let clock = Date.parse('2020-03-01T10:00:00.000Z');
    const store = new JobStore(stack.ddb, stack.env.TABLE_NAME!, () => clock);
    const events: Array<[Workflow, string, Record<string, unknown>, 'failed' | 'queued' | 'succeeded']> = [
      ['deal-archive', 'D-1', { sourceFolderId: 11, destination: { kind: 'named-child', parentId: 5, title: 'Acme' }, resultKey: 'archiveFolderId' }, 'failed'],
      ['task-complete', 'T-1\u0000301', { sourceFolderId: 301, destination: { kind: 'folder', folderId: 6 }, resultKey: 'completedFolderId' }, 'succeeded'],
      ['upload-copy', '9:1', { sourceFileId: 501, title: 'scan.pdf', folderId: 40, webhookId: 9, eventId: 1, createOn: 'x' }, 'failed'],
      ['project-room', 'P-1', { projectId: 'P-1', projectType: 'legal', projectName: 'Merger', title: 'Merger (P-1)' }, 'queued'],
      ['deal-archive', 'D-2', { sourceFolderId: 12, destination: { kind: 'named-child', parentId: 5, title: 'Globex' }, resultKey: 'archiveFolderId' }, 'succeeded'],
      ['deal-archive', 'D-3', { sourceFolderId: 13, destination: { kind: 'named-child', parentId: 5, title: 'Initech' }, resultKey: 'archiveFolderId' }, 'failed'],
      ['task-complete', 'T-2\u0000302', { sourceFolderId: 302, destination: { kind: 'folder', folderId: 6 }, resultKey: 'completedFolderId' }, 'failed'],
    ];
    for (const [workflow, key, input, status] of events) {
      const { job: created } = await store.createOnce(workflow, key, input);
      if (status !== 'queued') await store.transition(created.jobId, ['queued'], status);
      seeded.push({ jobId: created.jobId, workflow, createdAt: created.createdAt, status });
      clock += 60_000;
    }
    seeded.reverse(); // newest first, as the API answers
  });

  it('lists every job newest first, each with its progress and its business key in readable form', async () => {
    const answer = await get('/jobs');
    expect(answer.statusCode).toBe(200);
    // What infra/openapi.json documents.
    expect(() => jobListSchema.parse(answer.body)).not.toThrow();
    expect(answer.body.nextCursor).toBeNull();
    expect(answer.body.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(seeded.map((j) => j.jobId));
    const [latest] = answer.body.jobs;
    expect(latest).toEqual({
      jobId: seeded[0]!.jobId,
      workflow: 'task-complete',
      status: 'failed',
      createdAt: '2020-03-01T10:06:00.000Z',
      updatedAt: expect.any(String),
      progress: { total: 0, done: 0, failed: 0 },
      key: { taskId: 'T-2', docsFolderId: 302 },
    });
    // The oldest job of each workflow.
    const keys = Object.fromEntries(answer.body.jobs.map((j: { workflow: string; key: unknown }) => [j.workflow, j.key]));
    expect(keys).toEqual({
      'task-complete': { taskId: 'T-1', docsFolderId: 301 },
      'deal-archive': { dealId: 'D-1', clientName: 'Acme', clientRoomId: 11 },
      'project-room': { projectId: 'P-1', projectName: 'Merger' },
      'upload-copy': { fileId: 501, fileTitle: 'scan.pdf', folderId: 40 },
    });
  });

  it('reads the index with a Query, never a Scan', async () => {
    const sent: string[] = [];
    const client = dynamo();
    const original = client.send.bind(client);
    const spy = vi.spyOn(client, 'send').mockImplementation(((command: any, ...rest: any[]) => {
      sent.push(`${command.constructor.name}:${command.input.IndexName ?? ''}`);
      return (original as any)(command, ...rest);
    }) as never);
    try {
      expect((await get('/jobs?status=failed')).statusCode).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(sent).toEqual([`QueryCommand:${JOBS_BY_CREATED}`]);
  });

  it('combines the workflow, status and since filters', async () => {
    const ids = async (query: string) => {
      const answer = await get(`/jobs?${query}`);
      expect(answer.statusCode, query).toBe(200);
      return answer.body.jobs.map((j: { jobId: string }) => j.jobId);
    };
    const where = (p: (j: (typeof seeded)[number]) => boolean) => seeded.filter(p).map((j) => j.jobId);
    expect(await ids('workflow=deal-archive')).toEqual(where((j) => j.workflow === 'deal-archive'));
    expect(await ids('status=failed')).toEqual(where((j) => j.status === 'failed'));
    expect(await ids('workflow=deal-archive&status=failed')).toEqual(where((j) => j.workflow === 'deal-archive' && j.status === 'failed'));
    expect(await ids('since=2020-03-01T10:04:00Z')).toEqual(where((j) => j.createdAt >= '2020-03-01T10:04:00.000Z'));
    // The same instant written with an offset.
    expect(await ids('status=failed&since=2020-03-01T12:02:00%2B02:00')).toEqual(
      where((j) => j.status === 'failed' && j.createdAt >= '2020-03-01T10:02:00.000Z'),
    );
    // Empty values, as a form with nothing selected sends them, mean "any".
    expect(await ids('workflow=&status=&since=')).toEqual(seeded.map((j) => j.jobId));
    expect(await ids('workflow=project-room&status=failed')).toEqual([]);
  });

  it('pages through the list with the opaque cursor, each job once, in order', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const answer = await get(`/jobs?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.statusCode).toBe(200);
      pages.push(answer.body.jobs.map((j: { jobId: string }) => j.jobId));
      cursor = answer.body.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(seeded.map((j) => j.jobId));
  });

  it('pages through a filtered list too', async () => {
    const failed = seeded.filter((j) => j.status === 'failed').map((j) => j.jobId);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const answer = await get(`/jobs?status=failed&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...answer.body.jobs.map((j: { jobId: string }) => j.jobId));
      cursor = answer.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(failed);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=2.5', 'limit'],
    ['status=done', 'status'],
    ['workflow=deal', 'workflow'],
    ['since=yesterday', 'since'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['cursor=%%%', 'cursor'],
    ['stauts=failed', 'stauts'],
  ])('answers %s with a 400 naming %s', async (query, field) => {
    const answer = await get(`/jobs?${query}`);
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'bad_request', field });
    expect(answer.body.error.message).toMatch(new RegExp(`^${field}: `));
  });
});

describe('the admin token', () => {
  it.each([
    ['GET /jobs', () => get('/jobs', {})],
    ['GET /jobs with a wrong token', () => get('/jobs', { authorization: 'Bearer wrong-token-0123456789abcdef' })],
    ['GET /dead-letter-queues', () => get('/dead-letter-queues', {})],
    ['POST /jobs/{jobId}/retry', () => retry('deal-archive-AAAAAAAAAAAAAAAAAAAAAA', {})],
    ['POST /previews/deals/closed', () => preview('deals/closed', { dealId: 'D-X', clientRoomId: DEMO.clientRoomId, clientName: 'X' }, {})],
    ['POST /previews/tasks with a wrong token', () => preview('tasks', { taskId: 'T-X', status: 'closed', docsFolderId: 1 }, { authorization: 'Bearer nope' })],
    ['POST /jobs/{jobId}/retry with a wrong token', () => retry('deal-archive-AAAAAAAAAAAAAAAAAAAAAA', { authorization: `Bearer ${stack.secrets.tasks}` })],
  ])('is required by %s (401)', async (_name, call) => {
    const answer = await call();
    expect(answer.statusCode).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
  });
});

describe('POST /jobs/{jobId}/retry', () => {
  it('runs a failed deal archive again: moves only what was left in the room, then revokes the guest', async () => {
    const room = buildNestedRoom(stack.sim, { title: 'Retry client room', files: 12, depth: 2, width: 2 });
    stack.sim.shareRoom(room.roomId, DEMO.guestUserId, 2);
    const stuck = [room.fileIds[3]!, room.fileIds[8]!].sort(byId);
    stack.sim.setFaults({ failFileIds: stuck });
    const accepted = await postDeal({ dealId: 'D-RETRY', clientRoomId: room.roomId, clientName: 'Retry Ltd', guestUserId: DEMO.guestUserId });
    const { jobId } = accepted.body;
    await stack.drain({ timeoutMs: 60_000 });
    const failed = await job(jobId);
    expect(failed).toMatchObject({ status: 'failed', progress: { total: 12, done: 10, failed: 2 } });

    stack.sim.setFaults({ failFileIds: [] });
    stack.sim.clearMutations();
    const answer = await retry(jobId);
    expect(answer).toMatchObject({ statusCode: 202, body: { jobId } });
    await stack.drain({ timeoutMs: 60_000 });

    expect(await job(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 12, done: 12, failed: 0 }, errors: [] });
    expect(movedIds().sort(byId)).toEqual(stuck);
    expect(filesUnder(stack.sim, failed.result.archiveFolderId).map((f) => f.id).sort(byId)).toEqual([...room.fileIds].sort(byId));
    expect(stack.sim.state.shares.get(room.roomId)?.has(DEMO.guestUserId) ?? false).toBe(false);
  }, 120_000);

  it('runs a failed task move again, and two retries at once make one run', async () => {
    const folder = buildNestedRoom(stack.sim, { title: 'Task folder', files: 6, depth: 1, width: 2 });
    const stuck = [folder.fileIds[5]!];
    stack.sim.setFaults({ failFileIds: stuck });
    const { jobId } = (await postTask({ taskId: 'TASK-RETRY', status: 'closed', docsFolderId: folder.roomId })).body;
    await stack.drain({ timeoutMs: 60_000 });
    expect(await job(jobId)).toMatchObject({ status: 'failed', progress: { done: 5, failed: 1 } });
    const store = new JobStore(stack.ddb, stack.env.TABLE_NAME!);
    const before = (await store.get(jobId))!.run;

    stack.sim.setFaults({ failFileIds: [] });
    stack.sim.clearMutations();
    const answers = await Promise.all([retry(jobId), retry(jobId)]);
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202]);
    expect((await store.get(jobId))!.run).toBe(before + 1);
    await stack.drain({ timeoutMs: 60_000 });

    expect(await job(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 6, done: 6, failed: 0 } });
    expect(movedIds()).toEqual(stuck);
    expect(filesUnder(stack.sim, folder.roomId)).toEqual([]);
    expect((await store.get(jobId))!.run).toBe(before + 1);
  }, 120_000);

  it('runs a failed upload copy again: the file is copied once', async () => {
    const fileId = stack.sim.addFile(DEMO.sourceRoomId, 'retry-me.pdf');
    stack.sim.setFaults({ failFileIds: [fileId] });
    const { jobId } = (await postUpload(880_001, fileId, 'retry-me.pdf')).body;
    await stack.drain({ timeoutMs: 60_000 });
    expect(await job(jobId)).toMatchObject({ status: 'failed' });
    const copiesIn = () => [...stack.sim.state.files.values()].filter((f) => f.folderId === DEMO.internalRoomId && f.title === 'retry-me.pdf');
    expect(copiesIn()).toEqual([]);

    stack.sim.setFaults({ failFileIds: [] });
    expect((await retry(jobId)).statusCode).toBe(202);
    await stack.drain({ timeoutMs: 60_000 });

    const done = await job(jobId);
    expect(done).toMatchObject({ status: 'succeeded', errors: [] });
    expect(copiesIn().map((f) => f.id)).toEqual([done.result.newFileId]);
  }, 120_000);

  it('runs a failed project room again: only the callback, for the room that exists', async () => {
    callbackStatus = 404;
    callbacks.length = 0;
    const { jobId } = (await postProject({ projectId: 'P-RETRY', projectType: 'legal', projectName: 'Retry project' })).body;
    await stack.drain({ timeoutMs: 60_000 });
    const failed = await job(jobId);
    expect(failed).toMatchObject({ status: 'failed', result: { roomId: expect.any(Number) } });
    const roomsTitled = () => [...stack.sim.state.folders.values()].filter((f) => f.title === 'Retry project (P-RETRY)').map((f) => f.id);
    expect(roomsTitled()).toEqual([failed.result.roomId]);

    callbackStatus = 200;
    expect((await retry(jobId)).statusCode).toBe(202);
    await stack.drain({ timeoutMs: 60_000 });

    expect(await job(jobId)).toMatchObject({ status: 'succeeded', result: { roomId: failed.result.roomId } });
    expect(roomsTitled()).toEqual([failed.result.roomId]);
    expect(callbacks.map((c) => [c.status, c.roomId])).toEqual([
      [404, failed.result.roomId],
      [200, failed.result.roomId],
    ]);
  }, 120_000);

  it('answers 409 for a job that succeeded or is still queued, and changes nothing', async () => {
    const { jobId } = (await postTask({ taskId: 'TASK-OK', status: 'closed', docsFolderId: buildNestedRoom(stack.sim, { files: 2, depth: 0, width: 0 }).roomId })).body;
    await stack.drain({ timeoutMs: 60_000 });
    expect((await job(jobId)).status).toBe('succeeded');
    const succeeded = await retry(jobId);
    expect(succeeded.statusCode).toBe(409);
    expect(succeeded.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('succeeded') });

    const store = new JobStore(stack.ddb, stack.env.TABLE_NAME!);
    const { job: queued } = await store.createOnce('deal-archive', 'D-QUEUED', {
      sourceFolderId: 99,
      destination: { kind: 'named-child', parentId: 5, title: 'Queued' },
      resultKey: 'archiveFolderId',
    });
    const busy = await retry(queued.jobId);
    expect(busy.statusCode).toBe(409);
    expect(busy.body.error.message).toContain('queued');
    expect(await stack.queueCounts('FileMovesQueue')).toMatchObject({ visible: 0 });
    expect((await store.get(queued.jobId))!).toMatchObject({ status: 'queued', run: 1 });
  }, 60_000);

  it('answers 404 for a job that does not exist', async () => {
    for (const jobId of ['deal-archive-AAAAAAAAAAAAAAAAAAAAAA', 'nope']) {
      const answer = await retry(jobId);
      expect(answer.statusCode).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    }
  });
});

describe('GET /dead-letter-queues', () => {
  it('counts the messages waiting in each dead-letter queue', async () => {
    for (const body of ['{"parked":1}', '{"parked":2}']) {
      await stack.aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.env.PROJECT_ROOM_DLQ_URL, MessageBody: body }));
    }
    const expected = await Promise.all(
      [['file-moves', 'FileMovesDLQ'], ['upload-copy', 'UploadCopyDLQ'], ['project-room', 'ProjectRoomDLQ']].map(async ([name, id]) => ({
        name,
        messages: (await stack.dlqMessages(id!)).length,
      })),
    );
    expect(expected.find((q) => q.name === 'project-room')!.messages).toBeGreaterThanOrEqual(2);
    const answer = await get('/dead-letter-queues');
    expect(answer).toMatchObject({ statusCode: 200, body: { queues: expected } });
    expect(() => deadLetterQueuesSchema.parse(answer.body)).not.toThrow();
  });
});

describe('the jobs index', () => {
  it('holds job items only (errors, chunks and claims stay out of it)', async () => {
    const out = await stack.ddb.send(
      new QueryCommand({
        TableName: stack.env.TABLE_NAME,
        IndexName: JOBS_BY_CREATED,
        KeyConditionExpression: 'jobList = :j',
        ExpressionAttributeValues: { ':j': 'JOB' },
      }),
    );
    expect(out.Items!.length).toBeGreaterThan(7);
    expect(out.Items!.every((item) => /^JOB#/.test(item.pk) && item.sk === 'JOB')).toBe(true);
  });
});

describe('POST /previews/...', () => {
  it('tells what a deal archive would do, writing nothing to DocSpace, and the job then does just that', async () => {
    const room = buildNestedRoom(stack.sim, { title: 'Preview client room', files: 12, depth: 2, width: 2 });
    stack.sim.shareRoom(room.roomId, DEMO.guestUserId, 2);
    // A partial archive from an earlier deal: the client folder, one of its subfolders, and a same-titled file.
    const archive = stack.sim.addFolder(DEMO.archiveRootFolderId, 'Preview Ltd');
    stack.sim.addFolder(archive, 'Contracts');
    stack.sim.addFile(archive, 'document-0-0.docx');
    const deal = { dealId: 'D-PREVIEW', clientRoomId: room.roomId, clientName: 'Preview Ltd', guestUserId: DEMO.guestUserId };
    stack.sim.clearMutations();

    const answer = await preview('deals/closed', deal);
    expect(answer.statusCode).toBe(200);
    expect(() => fileMovePreviewSchema.strict().parse(answer.body)).not.toThrow();
    expect(stack.sim.mutations()).toEqual([]);
    expect(answer.body).toMatchObject({
      source: { folderId: room.roomId, title: 'Preview client room' },
      destination: { folderId: archive, title: 'Preview Ltd', exists: true },
      files: 12,
      folders: 6,
      // Contracts exists in the archive (mirrored); every other folder's title is free there, so it moves whole.
      foldersToCreate: [],
      foldersMovedWhole: ['Preview Ltd/Contracts/Contracts', 'Preview Ltd/Contracts/Invoices', 'Preview Ltd/Invoices'],
      besideSameTitle: ['Preview Ltd/document-0-0.docx'],
      guest: { userId: DEMO.guestUserId, roomId: room.roomId, hasAccessNow: true, losesAccess: true },
    });
    expect(answer.body.previewReads).toBeGreaterThan(0);
    expect(stack.sim.mutations()).toEqual([]);

    const { jobId } = (await postDeal(deal)).body;
    await stack.drain({ timeoutMs: 60_000 });
    expect(await job(jobId)).toMatchObject({ status: 'succeeded', result: { archiveFolderId: archive } });
    const writes = stack.sim.mutations();
    expect(writes.filter((m) => m.method === 'POST' && /\/files\/folder\/\d+$/.test(m.path))).toHaveLength(answer.body.foldersToCreate.length);
    // One folder operation moved the two whole folders under Contracts, one moved Invoices.
    const folderMoves = writes.filter((m) => m.method === 'PUT' && m.path.endsWith('/fileops/move') && (m.body as { folderIds?: unknown[] })?.folderIds?.length);
    expect(folderMoves).toHaveLength(2);
    // "About how many": the estimate is within a few requests of what the job really wrote.
    expect(Math.abs(answer.body.docspaceCalls.writes - writes.length)).toBeLessThanOrEqual(2);
  }, 120_000);

  it('says when the guest has no access to lose', async () => {
    const room = buildNestedRoom(stack.sim, { title: 'Unshared client room', files: 1, depth: 0, width: 0 });
    const answer = await preview('deals/closed', { dealId: 'D-UNSHARED', clientRoomId: room.roomId, clientName: 'Unshared', guestUserId: DEMO.guestUserId });
    expect(answer.body.guest).toEqual({ userId: DEMO.guestUserId, roomId: room.roomId, hasAccessNow: false, losesAccess: false });
  });

  it('names the client folder among the folders to create when the archive has none', async () => {
    const room = buildNestedRoom(stack.sim, { title: 'Fresh client room', files: 3, depth: 1, width: 1 });
    stack.sim.clearMutations();
    const answer = await preview('deals/closed', { dealId: 'D-FRESH', clientRoomId: room.roomId, clientName: 'Fresh Co' });
    expect(answer.body).toMatchObject({
      destination: { folderId: null, title: 'Fresh Co', exists: false },
      files: 3,
      folders: 1,
      foldersToCreate: ['Fresh Co'],
      foldersMovedWhole: ['Fresh Co/Contracts'],
      besideSameTitle: [],
      guest: null,
    });
    expect(stack.sim.mutations()).toEqual([]);
  });

  it('tells what a closed task would move into Completed, and that another status does nothing', async () => {
    const folder = buildNestedRoom(stack.sim, { title: 'Preview task folder', files: 4, depth: 1, width: 1 });
    stack.sim.clearMutations();
    const closed = await preview('tasks', { taskId: 'T-PREVIEW', status: 'closed', docsFolderId: folder.roomId });
    expect(closed.statusCode).toBe(200);
    expect(closed.body).toMatchObject({ source: { folderId: folder.roomId }, destination: { folderId: DEMO.completedFolderId, exists: true }, files: 4, folders: 1 });
    const open = await preview('tasks', { taskId: 'T-PREVIEW', status: 'open', docsFolderId: folder.roomId });
    expect(open.body).toMatchObject({ ignored: true });
    expect(stack.sim.mutations()).toEqual([]);
  });

  it('validates the body with the webhook schema (400 naming the field) and names a folder it cannot read (404)', async () => {
    const missing = await preview('deals/closed', { dealId: 'D-BAD', clientName: 'Bad' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body.error.field).toBe('clientRoomId');
    const mistyped = await preview('tasks', { taskId: 'T-BAD', status: 'closed', docsFolderId: '12' });
    expect(mistyped.body.error).toMatchObject({ code: 'bad_request', field: 'docsFolderId' });
    const unknown = await preview('deals/closed', { dealId: 'D-GONE', clientRoomId: 987_654_321, clientName: 'Gone' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.error).toMatchObject({ field: 'clientRoomId', message: expect.stringContaining('987654321') });
  });
});
