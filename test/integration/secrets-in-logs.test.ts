import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as opsConsole } from '../../functions/console/handler';
import { handler as dealArchiveWebhook } from '../../functions/deal-archive/handler';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as uploadWebhook } from '../../functions/upload-copy/handler';
import { DEMO } from '@docspace-flows/simulator';
import { jobViewSchema } from '../../lib/http/openapi';
import { startStack, type Stack } from '../support/stack';

/*
 * Every line the bundle writes during a full deal archive (webhook, planning, chunk moves with DocSpace retries,
 * finalizing, guest removal, status reads), plus rejected requests, at DEBUG and with Powertools' event logging
 * switched on by environment (it would print the headers), must hold no secret and no signature.
 */
vi.hoisted(() => {
  // Both are read when lib/log builds the logger, before any import runs.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
  // The EMF lines go to the same output, so they are checked too (and show the counters work).
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

let stack: Stack;
let output = '';
const sentSignatures: string[] = [];

function capture(chunk: unknown): boolean {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return true;
}

beforeAll(async () => {
  stack = await startStack({ visibilityTimeoutSeconds: 5 });
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
});

function signedPost(secret: string, body: unknown): { raw: string; headers: Record<string, string> } {
  const raw = JSON.stringify(body);
  const headers = stack.signedHeaders(secret, raw);
  sentSignatures.push(headers['x-signature-256']!);
  return { raw, headers };
}

describe('log output of a full job', () => {
  it('names jobs and events but never a secret or a signature', async () => {
    const secrets = {
      DOCSPACE_API_KEY: stack.env.DOCSPACE_API_KEY!,
      TASKS_WEBHOOK_SECRET: stack.secrets.tasks,
      DEALS_WEBHOOK_SECRET: stack.secrets.deals,
      PROJECTS_WEBHOOK_SECRET: stack.secrets.projects,
      DOCSPACE_WEBHOOK_SECRET: stack.secrets.docspace,
      ADMIN_API_TOKEN: stack.secrets.admin,
    };
    // Rate limits and a proxy error on the way, so the retry paths log too.
    stack.sim.setFaults({ next429: 3, rate5xx: 0.05 });

    const deal = { dealId: 'D-LOGS-1', clientRoomId: DEMO.clientRoomId, clientName: 'Acme Logs', guestUserId: DEMO.guestUserId };
    const { raw, headers } = signedPost(stack.secrets.deals, deal);
    const accepted = await stack.http(dealArchiveWebhook, { method: 'POST', path: '/webhooks/deals/closed', headers, body: raw });
    expect(accepted.statusCode).toBe(202);
    const jobId = accepted.body.jobId as string;

    // Rejected requests log too: a forged signature, a wrong admin token.
    const forged = `sha256=${createHmac('sha256', 'not-the-secret').update(raw).digest('hex')}`;
    sentSignatures.push(forged);
    const rejected = await stack.http(dealArchiveWebhook, {
      method: 'POST',
      path: '/webhooks/deals/closed',
      headers: { 'content-type': 'application/json', 'x-signature-256': forged },
      body: raw,
    });
    expect(rejected.statusCode).toBe(401);
    const wrongToken = await stack.http(jobsApi, {
      method: 'GET',
      path: `/jobs/${jobId}`,
      headers: { authorization: `Bearer ${secrets.ADMIN_API_TOKEN}-wrong` },
    });
    expect(wrongToken.statusCode).toBe(401);

    // The console's page, asked with the token along (a browser never needs to send it there).
    const consolePage = await stack.http(opsConsole, { method: 'GET', path: '/console', headers: { authorization: `Bearer ${secrets.ADMIN_API_TOKEN}` } });
    expect(consolePage.statusCode).toBe(200);

    // A DocSpace webhook, signed the DocSpace way (uppercase hex), even if no copy rule matches it.
    const upload = JSON.stringify({
      event: { id: 9001, createOn: new Date().toISOString(), trigger: 'file.uploaded' },
      payload: { id: 424242, title: 'logs.docx', folderId: DEMO.clientRoomId },
      webhook: { id: 7 },
    });
    const docspaceSignature = `sha256=${createHmac('sha256', secrets.DOCSPACE_WEBHOOK_SECRET).update(upload).digest('hex').toUpperCase()}`;
    sentSignatures.push(docspaceSignature);
    const uploaded = await stack.http(uploadWebhook, {
      method: 'POST',
      path: '/webhooks/docspace',
      headers: { 'content-type': 'application/json', 'x-docspace-signature-256': docspaceSignature },
      body: upload,
    });
    expect(uploaded.statusCode).toBeLessThan(300);

    await stack.drain({ timeoutMs: 60_000 });
    const status = await stack.http(jobsApi, {
      method: 'GET',
      path: `/jobs/${jobId}`,
      headers: { authorization: `Bearer ${secrets.ADMIN_API_TOKEN}` },
    });
    expect(status.statusCode).toBe(200);
    expect(status.body.status).toBe('succeeded');
    // The read API answers what the OpenAPI document says it does.
    expect(jobViewSchema.safeParse(status.body).error).toBeUndefined();

    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    // The capture saw the real thing: debug lines, per-record keys, the inbound request ids, the retries.
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.some((l) => l.level === 'DEBUG')).toBe(true);
    expect(lines.some((l) => l.jobId === jobId && typeof l.messageId === 'string')).toBe(true);
    expect(lines.some((l) => l.jobId === jobId && typeof l.requestId === 'string')).toBe(true);
    expect(lines.some((l) => l.docspaceEventId === 9001 && typeof l.jobId === 'string')).toBe(true);
    expect(lines.some((l) => /retr/i.test(String(l.message)))).toBe(true);
    expect(lines.some((l) => l.route === 'GET /console')).toBe(true);

    const metrics = new Set(
      lines.flatMap((l) => ((l._aws as { CloudWatchMetrics?: Array<{ Metrics: Array<{ Name: string }> }> } | undefined)?.CloudWatchMetrics ?? [])
        .flatMap((d) => d.Metrics.map((m) => m.Name))),
    );
    for (const name of ['JobsStarted', 'JobsSucceeded', 'FilesMoved', 'DocSpaceRetries', 'DocSpaceRateLimited']) {
      expect(metrics, `metric ${name}`).toContain(name);
    }
    // A job's counts name its workflow, from the webhook's accept step to the worker that runs two workflows' jobs.
    const countedFor = (workflow: string) =>
      new Set(lines.filter((l) => l._aws !== undefined && l.workflow === workflow).flatMap((l) => Object.keys(l)));
    expect([...countedFor('deal-archive')]).toEqual(expect.arrayContaining(['JobsStarted', 'FilesMoved', 'JobsSucceeded']));
    expect([...countedFor('upload-copy')]).toEqual(expect.arrayContaining(['JobsStarted']));

    for (const [name, value] of Object.entries(secrets)) {
      expect(output.includes(value), `${name} appears in the logs`).toBe(false);
    }
    for (const signature of sentSignatures) {
      const hex = signature.slice('sha256='.length);
      expect(output.toLowerCase().includes(hex.toLowerCase()), `signature ${signature.slice(0, 16)}… appears in the logs`).toBe(false);
    }
    expect(output.toLowerCase()).not.toContain('authorization');
  });
});
