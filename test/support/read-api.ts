import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const REPLY = Symbol('reply');

/** An answer other than 200 (e.g. 202 for a retry, 409 with the API's error body). */
export function reply(statusCode: number, body: unknown): unknown {
  return { [REPLY]: true, statusCode, body };
}

/**
 * A stand-in for the bundle's read API (GET /jobs/{id}, GET /reports/..., POST /jobs/{id}/retry) for the operator
 * CLIs: the bearer check and the 401/404 answers of lib/http, and whatever `answer` returns for a request
 * (undefined → 404, reply(status, body) → that answer, anything else → 200 with it).
 */
export async function fakeReadApi(
  token: string,
  answer: (path: string, method: string) => unknown,
  notFoundMessage = 'not found',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'missing or invalid credentials' } }));
      return;
    }
    const body = answer(req.url ?? '/', req.method ?? 'GET') as { [REPLY]?: true; statusCode: number; body: unknown } | undefined;
    if (body && typeof body === 'object' && body[REPLY]) {
      res.statusCode = body.statusCode;
      res.end(JSON.stringify(body.body));
      return;
    }
    res.statusCode = body === undefined ? 404 : 200;
    res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: notFoundMessage } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
