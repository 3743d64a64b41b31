import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, DocSpaceSimulator } from '../src';
import { signBody } from '../src';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

describe('the simulator over HTTP (listen(0)) and its /__sim/ control API', () => {
  it('loads the demo portal, seeds it, injects faults and reports mutations over plain HTTP', async () => {
    sim = new DocSpaceSimulator({ fileOpDurationMs: 20 });
    const { url, close } = await sim.listen(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const auth = { authorization: `Bearer ${sim.apiKey}` };

    expect((await call(url, 'POST', '/__sim/fixture', { demo: true })).json).toEqual({ ok: true });
    expect((await call(url, 'GET', '/__sim/demo')).json.clientRoomId).toBe(DEMO.clientRoomId);
    const acme = await call(url, 'GET', `/api/2.0/files/${DEMO.clientRoomId}`, undefined, auth);
    expect(acme.status).toBe(200);
    expect(acme.json.response.current.title).toBe('Acme');
    expect(acme.json.links[0].href).toBe(`${url}/api/2.0/files/${DEMO.clientRoomId}`);

    const room = await call(url, 'POST', '/__sim/rooms', { title: 'Seeded', roomType: 2 });
    const folder = await call(url, 'POST', '/__sim/folders', { parentId: room.json.id, title: 'Docs' });
    const file = await call(url, 'POST', '/__sim/files', { folderId: folder.json.id, title: 'x.docx' });
    expect(file.json.id).toBeGreaterThan(0);
    expect((await call(url, 'POST', '/__sim/files', { title: 'no folder' })).status).toBe(400);

    const faults = await call(url, 'POST', '/__sim/faults', { next429: 1 });
    expect(faults.json.next429).toBe(1);
    expect((await call(url, 'GET', `/api/2.0/files/${room.json.id}`, undefined, auth)).status).toBe(429);
    expect((await call(url, 'GET', `/api/2.0/files/${room.json.id}`, undefined, auth)).status).toBe(200);
    expect((await call(url, 'GET', `/api/2.0/files/${room.json.id}`)).status).toBe(401);

    await call(url, 'PUT', '/api/2.0/files/fileops/move', { fileIds: [file.json.id], destFolderId: room.json.id, returnSingleOperation: true }, auth);
    const mutations = (await call(url, 'GET', '/__sim/mutations')).json;
    expect(mutations).toMatchObject([{ method: 'PUT', path: '/api/2.0/files/fileops/move', status: 200, body: { destFolderId: room.json.id } }]);

    const state = (await call(url, 'GET', '/__sim/state')).json;
    expect(state.fixture.folders.some((f: { title: string }) => f.title === 'Seeded')).toBe(true);

    await call(url, 'POST', '/__sim/reset');
    expect((await call(url, 'GET', '/__sim/mutations')).json).toEqual([]);
    expect((await call(url, 'GET', `/api/2.0/files/${DEMO.clientRoomId}`, undefined, auth)).status).toBe(404);
    await close();
    await expect(fetch(`${url}/__sim/demo`)).rejects.toThrow();
  });

  it('registers a webhook and uploads over the control API, delivering through global fetch to a real receiver', async () => {
    const received: Array<{ method: string; signature?: string; body: string }> = [];
    const hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method!, signature: req.headers['x-docspace-signature-256'] as string | undefined, body });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"jobId":"upload-copy-abc"}');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
    try {
      sim = new DocSpaceSimulator();
      const { url } = await sim.listen(0);
      const auth = { authorization: `Bearer ${sim.apiKey}` };
      // Over the API the HEAD probe really goes out.
      const viaApi = await call(url, 'POST', '/api/2.0/settings/webhook', { name: 'h', uri: hookUrl, secretKey: 'Probe-secret-1', triggers: 0 }, auth);
      expect(viaApi.status).toBe(200);
      expect(received.map((r) => r.method)).toEqual(['HEAD']);
      received.length = 0;
      const hook = await call(url, 'POST', '/__sim/webhooks', { url: hookUrl, secretKey: 'Control-secret', triggers: ['file.uploaded'] });
      const room = await call(url, 'POST', '/__sim/rooms', { title: 'Uploads' });
      await call(url, 'POST', '/__sim/upload', { folderId: room.json.id, title: 'scan.pdf' });
      const deliveries = (await call(url, 'GET', '/__sim/deliveries?flush=true')).json;
      expect(deliveries).toHaveLength(2);
      const mine = received.find((r) => JSON.parse(r.body).webhook.id === hook.json.id)!;
      expect(mine.signature).toBe(signBody('Control-secret', mine.body));
      expect(JSON.parse(mine.body).payload.title).toBe('scan.pdf');
      // Like DocSpace's webhook log (responsePayload): what the receiver answered, e.g. our jobId.
      const logged = deliveries.find((d: { webhookId: number }) => d.webhookId === hook.json.id);
      expect(logged).toMatchObject({ status: 202, responseBody: '{"jobId":"upload-copy-abc"}' });
    } finally {
      await new Promise((r) => hookServer.close(r));
    }
  });

  it('answers a hung request late over the socket, so a client timeout fires first', async () => {
    sim = new DocSpaceSimulator({ faults: { hangRate: 1, hangMs: 200 } });
    const { url } = await sim.listen(0);
    const started = Date.now();
    await expect(
      fetch(`${url}/api/2.0/people/@self`, { headers: { authorization: `Bearer ${sim.apiKey}` }, signal: AbortSignal.timeout(40) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(190);
  });
});
