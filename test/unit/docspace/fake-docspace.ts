import { DocSpaceClient, type DocSpaceClientOptions, type RetryInfo } from '../../../lib/docspace/client';

/** A key in DocSpace's format, so a leak would be obvious in any captured text. */
export const API_KEY = 'sk-0123456789abcdef0123456789abcdef';

export interface FakeRequest {
  method: string;
  url: URL;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal | undefined;
}

export type Handler = (request: FakeRequest) => Response | Promise<Response>;

/** A scripted `fetch`: every call is recorded and answered by the handler. */
export function fakeFetch(handler: Handler): { fetch: typeof fetch; calls: FakeRequest[] } {
  const calls: FakeRequest[] = [];
  const fake = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const request: FakeRequest = {
      method: init.method ?? 'GET',
      url,
      path: url.pathname.replace(/^\/api\/2\.0\//, ''),
      headers,
      body,
      signal: init.signal ?? undefined,
    };
    calls.push(request);
    return handler(request);
  };
  return { fetch: fake as typeof fetch, calls };
}

/** Answers the calls in order from the list; a function entry is called with the request. */
export function script(...steps: Array<Response | Handler | (() => never)>): Handler {
  let index = 0;
  return (request) => {
    const step = steps[Math.min(index, steps.length - 1)];
    index += 1;
    if (step instanceof Response) return step.clone();
    return (step as Handler)(request);
  };
}

export function ok(response?: unknown, extra: Record<string, unknown> = {}): Response {
  const body: Record<string, unknown> = { count: Array.isArray(response) ? response.length : response === undefined ? 0 : 1, ...extra };
  if (response !== undefined) body.response = response;
  body.status = 0;
  body.statusCode = 200;
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

export function failure(status: number, message: string, type = 'System.InvalidOperationException'): Response {
  return new Response(JSON.stringify({ error: { message, type, stack: '', hresult: -1 }, status: 1, statusCode: status }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export function proxyPage(status: 502 | 503 | 504, title = `${status} Bad Gateway`): Response {
  return new Response(`<html><head><title>${title}</title></head><body><h1>${title}</h1><hr>nginx</body></html>`, {
    status,
    headers: { 'content-type': 'text/html' },
  });
}

/** What DocSpace's limiter sends: status and headers, no body (NOTES 2.4). */
export function tooMany(retryAfterSeconds?: number): Response {
  const headers: Record<string, string> = { 'x-ratelimit-limit': '1500', 'x-ratelimit-remaining': '0' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return new Response(null, { status: 429, headers });
}

/** Never answers; rejects like fetch does once the signal aborts. */
export const hang: Handler = ({ signal }) =>
  new Promise<Response>((_, reject) => {
    signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
  });

export function connectionError(code: string, message = 'other side closed'): Handler {
  return () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
  };
}

export interface Harness {
  client: DocSpaceClient;
  calls: FakeRequest[];
  sleeps: number[];
  retries: RetryInfo[];
  logs: Array<{ level: string; message: string; extra?: Record<string, unknown> }>;
}

/** A client over a fake fetch with an instant, recorded sleep and a fixed jitter of 0.5. */
export function harness(handler: Handler, options: Partial<DocSpaceClientOptions> = {}): Harness {
  const { fetch, calls } = fakeFetch(handler);
  const sleeps: number[] = [];
  const retries: RetryInfo[] = [];
  const logs: Harness['logs'] = [];
  const client = new DocSpaceClient({
    baseUrl: 'https://portal.example.com/',
    apiKey: API_KEY,
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    logger: {
      debug: (message, extra) => logs.push({ level: 'debug', message, ...(extra ? { extra } : {}) }),
      warn: (message, extra) => logs.push({ level: 'warn', message, ...(extra ? { extra } : {}) }),
    },
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { client, calls, sleeps, retries, logs };
}

export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
