import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTarget, getJson } from '../../../infra/cli/api';
import { formatJob } from '../../../infra/cli/jobs';
import { jobViewSchema } from '../../../lib/http/openapi';
import { fakeReadApi } from '../../support/read-api';

const TOKEN = 'cli-test-admin-token-42';
const job = {
  jobId: 'deal-archive-Zm9vYmFyYmF6cXV4cXV1eA',
  workflow: 'deal-archive',
  status: 'failed',
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:01:00.000Z',
  progress: { total: 3, done: 2, failed: 1 },
  result: { archiveFolderId: 789 },
  errors: [{ fileId: 42, title: 'a.pdf', reason: 'left in the source after the move' }],
} as const;

let api: Awaited<ReturnType<typeof fakeReadApi>>;
let url: string;
beforeAll(async () => {
  api = await fakeReadApi(TOKEN, (path) => (path === `/jobs/${job.jobId}` ? job : undefined), 'job x not found');
  url = `${api.url}/`;
});
afterAll(() => api.close());

describe('npm run jobs', () => {
  it('reads a job from DOCSPACE_FLOWS_URL with the admin token and prints its errors', async () => {
    const target = apiTarget({ DOCSPACE_FLOWS_URL: url, ADMIN_API_TOKEN: TOKEN });
    expect(target.baseUrl).toBe(url.replace(/\/$/, ''));
    const view = jobViewSchema.parse(await getJson(target, `/jobs/${job.jobId}`));
    const text = formatJob(view);
    expect(text).toContain('deal-archive-Zm9vYmFyYmF6cXV4cXV1eA  deal-archive  FAILED');
    expect(text).toContain('progress 2/3 done, 1 failed');
    expect(text).toContain('result {"archiveFolderId":789}');
    expect(text).toContain('file 42 "a.pdf" left in the source after the move');
  });

  it('says what the API answered, without the token', async () => {
    const wrong = apiTarget({ DOCSPACE_FLOWS_URL: url, ADMIN_API_TOKEN: 'wrong-token-0123456789' });
    await expect(getJson(wrong, `/jobs/${job.jobId}`)).rejects.toThrow(`GET /jobs/${job.jobId} answered 401: missing or invalid credentials`);
    await expect(getJson(wrong, `/jobs/${job.jobId}`)).rejects.not.toThrow(/wrong-token/);
    const right = apiTarget({ DOCSPACE_FLOWS_URL: url, ADMIN_API_TOKEN: TOKEN });
    await expect(getJson(right, '/jobs/task-complete-nope')).rejects.toThrow('answered 404: job x not found');
  });

  it('refuses to run without a token', () => {
    expect(() => apiTarget({ DOCSPACE_FLOWS_URL: url, LOCAL_DATA_DIR: '/nonexistent-docspace-flows' })).toThrow(/ADMIN_API_TOKEN is not set/);
  });
});
