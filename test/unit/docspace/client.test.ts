import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DocSpaceError,
  DocSpaceForbiddenError,
  DocSpaceNetworkError,
  DocSpaceNotFoundError,
  DocSpaceRateLimitError,
  DocSpaceResponseError,
  DocSpaceServerError,
  DocSpaceTimeoutError,
  DocSpaceUnauthorizedError,
} from '../../../lib/docspace/errors';
import { FolderDto } from '../../../lib/docspace/schemas';
import {
  API_KEY,
  caught,
  connectionError,
  failure,
  hang,
  harness,
  ok,
  proxyPage,
  script,
  tooMany,
  type Handler,
} from './fake-docspace';

const folder = { id: 7, title: 'Contracts' };

describe('DocSpaceClient requests', () => {
  it('sends the key as a bearer token to /api/2.0/<path> and returns the parsed envelope response', async () => {
    const h = harness(() => ok(folder));
    const result = await h.client.request('GET', 'files/rooms/7', { schema: FolderDto, query: { type: [1, 5], filterValue: 'a b', skip: undefined, flag: true } });
    expect(result).toMatchObject({ id: 7, title: 'Contracts' });
    const call = h.calls[0]!;
    expect(call.url.origin + call.url.pathname).toBe('https://portal.example.com/api/2.0/files/rooms/7');
    expect(call.url.searchParams.getAll('type')).toEqual(['1', '5']);
    expect(call.url.searchParams.get('filterValue')).toBe('a b');
    expect(call.url.searchParams.has('skip')).toBe(false);
    expect(call.url.searchParams.get('flag')).toBe('true');
    expect(call.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('sends a JSON body on writes', async () => {
    const h = harness(() => ok(folder));
    await h.client.request('POST', 'files/folder/3', { body: { title: 'New' }, schema: FolderDto });
    expect(h.calls[0]!.method).toBe('POST');
    expect(h.calls[0]!.headers['content-type']).toBe('application/json');
    expect(h.calls[0]!.body).toEqual({ title: 'New' });
  });

  it('returns undefined when the envelope has no response key (a void action)', async () => {
    const h = harness(() => ok(undefined));
    await expect(h.client.request('DELETE', 'people/guests', { body: { userIds: ['u'] } })).resolves.toBeUndefined();
  });

  it('raises a response error when the body does not fit the schema, without retrying', async () => {
    const h = harness(() => ok({ title: 'no id' }));
    const error = await caught(h.client.request('GET', 'files/1', { schema: FolderDto }));
    expect(error).toBeInstanceOf(DocSpaceResponseError);
    expect((error as DocSpaceError).message).toMatch(/unexpected response shape: id/);
    expect(h.calls).toHaveLength(1);
  });

  it('raises a response error for a 200 that is not JSON', async () => {
    const h = harness(() => new Response('<html><title>Login</title></html>', { status: 200 }));
    const error = await caught(h.client.request('GET', 'files/1'));
    expect(error).toBeInstanceOf(DocSpaceResponseError);
    expect((error as DocSpaceError).message).toContain('HTML: Login');
  });
});

describe('DocSpace error envelopes', () => {
  const cases: Array<[number, new (...args: never[]) => DocSpaceError]> = [
    [400, DocSpaceError],
    [401, DocSpaceUnauthorizedError],
    [403, DocSpaceForbiddenError],
    [404, DocSpaceNotFoundError],
    [402, DocSpaceError],
    [415, DocSpaceError],
  ];
  for (const [status, type] of cases) {
    it(`turns a ${status} into a typed error with status and DocSpace's message, and does not retry it`, async () => {
      const h = harness(() => failure(status, `message for ${status}`, 'System.ArgumentException'));
      const error = await caught(h.client.request('GET', 'files/1'));
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ status, docspaceMessage: `message for ${status}`, docspaceType: 'System.ArgumentException', retryable: false });
      expect((error as Error).message).toBe(`DocSpace GET /api/2.0/files/1 failed (${status}): message for ${status}`);
      expect(h.calls).toHaveLength(1);
      expect(h.sleeps).toEqual([]);
    });
  }
});

describe('retries', () => {
  it('survives a 429 storm without Retry-After using full-jitter exponential backoff', async () => {
    const h = harness(script(tooMany(), tooMany(), tooMany(), tooMany(), tooMany(), tooMany(), ok(folder)));
    await expect(h.client.request('GET', 'files/7', { schema: FolderDto })).resolves.toMatchObject({ id: 7 });
    expect(h.calls).toHaveLength(7);
    // random() = 0.5 of min(10 s, 250 ms × 2^n)
    expect(h.sleeps).toEqual([125, 250, 500, 1000, 2000, 4000]);
    expect(h.client.stats).toEqual({ requests: 7, retries: 6, rateLimited: 6 });
    expect(h.retries.map((r) => r.status)).toEqual([429, 429, 429, 429, 429, 429]);
    expect(h.retries[0]).toEqual({ method: 'GET', path: '/api/2.0/files/7', attempt: 1, status: 429, delayMs: 125 });
  });

  it('draws every backoff from the random source, up to the cap', async () => {
    const draws = [1, 0, 0.25, 0.999];
    const h = harness(script(tooMany(), tooMany(), tooMany(), tooMany(), ok(folder)), {
      random: () => draws.shift() ?? 0,
      retry: { baseDelayMs: 1000, maxDelayMs: 3000 },
    });
    await h.client.request('GET', 'files/7');
    // ceilings 1000, 2000, 3000 (capped), 3000
    expect(h.sleeps).toEqual([1000, 0, 750, 2997]);
  });

  it('retries a 429 even on a non-idempotent write, because the limiter rejects before the action runs', async () => {
    const h = harness(script(tooMany(), ok(folder)));
    await h.client.request('POST', 'files/folder/3', { body: { title: 'x' }, schema: FolderDto });
    expect(h.calls).toHaveLength(2);
  });

  it('honours Retry-After when the server sends it', async () => {
    const h = harness(script(tooMany(2), ok(folder)));
    await h.client.request('GET', 'files/7');
    expect(h.sleeps).toEqual([2000]);
  });

  it('throws at once when Retry-After is beyond the retry budget (the daily write limit)', async () => {
    const h = harness(script(tooMany(86_400), ok(folder)));
    const error = await caught(h.client.request('PUT', 'files/fileops/move', { body: {} }));
    expect(error).toBeInstanceOf(DocSpaceRateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 86_400_000, retryable: true });
    expect(h.calls).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('retries a 503 with an HTML body from the proxy, for reads and writes alike', async () => {
    const read = harness(script(proxyPage(503, '503 Service Temporarily Unavailable'), ok(folder)));
    await expect(read.client.request('GET', 'files/7', { schema: FolderDto })).resolves.toMatchObject({ id: 7 });
    expect(read.calls).toHaveLength(2);
    expect(read.retries[0]).toMatchObject({ status: 503 });

    const write = harness(script(proxyPage(503), ok(folder)));
    await write.client.request('POST', 'files/folder/3', { body: { title: 'x' } });
    expect(write.calls).toHaveLength(2);
  });

  it('retries 502 and 504 for GET', async () => {
    const h = harness(script(proxyPage(502), proxyPage(504, '504 Gateway Time-out'), ok(folder)));
    await h.client.request('GET', 'files/7');
    expect(h.calls).toHaveLength(3);
  });

  it('throws an ambiguous 502 on a non-idempotent POST without repeating it', async () => {
    const h = harness(script(proxyPage(502), ok(folder)));
    const error = await caught(h.client.request('POST', 'files/folder/3', { body: { title: 'x' } }));
    expect(error).toBeInstanceOf(DocSpaceServerError);
    expect(error).toMatchObject({ status: 502, ambiguous: true, retryable: true });
    expect((error as Error).message).toContain('502 Bad Gateway');
    expect(h.calls).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('repeats an ambiguous failure of a write marked idempotent', async () => {
    const h = harness(script(proxyPage(502), failure(500, 'boom', 'System.Exception'), ok({ members: [] })));
    await h.client.request('PUT', 'files/rooms/1/share', { body: {}, idempotent: true });
    expect(h.calls).toHaveLength(3);
  });

  it('times a hung GET out with the AbortSignal and retries it', async () => {
    const h = harness(script(hang, ok(folder)), { timeoutMs: 20 });
    await expect(h.client.request('GET', 'files/7', { schema: FolderDto })).resolves.toMatchObject({ id: 7 });
    expect(h.calls).toHaveLength(2);
    expect(h.calls[0]!.signal?.aborted).toBe(true);
    expect(h.calls[1]!.signal?.aborted).toBe(false);
    expect(h.retries[0]).not.toHaveProperty('status');
  });

  it('also times out a response whose body stalls after the headers', async () => {
    const stalled: Handler = ({ signal }) => {
      const body = new ReadableStream({
        start(controller) {
          signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { status: 200 });
    };
    const h = harness(script(stalled, ok(folder)), { timeoutMs: 20 });
    await h.client.request('GET', 'files/7');
    expect(h.calls).toHaveLength(2);
  });

  it('throws a timed-out non-idempotent write as ambiguous, without repeating it', async () => {
    const h = harness(script(hang, ok(folder)), { timeoutMs: 20 });
    const error = await caught(h.client.request('PUT', 'files/fileops/move', { body: {} }));
    expect(error).toBeInstanceOf(DocSpaceTimeoutError);
    expect(error).toMatchObject({ status: undefined, ambiguous: true });
    expect(h.calls).toHaveLength(1);
  });

  it('retries a connection reset for GET but throws it for a POST', async () => {
    const read = harness(script(connectionError('ECONNRESET'), ok(folder)));
    await read.client.request('GET', 'files/7');
    expect(read.calls).toHaveLength(2);

    const write = harness(script(connectionError('ECONNRESET'), ok(folder)));
    const error = await caught(write.client.request('POST', 'files/folder/3', { body: {} }));
    expect(error).toBeInstanceOf(DocSpaceNetworkError);
    expect(error).toMatchObject({ code: 'ECONNRESET', ambiguous: true });
    expect(write.calls).toHaveLength(1);
  });

  it('retries a refused connection even for a POST, because nothing was sent', async () => {
    const h = harness(script(connectionError('ECONNREFUSED', 'connect ECONNREFUSED'), ok(folder)));
    await h.client.request('POST', 'files/folder/3', { body: {} });
    expect(h.calls).toHaveLength(2);
  });

  it('retries a connect timeout even for a POST, because the connection never opened', async () => {
    const h = harness(script(connectionError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), ok(folder)));
    await h.client.request('POST', 'files/folder/3', { body: {} });
    expect(h.calls).toHaveLength(2);
  });

  it('stops after maxAttempts and throws the last error', async () => {
    let n = 0;
    const h = harness(() => proxyPage(503, `503 attempt ${++n}`), { retry: { readMaxAttempts: 3 } });
    const error = await caught(h.client.request('GET', 'files/7'));
    expect(error).toBeInstanceOf(DocSpaceServerError);
    expect((error as Error).message).toContain('503 attempt 3');
    expect(h.calls).toHaveLength(3);
  });

  it('ends a retry storm when the budget is spent, throwing the last error rather than swallowing it', async () => {
    let n = 0;
    const h = harness(() => proxyPage(503, `503 attempt ${++n}`), { random: () => 1, retry: { readMaxAttempts: 100, readBudgetMs: 5000 } });
    const error = await caught(h.client.request('GET', 'files/7'));
    // 250 + 500 + 1000 + 2000 = 3750 ms slept; another 4000 would pass 5000.
    expect(h.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(h.calls).toHaveLength(5);
    expect(error).toBeInstanceOf(DocSpaceServerError);
    expect((error as Error).message).toContain('503 attempt 5');
    expect(h.logs.at(-1)).toMatchObject({ level: 'warn', message: 'DocSpace request gave up after retries' });
  });
});

describe('riding out a minute of trouble', () => {
  /** A portal that answers 503 pages and bare 429s, alternately, until `troubleMs` of the client's time has passed. */
  function troubled(troubleMs: number, options: Parameters<typeof harness>[1] = {}) {
    let slept = 0;
    let n = 0;
    const h = harness(() => (slept < troubleMs ? (++n % 2 ? proxyPage(503, 'busy') : tooMany()) : ok(folder)), {
      random: () => 1,
      sleep: async (ms) => {
        slept += ms;
      },
      ...options,
    });
    return { ...h, slept: () => slept };
  }

  it('a read survives 55 s of 503s and 429s in-process and returns the answer', async () => {
    const h = troubled(55_000);
    await expect(h.client.request('GET', 'files/folder/7')).resolves.toBeDefined();
    expect(h.slept()).toBeGreaterThanOrEqual(55_000);
    expect(h.client.stats.rateLimited).toBeGreaterThan(0);
  });

  it('a read gives up, with the last error, once trouble outlasts its minute', async () => {
    const h = troubled(120_000);
    const error = await caught(h.client.request('GET', 'files/folder/7'));
    expect(error).toBeInstanceOf(DocSpaceError);
    expect(h.slept()).toBeLessThanOrEqual(60_000);
  });

  it('a write answered 429 (DocSpace did nothing) is repeated for as long as a read', async () => {
    const h = harness(
      (() => {
        let n = 0;
        return () => (++n <= 12 ? tooMany() : ok(folder));
      })(),
    );
    await expect(h.client.request('POST', 'files/folder/3', { body: { title: 'x' } })).resolves.toBeDefined();
    expect(h.calls).toHaveLength(13);
  });

  it('gives up before the deadline of the current work, however much of its budget is left', async () => {
    let now = 1_000_000;
    const h = troubled(55_000, {
      deadline: () => 1_000_000 + 20_000,
      sleep: async (ms) => {
        now += ms;
      },
    });
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const error = await caught(h.client.request('GET', 'files/folder/7'));
      expect(error).toBeInstanceOf(DocSpaceError);
      expect(now).toBeLessThanOrEqual(1_000_000 + 20_000);
      expect(h.logs.at(-1)).toMatchObject({ message: 'DocSpace request gave up after retries', extra: { reason: 'the invocation deadline is near' } });
    } finally {
      Date.now = realNow;
    }
  });

  it('times out a hung attempt at the deadline rather than after the full per-attempt timeout', async () => {
    const h = harness(hang, { timeoutMs: 60_000, deadline: () => Date.now() + 1_000, retry: { readMaxAttempts: 1 } });
    const started = Date.now();
    const error = await caught(h.client.request('GET', 'files/folder/7'));
    expect(error).toMatchObject({ name: 'DocSpaceTimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('concurrency caps', () => {
  it('never has more reads or writes in flight than the caps, and uses them fully', async () => {
    let reads = 0;
    let writes = 0;
    let maxReads = 0;
    let maxWrites = 0;
    let call = 0;
    const h = harness(
      async ({ method }) => {
        const isRead = method === 'GET';
        if (isRead) maxReads = Math.max(maxReads, ++reads);
        else maxWrites = Math.max(maxWrites, ++writes);
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (isRead) reads -= 1;
        else writes -= 1;
        // Some 429s, so slots are also released and re-taken around retries.
        return ++call % 7 === 0 ? tooMany() : ok(folder);
      },
      { concurrency: { reads: 4, writes: 2 } },
    );
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => h.client.request('GET', `files/${i}`)),
      ...Array.from({ length: 15 }, (_, i) => h.client.request('PUT', `files/rooms/${i}/share`, { body: {} })),
    ]);
    expect(maxReads).toBe(4);
    expect(maxWrites).toBe(2);
    expect(h.client.maxConcurrent).toEqual({ reads: 4, writes: 2 });
    expect(h.client.stats.rateLimited).toBeGreaterThan(0);
  });
  it('does not spend the retry budget while a request waits behind the concurrency cap', async () => {
    let n = 0;
    const h = harness(
      async () => {
        n += 1;
        if (n === 1) {
          await new Promise((resolve) => setTimeout(resolve, 80));
          return ok(folder);
        }
        return n === 2 ? tooMany() : ok(folder);
      },
      { concurrency: { reads: 1, writes: 1 }, random: () => 0, retry: { budgetMs: 40 } },
    );
    const slow = h.client.request('GET', 'files/1');
    const queued = h.client.request('GET', 'files/2');
    await expect(Promise.all([slow, queued])).resolves.toHaveLength(2);
    expect(h.calls.map((c) => c.path)).toEqual(['files/1', 'files/2', 'files/2']);
  });
});

describe('the API key', () => {
  it('never appears in an error or in anything given to the logger, even when the server echoes it', async () => {
    const echoes: Handler[] = [
      ({ headers }) => failure(400, `bad header ${headers.authorization}`),
      ({ headers }) => failure(403, `key ${headers.authorization!.slice('Bearer '.length)} is not allowed`, headers.authorization),
      ({ headers }) => new Response(`<html><title>502 ${headers.authorization}</title></html>`, { status: 502 }),
      ({ headers }) => new Response(`upstream rejected ${headers.authorization}`, { status: 503 }),
      ({ headers }) => new Response(`not json ${headers.authorization}`, { status: 200 }),
      ({ headers }) => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error(`reset while sending ${headers.authorization}`), { code: 'ECONNRESET' }) });
      },
      hang,
    ];
    for (const apiKey of [API_KEY, 'personal-access-token-4f9a1c']) {
      const seen: unknown[] = [];
      for (const echo of echoes) {
        const h = harness(echo, { apiKey, timeoutMs: 20, retry: { maxAttempts: 2 } });
        for (const method of ['GET', 'POST'] as const) {
          const error = await caught(h.client.request(method, 'files/7', { body: method === 'POST' ? {} : undefined }));
          expect(error).toBeInstanceOf(DocSpaceError);
          seen.push((error as Error).message, (error as Error).stack, JSON.stringify(error), (error as DocSpaceError).docspaceType);
        }
        seen.push(JSON.stringify(h.logs), JSON.stringify(h.retries));
      }
      const text = seen.join('\n');
      expect(text).toContain('[redacted]');
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(apiKey.slice(3));
    }
  });
});

describe('schemas', () => {
  it('passes the schema output through, transforms included', async () => {
    const h = harness(() => ok({ id: '42', title: 'x' }));
    const result = await h.client.request('GET', 'files/42', { schema: z.looseObject({ id: z.string().transform(Number), title: z.string() }) });
    expect(result.id).toBe(42);
  });
});
