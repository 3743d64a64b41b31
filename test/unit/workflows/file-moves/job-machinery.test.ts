import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkStore } from '../../../../lib/jobs/chunks';
import { LeaseHeldError, Leases } from '../../../../lib/jobs/lease';
import { JobStore, type Job } from '../../../../lib/jobs/store';
import { startTable, type TestTable } from './dynamo';

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

const tokenOf = (job: Job | undefined) => (job!.state as { planToken: string }).planToken;

async function runningJobWithChunks(chunkCount: number) {
  const { store, chunks } = stores();
  const { job } = await store.createOnce('deal-archive', key('deal'), { sourceFolderId: 1 });
  const token = tokenOf(await store.claimPlanning(job.jobId, 1, 'planner-1', 60_000));
  const plan = Array.from({ length: chunkCount }, (_, i) => ({ destFolderId: 10, sourceFolderId: 20, files: [{ id: i, title: `f${i}` }] }));
  await chunks.writePlan(job.jobId, 1, token, plan);
  await store.finishPlanning(job.jobId, 1, token, { chunkCount, total: chunkCount });
  return { jobId: job.jobId, token };
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
    const first = tokenOf(await store.claimPlanning(job.jobId, 1, 'first', 60_000));
    clock += 30_000;
    expect(await store.claimPlanning(job.jobId, 1, 'second', 60_000)).toBeUndefined();
    clock += 31_000;
    const second = tokenOf(await store.claimPlanning(job.jobId, 1, 'second', 60_000));
    expect(await store.finishPlanning(job.jobId, 1, first, { chunkCount: 1, total: 1 })).toBeUndefined();
    expect(await store.finishPlanning(job.jobId, 1, second, { chunkCount: 2, total: 2 })).toBeDefined();
  });

  it('keys a plan by its planner, so a replaced planner can neither record its plan nor overwrite the chunks', async () => {
    const { store, chunks } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    const dead = tokenOf(await store.claimPlanning(job.jobId, 1, 'msg-1', 60_000));
    clock += 61_000;
    const current = tokenOf(await store.claimPlanning(job.jobId, 1, 'msg-2', 60_000));
    expect(current).not.toBe(dead);
    await chunks.writePlan(job.jobId, 1, current, [{ destFolderId: 1, files: [{ id: 1, title: 'a' }] }]);
    await chunks.writePlan(job.jobId, 1, dead, [{ destFolderId: 1, files: [{ id: 2, title: 'b' }] }]);
    expect(await store.finishPlanning(job.jobId, 1, dead, { chunkCount: 1, total: 1 })).toBeUndefined();
    expect(await store.finishPlanning(job.jobId, 1, current, { chunkCount: 1, total: 1 })).toBeDefined();
    expect((await chunks.get(job.jobId, 1, current, 0))!.files).toEqual([{ id: 1, title: 'a' }]);
    // Once a plan is recorded, nobody claims the run again.
    expect(await store.claimPlanning(job.jobId, 1, 'msg-2', 60_000)).toBeUndefined();
  });

  it('resumes a failed job once, however many re-deliveries race, keeping what earlier runs moved', async () => {
    const { store } = stores();
    const { job } = await store.createOnce('deal-archive', key('D'), {});
    const token = tokenOf(await store.claimPlanning(job.jobId, 1, 'p', 60_000));
    await store.finishPlanning(job.jobId, 1, token, { chunkCount: 1, total: 10 });
    await store.transition(job.jobId, ['running'], 'failed', { run: 1, progress: { total: 10, done: 7, failed: 3 } });
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
    const { jobId, token } = await runningJobWithChunks(1);
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
  it('counts a chunk once when the same chunk is counted five times at once', async () => {
    const { store, chunks } = stores();
    const { jobId } = await runningJobWithChunks(3);
    const results = await Promise.all(Array.from({ length: 5 }, () => chunks.count(jobId, 1, 0, { done: 1, failed: 0 })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const job = (await store.get(jobId))!;
    expect(job.progress.done).toBe(1);
    expect((job.state as { chunksDone: number }).chunksDone).toBe(1);
  });

  it('reports the last chunk to only one counter, so one finalizer is queued', async () => {
    const { chunks } = stores();
    const { jobId } = await runningJobWithChunks(4);
    const results = await Promise.all([0, 1, 2, 3].map((i) => chunks.count(jobId, 1, i, { done: 1, failed: 0 })));
    const sawAllDone = results.filter((j) => (j!.state as { chunksDone: number }).chunksDone === 4);
    expect(sawAllDone).toHaveLength(1);
    expect(await chunks.uncountedIndexes(jobId, 1, 4)).toEqual([]);
  });

  it('lets only the latest attempt finish a chunk, and none once it is finished', async () => {
    const { chunks } = stores();
    const { jobId, token } = await runningJobWithChunks(2);
    const first = (await chunks.startAttempt(jobId, 1, token, 0))!;
    const second = (await chunks.startAttempt(jobId, 1, token, 0))!;
    expect([first.attempts, second.attempts, second.sourceFolderId]).toEqual([1, 2, 20]);
    const error = { fileId: 0, title: 'f0', reason: 'locked', destFolderId: 10 };
    expect(await chunks.finish(jobId, 1, token, 0, first.attempts, { done: 1, failed: 0, errors: [] })).toBe(false);
    expect(await chunks.finish(jobId, 1, token, 0, second.attempts, { done: 0, failed: 1, errors: [error] })).toBe(true);
    expect(await chunks.finish(jobId, 1, token, 0, second.attempts, { done: 1, failed: 0, errors: [] })).toBe(false);
    expect(await chunks.startAttempt(jobId, 1, token, 0)).toBeUndefined();
    expect(await chunks.get(jobId, 1, token, 0)).toMatchObject({ status: 'done', outcome: { done: 0, failed: 1 }, errors: [error] });
    // Finished is not counted: a stalled plan still sends both.
    expect(await chunks.uncountedIndexes(jobId, 1, 2)).toEqual([0, 1]);
  });

  it('does not count a chunk of an older run into the current one', async () => {
    const { store, chunks } = stores();
    const { jobId } = await runningJobWithChunks(2);
    await store.transition(jobId, ['running'], 'failed', { run: 1 });
    await store.resume((await store.get(jobId))!);
    expect(await chunks.count(jobId, 1, 1, { done: 1, failed: 0 })).toBeUndefined();
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
