import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../../lib/errors';
import { toErrorResponse } from '../../../lib/http/errors';
import { JobStore, jobIdFor, claimOnce } from '../../../lib/jobs/store';
import { acceptUpload, uploadWebhookSchema } from '../../../lib/workflows/upload-copy';
import { startTable } from '../../support/dynamo';
import { acceptDeps, uploadedHook } from './upload-copy-fixtures';

let ddb: DynamoDBDocumentClient;
let table: string;
let close: () => Promise<void>;
let nextEvent = 1;

beforeAll(async () => {
  ({ ddb, table, close } = await startTable());
});
afterAll(() => close());

const hook = (input: Parameters<typeof uploadedHook>[0]) => uploadWebhookSchema.parse(uploadedHook(input));

describe('acknowledging DocSpace upload webhooks', () => {
  it('creates one job per upload and queues its copy', async () => {
    const deps = acceptDeps(ddb, table);
    const eventId = nextEvent++;
    const outcome = await acceptUpload(deps, hook({ eventId, fileId: 501 }));
    expect(outcome).toEqual({ jobId: jobIdFor('upload-copy', `7:${eventId}`) });
    expect(deps.queue.sent).toEqual([{ body: { jobId: (outcome as { jobId: string }).jobId, run: 1 } }]);
    const job = await new JobStore(ddb, table).get((outcome as { jobId: string }).jobId);
    expect(job).toMatchObject({ workflow: 'upload-copy', status: 'queued', input: { sourceFileId: 501, folderId: 100, webhookId: 7, eventId } });
  });

  it('answers an automatic retry, re-serialised with retryCount and the same event.id, with the same job', async () => {
    const deps = acceptDeps(ddb, table);
    const eventId = nextEvent++;
    const first = await acceptUpload(deps, hook({ eventId, fileId: 502 }));
    const retry = await acceptUpload(deps, hook({ eventId, fileId: 502, retryCount: 2 }));
    expect(retry).toEqual(first);
    // The retry finds the job still queued and queues it again in case the first delivery died before queuing;
    // the worker's claim makes the extra message harmless.
    expect(new Set(deps.queue.sent.map((m) => (m.body as { jobId: string }).jobId))).toEqual(new Set([(first as { jobId: string }).jobId]));
  });

  it('lands concurrent duplicates on one job', async () => {
    const deps = acceptDeps(ddb, table);
    const eventId = nextEvent++;
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => acceptUpload(deps, hook({ eventId, fileId: 503, retryCount: i }))));
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
    expect(await new JobStore(ddb, table).get(jobIdFor('upload-copy', `7:${eventId}`))).toMatchObject({ status: 'queued', run: 1 });
  });

  it('maps a manual re-send (new event.id, same createOn and payload) to the original job', async () => {
    const deps = acceptDeps(ddb, table);
    const original = nextEvent++;
    const first = await acceptUpload(deps, hook({ eventId: original, fileId: 504, createOn: '2026-11-30T11:00:00Z' }));
    const resend = await acceptUpload(deps, hook({ eventId: nextEvent++, fileId: 504, createOn: '2026-11-30T11:00:00Z' }));
    expect(resend).toEqual(first);
    expect(await new JobStore(ddb, table).get(jobIdFor('upload-copy', `7:${nextEvent - 1}`))).toBeUndefined();
  });

  it('treats two uploads of the same file at different times as two events', async () => {
    const deps = acceptDeps(ddb, table);
    const a = await acceptUpload(deps, hook({ eventId: nextEvent++, fileId: 505, createOn: '2026-11-30T12:00:00Z' }));
    const b = await acceptUpload(deps, hook({ eventId: nextEvent++, fileId: 505, createOn: '2026-11-30T12:00:05Z' }));
    expect(a).not.toEqual(b);
  });

  it('creates the job when the delivery that claimed the event died before creating it', async () => {
    const deps = acceptDeps(ddb, table);
    const eventId = nextEvent++;
    const body = hook({ eventId, fileId: 506 });
    const businessKey = `7:${eventId}`;
    await claimOnce(ddb, table, `upload-copy:7:file.uploaded:${body.event.createOn}:506`, {
      jobId: jobIdFor('upload-copy', businessKey),
      businessKey,
      input: { sourceFileId: 506, webhookId: 7, eventId, createOn: body.event.createOn },
    }, 3600);
    const outcome = await acceptUpload(deps, body);
    expect(outcome).toEqual({ jobId: jobIdFor('upload-copy', businessKey) });
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('resumes a failed job when the event is sent again', async () => {
    const deps = acceptDeps(ddb, table);
    const eventId = nextEvent++;
    const { jobId } = (await acceptUpload(deps, hook({ eventId, fileId: 507 }))) as { jobId: string };
    const store = new JobStore(ddb, table);
    await store.transition(jobId, ['queued'], 'failed');
    deps.queue.sent.length = 0;
    await acceptUpload(deps, hook({ eventId, fileId: 507, retryCount: 1 }));
    expect(await store.get(jobId)).toMatchObject({ status: 'queued', run: 2 });
    expect(deps.queue.sent).toEqual([{ body: { jobId, run: 2 } }]);
  });

  it.each([
    ['file.copied', 601],
    ['file.moved', 602],
    ['file.created', 603],
    ['folder.created', 604],
  ])('acknowledges and ignores %s events', async (trigger, fileId) => {
    const deps = acceptDeps(ddb, table);
    const outcome = await acceptUpload(deps, hook({ eventId: nextEvent++, fileId, trigger }));
    expect(outcome).toEqual({ ignored: true, reason: `trigger ${trigger} is not file.uploaded` });
    expect(deps.queue.sent).toEqual([]);
  });

  it('ignores user events, whose payload id is a GUID, instead of rejecting them', async () => {
    const deps = acceptDeps(ddb, table);
    const outcome = await acceptUpload(deps, hook({ eventId: nextEvent++, fileId: 'a1b2c3d4-0000-0000-0000-000000000000', trigger: 'user.created' }));
    expect(outcome).toMatchObject({ ignored: true });
    expect(deps.queue.sent).toEqual([]);
  });

  it('ignores uploads outside the active rooms (My documents, Archive)', async () => {
    const deps = acceptDeps(ddb, table);
    expect(await acceptUpload(deps, hook({ eventId: nextEvent++, fileId: 701, rootFolderType: 5 }))).toMatchObject({ ignored: true });
    expect(await acceptUpload(deps, hook({ eventId: nextEvent++, fileId: 702, rootFolderType: 20 }))).toMatchObject({ ignored: true });
    expect(deps.queue.sent).toEqual([]);
  });

  it('rejects a file.uploaded event without a usable payload.id, naming the field', async () => {
    const deps = acceptDeps(ddb, table);
    const body = uploadedHook({ eventId: nextEvent++, fileId: 1 });
    delete (body.payload as Record<string, unknown>).id;
    const error = await acceptUpload(deps, uploadWebhookSchema.parse(body)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'payload.id' });
    const answer = toErrorResponse(error, { error: () => {}, warn: () => {} });
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'bad_request', field: 'payload.id' } });
    expect(deps.queue.sent).toEqual([]);
  });

  it('requires event.id and webhook.id in the envelope', () => {
    const body = uploadedHook({ eventId: 1, fileId: 1 });
    delete (body.event as Record<string, unknown>).id;
    const result = uploadWebhookSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['event', 'id']);
  });
});
