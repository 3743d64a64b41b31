import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Powertools keeps the level it was built with, so the level has to be set before lib/log is imported.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { requireSignature } from '../../../lib/http/auth';
import { signSha256 } from '../../../lib/signature';
import { endpoint } from '../../../lib/http/endpoint';

const SECRET = 'request-log-secret-value';
const context = { functionName: 'tasks', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

let lines: Array<Record<string, unknown>>;
beforeEach(() => {
  lines = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
});
afterEach(() => vi.restoreAllMocks());

const handler = endpoint(
  { authenticate: (req) => requireSignature(req.rawBody, req.headers['x-signature-256'], SECRET), body: z.object({ docsFolderId: z.number() }) },
  async () => ({ statusCode: 202, body: { jobId: 'task-complete-abc' } }),
);

const call = (body: string, headers: Record<string, string> = {}) =>
  handler(
    {
      version: '2.0',
      routeKey: 'POST /webhooks/tasks',
      rawPath: '/webhooks/tasks',
      headers,
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/webhooks/tasks' } },
      body,
      isBase64Encoded: false,
    } as never,
    context,
  );

const answered = () => lines.filter((l) => l.message === 'request answered');

describe('the line each request leaves in the log', () => {
  it('names the status and why a request without a signature was refused', async () => {
    expect((await call('{"docsFolderId":1}')).statusCode).toBe(401);
    expect(answered()).toEqual([
      expect.objectContaining({ method: 'POST', path: '/webhooks/tasks', statusCode: 401, reason: 'unauthorized: missing or invalid signature (no signature header)' }),
    ]);
  });

  it('tells a signature made with another secret from a missing or malformed one, without logging either', async () => {
    const body = '{"docsFolderId":1}';
    const forged = signSha256(body, 'another-secret');
    await call(body, { 'x-signature-256': forged });
    await call(body, { 'x-signature-256': 'sha1=abc' });
    expect(answered().map((l) => l.reason)).toEqual([
      'unauthorized: missing or invalid signature (the signature does not match the body: another secret, or the body changed after it was signed)',
      'unauthorized: missing or invalid signature (the signature header is not sha256=<64 hex digits>)',
    ]);
    const all = JSON.stringify(lines);
    expect(all).not.toContain(forged.slice(7));
    expect(all).not.toContain(SECRET);
  });

  it('names the field of a 400 and the jobId of an accepted request', async () => {
    const bad = '{"docsFolderId":"x"}';
    expect((await call(bad, { 'x-signature-256': signSha256(bad, SECRET) })).statusCode).toBe(400);
    const good = '{"docsFolderId":7}';
    expect((await call(good, { 'x-signature-256': signSha256(good, SECRET) })).statusCode).toBe(202);
    const [refused, accepted] = answered();
    expect(refused).toMatchObject({ statusCode: 400, reason: expect.stringMatching(/^bad_request: docsFolderId: /) });
    expect(accepted).toMatchObject({ statusCode: 202, jobId: 'task-complete-abc' });
    expect(accepted).not.toHaveProperty('reason');
  });
});
