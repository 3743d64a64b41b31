import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptJob, meetAgain, type JobRuns } from '../../../lib/jobs/accept';
import { JobStore } from '../../../lib/jobs/store';
import type { OutboundMessage } from '../../../lib/queue/send';
import { startTable, type TestTable } from '../../support/dynamo';

/*
 * The one accept protocol every workflow uses (lib/jobs/accept.ts), against a real conditional-write store.
 */
let db: TestTable;
let clock = Date.parse('2026-12-01T09:00:00Z');
let store: JobStore;
let sent: OutboundMessage[];
const counted: string[] = [];
const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;

beforeAll(async () => {
  db = await startTable();
  store = new JobStore(db.ddb, db.table, () => clock);
});
afterAll(() => db.close());

const runs: JobRuns = { start: (job) => ({ step: 'first', jobId: job.jobId, run: job.run }), staleAfterMs: 10 * 60_000 };
const deps = () => {
  sent = [];
  return {
    store,
    queue: { send: async (m: OutboundMessage[]) => void sent.push(...m) },
    counters: { count: (name: string) => void counted.push(name) },
    log: silent,
    now: () => clock,
  };
};
const event = (key: string) => ({ workflow: 'deal-archive' as const, businessKey: key, input: { key } });

describe('accepting an event', () => {
  it('creates the job once and queues the first step of run 1; the same event again queues it again while queued', async () => {
    const first = await acceptJob(deps(), event('D-1'), runs);
    expect(first.created).toBe(true);
    expect(sent).toEqual([{ body: { step: 'first', jobId: first.jobId, run: 1 } }]);
    const again = await acceptJob(deps(), event('D-1'), runs);
    expect(again).toEqual({ jobId: first.jobId, created: false });
    expect(sent).toEqual([{ body: { step: 'first', jobId: first.jobId, run: 1 } }]);
  });

  it('resumes a failed job as the next run, and two meetings at once start one run', async () => {
    const { jobId } = await acceptJob(deps(), event('D-2'), runs);
    await store.transition(jobId, ['queued'], 'failed');
    const d = deps();
    const job = (await store.get(jobId))!;
    const outcomes = await Promise.all([meetAgain(d, job, runs), meetAgain(d, job, runs)]);
    expect(outcomes.sort()).toEqual(['resumed', 'unchanged']);
    expect(sent).toEqual([{ body: { step: 'first', jobId, run: 2 } }]);
    expect(await store.get(jobId)).toMatchObject({ status: 'queued', run: 2 });
  });

  it('leaves a running job alone until it has not moved for staleAfterMs, then resumes it', async () => {
    const { jobId } = await acceptJob(deps(), event('D-3'), runs);
    await store.transition(jobId, ['queued'], 'running');
    clock += 9 * 60_000;
    await acceptJob(deps(), event('D-3'), runs);
    expect(sent).toEqual([]);
    clock += 2 * 60_000;
    await acceptJob(deps(), event('D-3'), runs);
    expect(sent).toEqual([{ body: { step: 'first', jobId, run: 2 } }]);
  });

  it('does nothing for a job that succeeded', async () => {
    const { jobId } = await acceptJob(deps(), event('D-4'), runs);
    await store.transition(jobId, ['queued'], 'succeeded');
    clock += 24 * 3_600_000;
    await acceptJob(deps(), event('D-4'), runs);
    expect(sent).toEqual([]);
    expect(await store.get(jobId)).toMatchObject({ status: 'succeeded', run: 1 });
    expect(counted.filter((c) => c === 'DuplicateDeliveries').length).toBeGreaterThan(0);
  });
});
