// Serves a Web-style handler (Request → Response) over node:http, for `npm start` and socket-level tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebHandler = (req: Request) => Promise<Response>;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function serve(handler: WebHandler, req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else headers.set(k, v);
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const request = new Request(new URL(req.url ?? '/', origin), { method, headers, body });
  const response = await handler(request);
  const out: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    out[key] = value;
  });
  const payload = Buffer.from(await response.arrayBuffer());
  // The client may have given up (a hang longer than its timeout); writing to a closed socket is harmless.
  if (res.destroyed) return;
  res.writeHead(response.status, out);
  res.end(method === 'HEAD' ? undefined : payload);
}

export function listen(handler: WebHandler, port = 0, host = '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
      serve(handler, req, res, origin).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('simulator error');
        } else res.destroy();
      });
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
