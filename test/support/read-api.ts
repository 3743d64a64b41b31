import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the bundle's read API (GET /jobs/{id}, GET /reports/...) for the operator CLIs: the bearer
 * check and the 401/404 answers of lib/http, and whatever `answer` returns for a path (undefined → 404).
 */
export async function fakeReadApi(
  token: string,
  answer: (path: string) => unknown,
  notFoundMessage = 'not found',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'missing or invalid credentials' } }));
    } else {
      const body = answer(req.url ?? '/');
      res.statusCode = body === undefined ? 404 : 200;
      res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: notFoundMessage } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
