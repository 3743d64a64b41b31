import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../../../infra/cli/api';
import { runReport } from '../../../infra/cli/report';
import { jobViewSchema } from '../../../lib/http/openapi';

/*
 * What the operator CLIs say when the answer is not the API's: a proxy or a wrong DOCSPACE_FLOWS_URL answering
 * an HTML page, a 5xx, a body that breaks off, JSON of another shape. Each is a message naming what came back,
 * and an exit code of 1, never a TypeError.
 */

const TOKEN = 'unexpected-answers-token-42';
const HTML = '<!doctype html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome</h1></body></html>';
const JOB = {
  jobId: 'task-complete-abc',
  workflow: 'task-complete',
  status: 'succeeded',
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:01:00.000Z',
  progress: { total: 1, done: 1, failed: 0 },
  result: {},
  errors: [],
};

// A path with one of these segments answers that way, whatever it asks for (a job or the report).
const answers: Record<string, { status: number; type: string; body: string }> = {
  html: { status: 200, type: 'text/html', body: HTML },
  error500: { status: 500, type: 'text/html', body: `<html><body><h1>500 Internal Server Error</h1>${' '.repeat(10)}</body></html>` },
  truncated: { status: 200, type: 'application/json', body: JSON.stringify(JOB).slice(0, 60) },
  shape: { status: 200, type: 'application/json', body: JSON.stringify({ jobId: 'task-complete-abc', status: 'succeeded' }) },
  empty: { status: 200, type: 'application/json', body: '' },
};

let server: ReturnType<typeof createServer>;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const key = (req.url ?? '').split('/').find((segment) => segment in answers);
    const chosen = key ? answers[key]! : { status: 200, type: 'application/json', body: JSON.stringify(JOB) };
    res.writeHead(chosen.status, { 'content-type': chosen.type });
    res.end(chosen.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const target = () => ({ baseUrl: base, token: TOKEN });
const asJob = { schema: jobViewSchema, what: 'a job' };

describe('the CLIs on an answer they do not expect', () => {
  it('name an HTML page that answered 200, by its title, and ask whether the URL is the API', async () => {
    await expect(getJson(target(), '/jobs/html', asJob)).rejects.toThrow(
      new RegExp(`^GET /jobs/html answered 200 with text/html instead of JSON \\(Welcome to nginx!\\); is ${base} the docspace-flows API`),
    );
  });

  it('name a 500 and what its page says', async () => {
    await expect(getJson(target(), '/jobs/error500', asJob)).rejects.toThrow('GET /jobs/error500 answered 500: 500 Internal Server Error');
  });

  it('say that JSON broke off, and where', async () => {
    await expect(getJson(target(), '/jobs/truncated', asJob)).rejects.toThrow(/answered 200 with JSON that breaks off after 60 bytes/);
    await expect(getJson(target(), '/jobs/empty', asJob)).rejects.toThrow(/answered 200 with an empty body instead of JSON/);
  });

  it('say which field of the answer is not what a job has', async () => {
    await expect(getJson(target(), '/jobs/shape', asJob)).rejects.toThrow(/answered 200 with JSON that is not a job \(workflow: /);
  });

  it('return a well-formed answer as it was sent', async () => {
    await expect(getJson(target(), '/jobs/task-complete-abc', asJob)).resolves.toEqual(JOB);
  });

  it('npm run jobs exits 1 with the message, not a TypeError, for each of them', async () => {
    for (const name of ['html', 'error500', 'truncated', 'shape']) {
      const { code, stderr } = await cli('jobs.ts', [name]);
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(new RegExp(`^npm run jobs: GET /jobs/${name} answered`));
      expect(stderr).not.toMatch(/TypeError|Cannot (read|destructure)|\n\s+at /);
      expect(stderr).not.toContain(TOKEN);
    }
  });

  it('npm run report exits 1 naming what answered instead of a report', async () => {
    let stderr = '';
    const code = await runReport([], { env: { DOCSPACE_FLOWS_URL: `${base}/html`, ADMIN_API_TOKEN: TOKEN }, out: () => undefined, err: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toContain('answered 200 with text/html instead of JSON (Welcome to nginx!)');
    const shaped = await runReport([], { env: { DOCSPACE_FLOWS_URL: `${base}/shape`, ADMIN_API_TOKEN: TOKEN }, out: () => undefined, err: (t) => (stderr = t) });
    expect(shaped).toBe(1);
    expect(stderr).toMatch(/answered 200 with JSON that is not an abandoned-rooms report \(generatedAt: /);
  });
});

/** The real entry point, as `npm run jobs` starts it (tsx), with the Node running this test. */
function cli(file: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('infra', 'cli', file), ...args], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, DOCSPACE_FLOWS_URL: base, ADMIN_API_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}
