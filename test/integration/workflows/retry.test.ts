import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../../lib/http/errors';
import { JobStore } from '../../../lib/jobs/store';
import type { OutboundMessage } from '../../../lib/queue/send';
import { retryJob, type RetryDeps } from '../../../lib/workflows/retry';
import { startTable, type TestTable } from '../../support/dynamo';

/*
 * retryJob against a real conditional-write store (dynalite): which queue each workflow's retry goes to, what is
 * counted, and what is refused. The runs themselves are in test/integration/ops-api.test.ts.
 */
let db: TestTable;
let store: JobStore;
beforeAll(async () => {
  db = await startTable();
  store = new JobStore(db.ddb, db.table);
});
afterAll(() => db?.close());

function deps() {
  const sent: Record<string, OutboundMessage[]> = { fileMoves: [], uploadCopy: [], projectRoom: [] };
  const counted: string[] = [];
  const queue = (name: string) => ({ send: async (messages: OutboundMessage[]) => void sent[name]!.push(...messages) });
  const silent = () => undefined;
  const d: RetryDeps = {
    store,
    queues: { fileMoves: queue('fileMoves'), uploadCopy: queue('uploadCopy'), projectRoom: queue('projectRoom') },
    counters: { count: (name) => void counted.push(name) },
    log: { debug: silent, info: silent, warn: silent, error: silent },
  };
  return { d, sent, counted };
}

async function failedJob(workflow: Parameters<JobStore['createOnce']>[0], key: string, input: Record<string, unknown>) {
  const { job } = await store.createOnce(workflow, key, input);
  await store.transition(job.jobId, ['queued'], 'failed');
  return job.jobId;
}

describe('retryJob', () => {
  it.each([
    ['deal-archive', 'fileMoves', { sourceFolderId: 3, destination: { kind: 'named-child', parentId: 4, title: 'Acme' }, resultKey: 'archiveFolderId' }, { kind: 'plan' }],
    ['task-complete', 'fileMoves', { sourceFolderId: 5, destination: { kind: 'folder', folderId: 6 }, resultKey: 'completedFolderId' }, { kind: 'plan' }],
    ['upload-copy', 'uploadCopy', { sourceFileId: 7, title: 'a.pdf', webhookId: 1, eventId: 2, createOn: 'x' }, {}],
    ['project-room', 'projectRoom', { projectId: 'P-9', projectType: 'legal', projectName: 'Nine', title: 'Nine (P-9)' }, {}],
  ] as const)('starts run 2 of a failed %s job on its own queue, counted as a retry, not as a repeated event', async (workflow, queue, input, body) => {
    // The business key each accept path derives (a project's is its projectId).
    const jobId = await failedJob(workflow, workflow === 'project-room' ? 'P-9' : `${workflow}-key`, input);
    const { d, sent, counted } = deps();
    expect(await retryJob(d, jobId)).toEqual({ jobId });
    expect(sent[queue]).toEqual([{ body: { ...body, jobId, run: 2 } }]);
    expect(Object.values(sent).flat()).toHaveLength(1);
    expect(await store.get(jobId)).toMatchObject({ status: 'queued', run: 2 });
    expect(counted).toEqual(['JobsRetried']);
  });

  it('refuses a job that is running or has succeeded (409) and one that does not exist (404), sending nothing', async () => {
    const { job: running } = await store.createOnce('deal-archive', 'D-running', { sourceFolderId: 1, destination: { kind: 'folder', folderId: 2 }, resultKey: 'archiveFolderId' });
    await store.transition(running.jobId, ['queued'], 'running');
    const { job: done } = await store.createOnce('deal-archive', 'D-done', { sourceFolderId: 1, destination: { kind: 'folder', folderId: 2 }, resultKey: 'archiveFolderId' });
    await store.transition(done.jobId, ['queued'], 'succeeded');
    const { d, sent } = deps();
    for (const [jobId, status] of [
      [running.jobId, 409],
      [done.jobId, 409],
      ['deal-archive-AAAAAAAAAAAAAAAAAAAAAA', 404],
      ['../../etc', 404],
    ] as const) {
      const error = await retryJob(d, jobId).catch((e: unknown) => e);
      // Domain errors (lib/errors.ts) answered through the one HTTP mapping.
      expect(toErrorResponse(error, { error: () => {}, warn: () => {} }).statusCode, jobId).toBe(status);
    }
    expect(Object.values(sent).flat()).toEqual([]);
    expect(await store.get(running.jobId)).toMatchObject({ status: 'running', run: 1 });
  });

  it('lets only one of two retries at once start a run', async () => {
    const jobId = await failedJob('task-complete', 'T-twice', { sourceFolderId: 8, destination: { kind: 'folder', folderId: 9 }, resultKey: 'completedFolderId' });
    const { d, sent } = deps();
    await Promise.all([retryJob(d, jobId), retryJob(d, jobId)]);
    expect(await store.get(jobId)).toMatchObject({ status: 'queued', run: 2 });
    // The loser may re-queue the queued run (the planner claims it once); it never starts a run 3.
    expect(sent.fileMoves!.every((m) => (m.body as { run: number }).run === 2)).toBe(true);
  });
});
