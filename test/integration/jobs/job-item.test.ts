import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ChunkStore, chunkStep, folderStep } from '../../../lib/jobs/chunks';
import {
  fileMoveResult,
  fileMoveState,
  parseJobItem,
  projectRoomResult,
  type FileMoveResult,
  type FileMoveState,
  type ProjectRoomResult,
  type UploadCopyResult,
} from '../../../lib/jobs/job';
import { JobStore, MalformedJobError, jobKey, type Job } from '../../../lib/jobs/store';
import { startTable, type TestTable } from '../../support/dynamo';

/*
 * The job item is written by JobStore alone, and what a workflow keeps in its `state` and `result` comes back
 * typed, checked against the workflow's shape where the item is read (lib/jobs/job.ts): a malformed item fails
 * there, naming the job and the field, instead of being cast and read as undefined further on.
 */
let t: TestTable;
const now = () => Date.parse('2026-12-04T10:00:00Z');
let seq = 0;
const key = (name: string) => `${name}-${++seq}`;

beforeAll(async () => {
  t = await startTable();
});
afterAll(async () => {
  await t.close();
});

const stores = () => ({ store: new JobStore(t.ddb, t.table, now), chunks: new ChunkStore(t.ddb, t.table, now) });

/** Writes `value` at `path` of the raw job item, as a hand edit or another version's code might. */
async function overwrite(jobId: string, path: 'state' | 'result', value: unknown) {
  await t.ddb.send(
    new UpdateCommand({ TableName: t.table, Key: jobKey(jobId), UpdateExpression: 'SET #f = :v', ExpressionAttributeNames: { '#f': path }, ExpressionAttributeValues: { ':v': value } }),
  );
}

describe('each workflow\'s state and result come back from the store typed, as they were written', () => {
  it('a deal\'s file-move run: pending steps, destination root, finalizer claim, and the archive folder with the guest revoked', async () => {
    const { store, chunks } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), { sourceFolderId: 20 });
    const started = (await store.startFileMoveRun(job.jobId, 1, 77, { archiveFolderId: 77 }))!;
    expect(fileMoveState(started)).toEqual({ pending: 1, destRootId: 77 });
    await chunks.settle(job.jobId, 1, folderStep(1, 20), { pending: -1, total: 0 });
    const claimed = (await store.claimFinalize(job.jobId, 1, 'finalizer-1', 60_000))!;
    expect(fileMoveState(claimed)).toEqual({ pending: 0, destRootId: 77, finalizer: 'finalizer-1', finalizeStartedAt: now() });
    await store.transition(job.jobId, ['running'], 'succeeded', { run: 1, result: { ...fileMoveResult(claimed)!, guestRevoked: true } });

    const read = (await store.get(job.jobId))!;
    expect(fileMoveResult(read)).toEqual({ archiveFolderId: 77, guestRevoked: true });
    expect((await store.view(job.jobId))!.result).toEqual({ archiveFolderId: 77, guestRevoked: true });
    expectTypeOf(fileMoveState(read)).toEqualTypeOf<FileMoveState | undefined>();
    expectTypeOf(fileMoveResult(read)).toEqualTypeOf<FileMoveResult | undefined>();
  });

  it('a task\'s file-move run: the Completed folder', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('task-complete', key('T'), { sourceFolderId: 20 });
    await store.startFileMoveRun(job.jobId, 1, 5, { completedFolderId: 5 });
    expect(fileMoveResult((await store.get(job.jobId))!)).toEqual({ completedFolderId: 5 });
  });

  it('an upload copy: the copying worker\'s claim, and the copies made or why none was', async () => {
    const { store } = stores();
    const copied = (await store.createOnce('upload-copy', key('U'), { sourceFileId: 3 })).job;
    const claimed = (await store.claimPlanning(copied.jobId, 1, 'message-1', 60_000))!;
    expect(claimed.state).toEqual({ planner: 'message-1', planStartedAt: now() });
    const result: UploadCopyResult = { sourceFileId: 3, destFolderId: 40, newFileId: 9, copies: [{ destFolderId: 40, newFileId: 9 }, { destFolderId: 41, newFileId: 10, newTitle: 'a (1).pdf' }] };
    await store.transition(copied.jobId, ['running'], 'succeeded', { run: 1, result });
    expect((await store.get(copied.jobId))!.result).toEqual(result);

    const ignored = (await store.createOnce('upload-copy', key('U'), { sourceFileId: 4 })).job;
    await store.claimPlanning(ignored.jobId, 1, 'message-2', 60_000);
    await store.transition(ignored.jobId, ['running'], 'succeeded', { run: 1, result: { sourceFileId: 4, ignored: true, reason: 'no copy rule for room 8' } });
    expect((await store.get(ignored.jobId))!.result).toEqual({ sourceFileId: 4, ignored: true, reason: 'no copy rule for room 8' });
  });

  it('a project room: the room\'s id, title and address', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('project-room', key('P'), { projectId: 'P' });
    const room = { roomId: 500, title: 'Alpha (P-1)', webUrl: 'https://portal/rooms/shared/500' };
    await store.transition(job.jobId, ['queued'], 'running', { run: 1, result: room });
    const read = (await store.get(job.jobId))!;
    expect(projectRoomResult(read)).toEqual(room);
    expectTypeOf(projectRoomResult(read)).toEqualTypeOf<ProjectRoomResult | undefined>();
  });

  it('keeps a field this version does not know as it was stored, and shows it', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    await overwrite(job.jobId, 'result', { archiveFolderId: 12, note: 'from an earlier version' });
    expect((await store.view(job.jobId))!.result).toEqual({ archiveFolderId: 12, note: 'from an earlier version' });
  });
});

describe('a malformed job item is refused where it is read, naming the job and the field', () => {
  it('a project room whose recorded room id is not a number', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('project-room', key('P'), { projectId: 'P' });
    await overwrite(job.jobId, 'result', { roomId: '500', title: 'Alpha (P-1)', webUrl: 'https://portal/rooms/shared/500' });

    const read = store.get(job.jobId);
    await expect(read).rejects.toBeInstanceOf(MalformedJobError);
    await expect(read).rejects.toThrow(new RegExp(`^job ${job.jobId}: result .*result\\.roomId: Invalid input: expected number, received string`));
    // GET /jobs/{id} reads the same way: the item is not shown as if it were sound.
    await expect(store.view(job.jobId)).rejects.toMatchObject({ name: 'MalformedJobError', jobId: job.jobId, field: 'result' });
  });

  it('a deal whose result lacks the archive folder', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    await overwrite(job.jobId, 'result', { guestRevoked: true });
    await expect(store.get(job.jobId)).rejects.toThrow(`job ${job.jobId}: result is not what a deal-archive job writes: result.archiveFolderId`);
  });

  it('a file-move run whose pending count is not a number, also when an update hands the job back', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('task-complete', key('T'), {});
    await store.startFileMoveRun(job.jobId, 1, 5, { completedFolderId: 5 });
    await overwrite(job.jobId, 'state', { pending: 'many', destRootId: 5 });
    await expect(store.get(job.jobId)).rejects.toThrow(`job ${job.jobId}: state is not what a task-complete job writes: state.pending`);
    await expect(store.claimFinalize(job.jobId, 1, 'f', 60_000)).rejects.toThrow(`job ${job.jobId}: state`);
  });

  it('an item of no workflow we run', () => {
    expect(() => parseJobItem({ pk: 'JOB#x', sk: 'JOB', jobId: 'deal-closed-x', workflow: 'deal-closed' })).toThrow(
      'job deal-closed-x: workflow is "deal-closed", not one of task-complete, deal-archive, upload-copy, project-room',
    );
  });

  it('a file-move step handed another workflow\'s job', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('upload-copy', key('U'), { sourceFileId: 3 });
    expect(() => fileMoveState(job as Job)).toThrow(`job ${job.jobId}: workflow is upload-copy, not task-complete or deal-archive`);
  });
});

describe('the job item\'s writes through JobStore cost what they did when ChunkStore made them', () => {
  it('one update to start a run, four requests to settle a step (claim marker, count on the job, mark applied, forget token)', async () => {
    const { store, chunks } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    const send = vi.spyOn(t.ddb, 'send');
    try {
      await store.startFileMoveRun(job.jobId, 1, 7, { archiveFolderId: 7 });
      expect(send).toHaveBeenCalledTimes(1);
      send.mockClear();
      await chunks.settle(job.jobId, 1, folderStep(1, 20), { pending: 1, total: 1 });
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['PutCommand', 'UpdateCommand', 'UpdateCommand', 'UpdateCommand']);
      send.mockClear();
      // A redelivery of a settled step: read the marker, forget its token again.
      expect(await chunks.settle(job.jobId, 1, folderStep(1, 20), { pending: 1, total: 1 })).toBeUndefined();
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['PutCommand', 'GetCommand', 'UpdateCommand']);
      send.mockClear();
      // A step of a run no longer current: the count is refused, and the run is read alone.
      await store.transition(job.jobId, ['running'], 'failed', { run: 1 });
      await store.resume((await store.get(job.jobId))!);
      send.mockClear();
      expect(await chunks.settle(job.jobId, 1, chunkStep(1, 20, 0), { pending: -1, done: 1 })).toBeUndefined();
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['PutCommand', 'UpdateCommand', 'GetCommand']);
    } finally {
      send.mockRestore();
    }
  });
});
