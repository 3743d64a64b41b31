import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChunkStore, chunkStep, folderStep } from '../../../../lib/jobs/chunks';
import { LeaseHeldError, Leases } from '../../../../lib/jobs/lease';
import { JobStore, jobKey } from '../../../../lib/jobs/store';
import { startTable, type TestTable } from '../../../support/dynamo';

let t: TestTable;
let clock = Date.parse('2026-11-30T10:00:00Z');
const now = () => clock;
let seq = 0;
const key = (name: string) => `${name}-${++seq}`;

beforeAll(async () => {
  t = await startTable();
});
afterAll(async () => {
  await t.close();
});

const stores = () => ({
  store: new JobStore(t.ddb, t.table, now),
  chunks: new ChunkStore(t.ddb, t.table, now),
  leases: new Leases(t.ddb, t.table, now),
});

const pendingOf = (job: { state?: Record<string, unknown> } | undefined) => (job!.state as { pending: number }).pending;

/** A started run whose root folder (20) was scanned into `chunkCount` one-file chunks. */
async function runningJobWithChunks(chunkCount: number) {
  const { store, chunks } = stores();
  const { job } = await store.createOnce('deal-archive', key('deal'), { sourceFolderId: 20 });
  await store.startFileMoveRun(job.jobId, 1, 10, { archiveFolderId: 10 });
  const files = Array.from({ length: chunkCount }, (_, i) => [{ id: i, title: `f${i}` }]);
  await chunks.writeScan(job.jobId, 1, 20, { destFolderId: 10, folders: [], chunks: files });
  await chunks.settle(job.jobId, 1, folderStep(1, 20), { pending: chunkCount - 1, total: chunkCount });
  return { jobId: job.jobId };
}

describe('JobStore', () => {
  it('creates one job when the same business event arrives ten times at once', async () => {
    const { store } = stores();
    const dealId = key('D');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.createOnce('deal-archive', dealId, { a: 1 })));
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.job.jobId)).size).toBe(1);
  });

  it('gives different workflows with the same business key different jobs', async () => {
    const { store } = stores();
    const k = key('K');
    const a = await store.createOnce('deal-archive', k, {});
    const b = await store.createOnce('task-complete', k, {});
    expect(a.job.jobId).not.toBe(b.job.jobId);
  });

  it('lets exactly one of several planners claim a run, and lets the same planner claim again after a crash', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    const claims = await Promise.all(['m1', 'm2', 'm3', 'm4'].map((m) => store.claimPlanning(job.jobId, 1, m, 60_000)));
    const winners = claims.filter(Boolean);
    expect(winners).toHaveLength(1);
    const winner = (winners[0]!.state as { planner: string }).planner;
    expect(await store.claimPlanning(job.jobId, 1, winner, 60_000)).toBeDefined();
    expect(await store.claimPlanning(job.jobId, 1, 'someone-else', 60_000)).toBeUndefined();
  });

  it('hands a planning claim to another planner only once the first has gone silent', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    await store.claimPlanning(job.jobId, 1, 'first', 60_000);
    clock += 30_000;
    expect(await store.claimPlanning(job.jobId, 1, 'second', 60_000)).toBeUndefined();
    clock += 31_000;
    expect(await store.claimPlanning(job.jobId, 1, 'second', 60_000)).toMatchObject({ state: { planner: 'second' } });
  });

  it('resumes a failed job once, however many re-deliveries race, keeping what earlier runs moved', async () => {
    const { store } = stores();
    const { jobId } = await runningJobWithChunks(1);
    await store.transition(jobId, ['running'], 'failed', { run: 1, progress: { total: 10, done: 7, failed: 3 } });
    const job = { jobId };
    const failed = (await store.get(job.jobId))!;
    const resumed = (await Promise.all([1, 2, 3, 4, 5].map(() => store.resume(failed)))).filter(Boolean);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ status: 'queued', run: 2, progress: { done: 7, failed: 0 } });
    expect(resumed[0]!.state).toBeUndefined();
  });

  it('resumes a running job only when it has made no progress for the stale period', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    const running = (await store.claimPlanning(job.jobId, 1, 'p', 60_000))!;
    expect(await store.resume(running)).toBeUndefined();
    expect(await store.resume(running, clock - 60_000)).toBeUndefined();
    clock += 120_000;
    expect(await store.resume(running, clock - 60_000)).toMatchObject({ status: 'queued', run: 2 });
  });

  it('lets one finalizer claim a run; its own redelivery may claim again', async () => {
    const { store } = stores();
    const { jobId } = await runningJobWithChunks(1);
    const claims = await Promise.all(['a', 'b', 'c'].map((m) => store.claimFinalize(jobId, 1, m, 60_000)));
    const winners = claims.filter(Boolean);
    expect(winners).toHaveLength(1);
    const me = (winners[0]!.state as { finalizer: string }).finalizer;
    expect(await store.claimFinalize(jobId, 1, me, 60_000)).toBeDefined();
    expect(await store.claimFinalize(jobId, 1, 'late', 60_000)).toBeUndefined();
  });

  it('keeps a destination folder in the store but not in the job view', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    await store.recordErrors(job.jobId, 1, [{ fileId: 5, title: 'a.pdf', reason: 'locked', destFolderId: 77 }]);
    expect(await store.errors(job.jobId, 1)).toEqual([{ fileId: 5, title: 'a.pdf', reason: 'locked', destFolderId: 77 }]);
    expect((await store.view(job.jobId))!.errors).toEqual([{ fileId: 5, title: 'a.pdf', reason: 'locked' }]);
    await store.deleteErrors(job.jobId, 1, [5]);
    expect(await store.errors(job.jobId, 1)).toEqual([]);
  });
});

describe('ChunkStore', () => {
  it('starts a run once when its start is delivered five times at once, counting on from what earlier runs moved', async () => {
    const { store, chunks } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    await store.transition(job.jobId, ['queued'], 'failed', { progress: { total: 10, done: 7, failed: 3 } });
    await store.resume((await store.get(job.jobId))!);
    const starts = await Promise.all(Array.from({ length: 5 }, () => store.startFileMoveRun(job.jobId, 2, 10, { archiveFolderId: 10 })));
    expect(starts.filter(Boolean)).toHaveLength(1);
    expect(await store.get(job.jobId)).toMatchObject({ status: 'running', progress: { total: 7, done: 7, failed: 0 }, state: { pending: 1 } });
  });

  it('settles a step once when it is settled five times at once', async () => {
    const { store, chunks } = stores();
    const { jobId } = await runningJobWithChunks(3);
    const step = chunkStep(1, 20, 0);
    const results = await Promise.all(Array.from({ length: 5 }, () => chunks.settle(jobId, 1, step, { pending: -1, done: 1 })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const job = (await store.get(jobId))!;
    expect(job.progress).toEqual({ total: 3, done: 1, failed: 0 });
    expect(pendingOf(job)).toBe(2);
    expect(await chunks.settledSteps(jobId)).toEqual(new Set([folderStep(1, 20), step]));
  });

  it('reports the run\'s last step to only one settler, so one finalizer is queued', async () => {
    const { chunks } = stores();
    const { jobId } = await runningJobWithChunks(4);
    const results = await Promise.all([0, 1, 2, 3].map((i) => chunks.settle(jobId, 1, chunkStep(1, 20, i), { pending: -1, done: 1 })));
    expect(results.filter((job) => pendingOf(job) === 0)).toHaveLength(1);
  });

  it('never lets pending reach 0 while a scan\'s children are still to come: a scan adds them as it leaves', async () => {
    const { store, chunks } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    await store.startFileMoveRun(job.jobId, 1, 10, { archiveFolderId: 10 });
    // The root has one subfolder and one chunk; the subfolder has two chunks.
    expect(pendingOf(await chunks.settle(job.jobId, 1, folderStep(1, 20), { pending: 2 - 1, total: 1 }))).toBe(2);
    expect(pendingOf(await chunks.settle(job.jobId, 1, chunkStep(1, 20, 0), { pending: -1, done: 1 }))).toBe(1);
    expect(pendingOf(await chunks.settle(job.jobId, 1, folderStep(1, 21), { pending: 2 - 1, total: 2 }))).toBe(2);
    expect(pendingOf(await chunks.settle(job.jobId, 1, chunkStep(1, 21, 0), { pending: -1, done: 1 }))).toBe(1);
    expect(await chunks.settle(job.jobId, 1, chunkStep(1, 21, 1), { pending: -1, failed: 1 })).toMatchObject({
      state: { pending: 0 },
      progress: { total: 3, done: 2, failed: 1 },
    });
  });

  it('lets only the latest attempt finish a chunk, and none once it is finished', async () => {
    const { chunks } = stores();
    const { jobId } = await runningJobWithChunks(2);
    const first = (await chunks.startAttempt(jobId, 1, 20, 0))!;
    const second = (await chunks.startAttempt(jobId, 1, 20, 0))!;
    expect([first.attempts, second.attempts, second.sourceFolderId, second.destFolderId]).toEqual([1, 2, 20, 10]);
    const error = { fileId: 0, title: 'f0', reason: 'locked', destFolderId: 10 };
    expect(await chunks.finish(jobId, 1, 20, 0, first.attempts, { done: 1, failed: 0, errors: [] })).toBe(false);
    expect(await chunks.finish(jobId, 1, 20, 0, second.attempts, { done: 0, failed: 1, errors: [error] })).toBe(true);
    expect(await chunks.finish(jobId, 1, 20, 0, second.attempts, { done: 1, failed: 0, errors: [] })).toBe(false);
    expect(await chunks.startAttempt(jobId, 1, 20, 0)).toBeUndefined();
    expect(await chunks.get(jobId, 1, 20, 0)).toMatchObject({ status: 'done', outcome: { done: 0, failed: 1 }, errors: [error] });
  });

  it('keeps the job item the same size however many steps settle (a run of 30 000 steps once passed 400 KB)', async () => {
    const { chunks } = stores();
    const { jobId } = await runningJobWithChunks(300);
    const itemSize = async () => {
      const out = await t.ddb.send(new GetCommand({ TableName: t.table, Key: jobKey(jobId), ConsistentRead: true }));
      return JSON.stringify(out.Item).length;
    };
    const before = await itemSize();
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => chunks.settle(jobId, 1, chunkStep(1, 20, i + k), { pending: -1, done: 1 })));
    }
    const after = await itemSize();
    // Only the counters' digits may grow.
    expect(after - before).toBeLessThan(20);
    expect(await chunks.settledAmong(jobId, [chunkStep(1, 20, 0), chunkStep(1, 20, 299), chunkStep(1, 20, 300)])).toEqual(
      new Set([chunkStep(1, 20, 0), chunkStep(1, 20, 299)]),
    );
  });

  it('finishes the settling of a step whose settler died after counting it, without counting it twice', async () => {
    const { store, chunks } = stores();
    const { jobId } = await runningJobWithChunks(2);
    const step = chunkStep(1, 20, 0);
    // The settler claims and counts, then dies before marking the step applied.
    const realSend = t.ddb.send.bind(t.ddb);
    let died = false;
    const spy = vi.spyOn(t.ddb, 'send').mockImplementation((async (command: { input?: { UpdateExpression?: string } }) => {
      if (!died && command.input?.UpdateExpression === 'SET phase = :applied') {
        died = true;
        throw new Error('Lambda timed out');
      }
      return realSend(command as never);
    }) as never);
    await expect(chunks.settle(jobId, 1, step, { pending: -1, done: 1 })).rejects.toThrow('Lambda timed out');
    spy.mockRestore();
    expect(await chunks.settle(jobId, 1, step, { pending: -1, done: 1 })).toBeUndefined();
    const job = (await store.get(jobId))!;
    expect(job.progress.done).toBe(1);
    expect(pendingOf(job)).toBe(1);
    const raw = await t.ddb.send(new GetCommand({ TableName: t.table, Key: jobKey(jobId), ConsistentRead: true }));
    expect(raw.Item?.settling ?? new Set()).toEqual(new Set());
  });

  it('queues what follows a step without waiting for its marker\'s bookkeeping, and counts once when it dies in between', async () => {
    const { store, chunks } = stores();
    const { jobId } = await runningJobWithChunks(2);
    const step = chunkStep(1, 20, 0);
    // The marker's last writes are slow; what follows the step is queued meanwhile; then the settler dies.
    const realSend = t.ddb.send.bind(t.ddb);
    let markerWrites = 0;
    const spy = vi.spyOn(t.ddb, 'send').mockImplementation((async (command: { input?: { UpdateExpression?: string } }) => {
      if (command.input?.UpdateExpression === 'SET phase = :applied') {
        markerWrites += 1;
        await new Promise((r) => setTimeout(r, 200));
        throw new Error('Lambda timed out');
      }
      return realSend(command as never);
    }) as never);
    const queued: number[] = [];
    await expect(
      chunks.settle(jobId, 1, step, { pending: -1, done: 1 }, async (job) => {
        queued.push(pendingOf(job));
      }),
    ).rejects.toThrow('Lambda timed out');
    spy.mockRestore();
    expect(markerWrites).toBe(1);
    // `next` saw the job the counts were applied to, before the marker said applied.
    expect(queued).toEqual([1]);
    // The redelivery counts nothing again and does not call `next` (its caller re-sends what has not settled).
    const again: number[] = [];
    expect(await chunks.settle(jobId, 1, step, { pending: -1, done: 1 }, async (job) => void again.push(pendingOf(job)))).toBeUndefined();
    expect(again).toEqual([]);
    const job = (await store.get(jobId))!;
    expect(job.progress.done).toBe(1);
    expect(pendingOf(job)).toBe(1);
    const raw = await t.ddb.send(new GetCommand({ TableName: t.table, Key: jobKey(jobId), ConsistentRead: true }));
    expect(raw.Item?.settling ?? new Set()).toEqual(new Set());
  });

  it('does not settle a step of an older run into the current one', async () => {
    const { store, chunks } = stores();
    const { jobId } = await runningJobWithChunks(2);
    await store.transition(jobId, ['running'], 'failed', { run: 1 });
    await store.resume((await store.get(jobId))!);
    expect(await chunks.settle(jobId, 1, chunkStep(1, 20, 1), { pending: -1, done: 1 })).toBeUndefined();
    expect((await store.get(jobId))!.progress.done).toBe(0);
  });
});

describe('Leases', () => {
  it('lets one of two jobs hold a room, and the holder extend it', async () => {
    const { leases } = stores();
    const room = key('source:1');
    const results = await Promise.allSettled([leases.acquire(room, 'job-a', 60_000), leases.acquire(room, 'job-b', 60_000)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const holder = results[0]!.status === 'fulfilled' ? 'job-a' : 'job-b';
    await expect(leases.acquire(room, holder, 60_000)).resolves.toBeUndefined();
  });

  it('expires, so that a crashed holder does not block the room for ever', async () => {
    const { leases } = stores();
    const room = key('source:2');
    await leases.acquire(room, 'crashed', 60_000);
    await expect(leases.acquire(room, 'next', 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
    clock += 60_001;
    await expect(leases.acquire(room, 'next', 60_000)).resolves.toBeUndefined();
  });

  it('is released only by its holder', async () => {
    const { leases } = stores();
    const room = key('source:3');
    await leases.acquire(room, 'a', 60_000);
    await leases.release(room, 'b');
    await expect(leases.acquire(room, 'b', 60_000)).rejects.toBeInstanceOf(LeaseHeldError);
    await leases.release(room, 'a');
    await expect(leases.acquire(room, 'b', 60_000)).resolves.toBeUndefined();
  });
});
