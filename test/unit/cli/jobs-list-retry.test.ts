import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTarget } from '../../../infra/cli/api';
import { formatJobList, listQuery, runJobs, sinceValue } from '../../../infra/cli/jobs';
import { jobListSchema } from '../../../lib/http/openapi';
import { fakeReadApi, reply } from '../../support/read-api';

const TOKEN = 'cli-list-admin-token-42';
const FAILED_ID = 'deal-archive-Zm9vYmFyYmF6cXV4cXV1eA';
const DONE_ID = 'task-complete-YmFyYmF6cXV4cXV1eGZvbw';
const page = jobListSchema.parse({
  jobs: [
    {
      jobId: FAILED_ID,
      workflow: 'deal-archive',
      status: 'failed',
      createdAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T10:01:00.000Z',
      progress: { total: 3, done: 2, failed: 1 },
      key: { dealId: 'D-7', clientName: 'Acme\u001b[2J', clientRoomId: 123 },
    },
    {
      jobId: DONE_ID,
      workflow: 'task-complete',
      status: 'succeeded',
      createdAt: '2026-11-30T09:00:00.000Z',
      updatedAt: '2026-11-30T09:00:05.000Z',
      progress: { total: 4, done: 4, failed: 0 },
      key: { taskId: 'TASK-102', docsFolderId: 341029 },
    },
  ],
  nextCursor: 'WyIyMDI2LTExLTMwVDA5OjAwOjAwLjAwMFoiXQ',
});

const requests: string[] = [];
let api: Awaited<ReturnType<typeof fakeReadApi>>;
beforeAll(async () => {
  api = await fakeReadApi(TOKEN, (path, method) => {
    requests.push(`${method} ${path}`);
    if (method === 'GET' && path.startsWith('/jobs?') || path === '/jobs') return page;
    if (method === 'POST' && path === `/jobs/${FAILED_ID}/retry`) return reply(202, { jobId: FAILED_ID });
    if (method === 'POST' && path === `/jobs/${DONE_ID}/retry`) {
      return reply(409, { error: { code: 'conflict', message: `job ${DONE_ID} has succeeded; there is nothing to retry` } });
    }
    return undefined;
  });
});
afterAll(() => api.close());

function run(argv: string[]) {
  const printed: string[] = [];
  const target = apiTarget({ DOCSPACE_FLOWS_URL: api.url, ADMIN_API_TOKEN: TOKEN });
  return { printed, done: runJobs(argv, { target, out: (t) => printed.push(t), now: Date.parse('2026-12-01T12:00:00.000Z') }) };
}

describe('npm run jobs -- list', () => {
  it('asks GET /jobs with the filters and prints a table, newest first, with the command for the next page', async () => {
    requests.length = 0;
    const { printed, done } = run(['list', '--status', 'failed', '--workflow=deal-archive', '--since', '24h', '--limit', '2']);
    expect(await done).toBe(0);
    expect(requests).toEqual(['GET /jobs?status=failed&workflow=deal-archive&since=2026-11-30T12%3A00%3A00.000Z&limit=2']);
    const lines = printed.join('').trimEnd().split('\n');
    // A title's control characters are shown escaped, never sent to the terminal.
    expect(printed.join('')).not.toContain('\u001b');
    expect(lines[0]).toMatch(/^CREATED \(UTC\)\s+WORKFLOW\s+STATUS\s+PROGRESS\s+KEY\s+JOB ID$/);
    expect(lines[1]).toMatch(/^2026-11-30 10:00:00\s+deal-archive\s+FAILED\s+2\/3 \(1 failed\)\s+dealId="D-7" clientName="Acme\\u001b\[2J" clientRoomId=123\s+deal-archive-Zm9vYmFyYmF6cXV4cXV1eA$/);
    expect(lines[2]).toMatch(/^2026-11-30 09:00:00\s+task-complete\s+SUCCEEDED\s+4\/4\s+taskId="TASK-102" docsFolderId=341029\s+task-complete-/);
    expect(lines[3]).toBe(
      `more: npm run jobs -- list --status failed --workflow deal-archive --since 2026-11-30T12:00:00.000Z --limit 2 --cursor ${page.nextCursor}`,
    );
  });

  it('prints the API answer as it is with --json', async () => {
    const { printed, done } = run(['list', '--json']);
    expect(await done).toBe(0);
    expect(JSON.parse(printed.join(''))).toEqual(page);
  });

  it('refuses an unknown option before asking the API', () => {
    expect(() => listQuery(['--state', 'failed'])).toThrow(/unknown option --state/);
    expect(() => listQuery(['--limit'])).toThrow(/--limit needs a value/);
  });

  it('reads --since as a duration before now, or passes a timestamp through', () => {
    const now = Date.parse('2026-12-01T12:00:00.000Z');
    expect(sinceValue('30m', now)).toBe('2026-12-01T11:30:00.000Z');
    expect(sinceValue('7d', now)).toBe('2026-11-24T12:00:00.000Z');
    expect(sinceValue('2026-11-01T00:00:00Z', now)).toBe('2026-11-01T00:00:00Z');
  });

  it('says so when nothing matches', () => {
    expect(formatJobList({ jobs: [], nextCursor: null })).toBe('no jobs match');
  });
});

describe('npm run jobs -- retry', () => {
  it('posts the retry and says how to follow the job', async () => {
    requests.length = 0;
    const { printed, done } = run(['retry', FAILED_ID]);
    expect(await done).toBe(0);
    expect(requests).toEqual([`POST /jobs/${FAILED_ID}/retry`]);
    expect(printed.join('')).toContain(`${FAILED_ID}: queued again; \`npm run jobs -- ${FAILED_ID} --watch\` follows it`);
  });

  it("fails with the API's reason for a job that cannot be retried, and never prints the token", async () => {
    const attempt = run(['retry', DONE_ID]).done;
    await expect(attempt).rejects.toThrow(`POST /jobs/${DONE_ID}/retry answered 409: job ${DONE_ID} has succeeded; there is nothing to retry`);
    await expect(run(['retry', 'task-complete-AAAAAAAAAAAAAAAAAAAAAA']).done).rejects.toThrow(/answered 404/);
    const wrong = runJobs(['retry', FAILED_ID], { target: { baseUrl: api.url, token: 'wrong-token-0123456789' }, out: () => undefined });
    await expect(wrong).rejects.toThrow(/answered 401/);
    await expect(runJobs(['retry', FAILED_ID], { target: { baseUrl: api.url, token: 'wrong-token-0123456789' }, out: () => undefined })).rejects.not.toThrow(
      /wrong-token/,
    );
  });
});
