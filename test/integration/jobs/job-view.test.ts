import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobViewSchema } from '../../../lib/http/openapi';
import { JobStore } from '../../../lib/jobs/store';
import { startTable, type TestTable } from '../../support/dynamo';

let t: TestTable;
beforeAll(async () => {
  t = await startTable();
});
afterAll(async () => {
  await t.close();
});

describe('the job status GET /jobs/{jobId} shows', () => {
  it('every field of the contract, a result included, while the job is still queued', async () => {
    const store = new JobStore(t.ddb, t.table, () => Date.parse('2026-11-30T10:00:00Z'));
    const { job } = await store.createOnce('project-room', 'P-1', { projectId: 'P-1' });

    const view = await store.view(job.jobId);

    expect(view).toEqual({
      jobId: job.jobId,
      workflow: 'project-room',
      status: 'queued',
      createdAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T10:00:00.000Z',
      progress: { total: 0, done: 0, failed: 0 },
      result: {},
      errors: [],
    });
    expect(jobViewSchema.safeParse(view).success).toBe(true);
  });

  it('the result a workflow recorded, unchanged', async () => {
    const store = new JobStore(t.ddb, t.table);
    const { job } = await store.createOnce('deal-archive', 'D-7', { dealId: 'D-7' });
    await store.transition(job.jobId, ['queued'], 'running', { result: { archiveFolderId: 789 } });

    expect((await store.view(job.jobId))!.result).toEqual({ archiveFolderId: 789 });
  });
});
