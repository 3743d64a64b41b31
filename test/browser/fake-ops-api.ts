import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler as consoleHandler } from '../../functions/console/handler';
import { lambdaContext } from '../../infra/local/lambda-context';
import { buildHttpEvent } from '../support/http';

/*
 * GET /console from the real handler, and a stand-in for the admin API the page calls (contract.md): the
 * bearer check, jobs newest first with filters and an opaque cursor, a job's status, retry (202/409/404), the
 * report and the dead-letter queues. `onRead` lets a test move a job along each time the page polls it.
 */

export interface FakeJob {
  jobId: string;
  workflow: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  createdAt: string;
  updatedAt: string;
  progress: { total: number; done: number; failed: number };
  key: Record<string, unknown>;
  result?: Record<string, unknown>;
  errors?: Array<{ fileId?: number; title?: string; reason: string }>;
}

export interface FakeOpsApi {
  url: string;
  jobs: FakeJob[];
  report?: unknown;
  queues: Array<{ name: string; messages: number }>;
  /** Answers GET /jobs instead of the jobs above when it returns a page (e.g. the real API's short pages). */
  list?: (query: URLSearchParams) => { jobs: FakeJob[]; nextCursor: string | null } | undefined;
  /** How long GET /jobs takes to answer (a slow API: clicks land while a page is loading). */
  listDelayMs?: number;
  /** Called on every GET /jobs/{id} before answering: the place to advance a job. */
  onRead?: (job: FakeJob) => void;
  retried: string[];
  close(): Promise<void>;
}

const summary = ({ result: _r, errors: _e, ...rest }: FakeJob) => rest;

export async function fakeOpsApi(token: string): Promise<FakeOpsApi> {
  const api: FakeOpsApi = { url: '', jobs: [], queues: [], retried: [], close: async () => undefined };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/console') {
      const result = await consoleHandler(buildHttpEvent({ method: 'GET', path: '/console' }), lambdaContext({ functionName: 'console', timeoutSeconds: 5 }));
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body);
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) return error(res, 401, 'unauthorized', 'missing or invalid credentials');
    if (method === 'GET' && url.pathname === '/jobs') {
      if (api.listDelayMs) await new Promise((resolve) => setTimeout(resolve, api.listDelayMs));
      const q = url.searchParams;
      const custom = api.list?.(q);
      if (custom) return send(res, 200, { jobs: custom.jobs.map(summary), nextCursor: custom.nextCursor });
      const since = q.get('since');
      const matching = api.jobs
        .filter((j) => (!q.get('workflow') || j.workflow === q.get('workflow')) && (!q.get('status') || j.status === q.get('status')))
        .filter((j) => !since || j.createdAt >= since)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const offset = q.get('cursor') ? Number(Buffer.from(q.get('cursor')!, 'base64url').toString()) : 0;
      const limit = Number(q.get('limit') ?? 20);
      const page = matching.slice(offset, offset + limit);
      const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
      return send(res, 200, { jobs: page.map(summary), nextCursor: next });
    }
    const jobMatch = /^\/jobs\/([^/]+)(\/retry)?$/.exec(url.pathname);
    if (jobMatch) {
      const job = api.jobs.find((j) => j.jobId === decodeURIComponent(jobMatch[1]!));
      if (!job) return error(res, 404, 'not_found', 'not found');
      if (method === 'GET' && !jobMatch[2]) {
        api.onRead?.(job);
        // The job status of the contract: no business key (only the list has it).
        const { key: _key, ...status } = job;
        return send(res, 200, status);
      }
      if (method === 'POST' && jobMatch[2]) {
        if (job.status !== 'failed') return error(res, 409, 'conflict', `the job is ${job.status}; only a failed job can be retried`);
        api.retried.push(job.jobId);
        Object.assign(job, { status: 'queued', updatedAt: new Date().toISOString() });
        return send(res, 202, { jobId: job.jobId });
      }
    }
    if (method === 'GET' && url.pathname === '/reports/abandoned-rooms/latest') {
      return api.report ? send(res, 200, api.report) : error(res, 404, 'not_found', 'no report yet');
    }
    if (method === 'GET' && url.pathname === '/dead-letter-queues') return send(res, 200, { queues: api.queues });
    return error(res, 404, 'not_found', 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => error(res, 500, 'internal', String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return api;
}

let sequence = 0;

/** A job created `minutesAgo` minutes ago, with the fields a test does not care about filled in. */
export function fakeJob(partial: Partial<FakeJob> & { minutesAgo?: number } = {}): FakeJob {
  const { minutesAgo = 0, ...rest } = partial;
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  sequence += 1;
  return {
    jobId: `deal-archive-${String(sequence).padStart(6, '0')}`,
    workflow: 'deal-archive',
    status: 'succeeded',
    createdAt: at,
    updatedAt: at,
    progress: { total: 10, done: 10, failed: 0 },
    key: { dealId: `D-${sequence}`, clientName: `Client ${sequence}` },
    ...rest,
  };
}
