// A thin caller for the simulator's in-process fetch, so tests read as API calls.
import { DocSpaceSimulator } from '../src';
import type { SimulatorOptions } from '../src';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export function client(sim: DocSpaceSimulator, apiKey: string = sim.apiKey) {
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await sim.fetch(`http://portal.test/api/2.0/${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    put: (path: string, body?: unknown) => call('PUT', path, body),
    del: (path: string, body?: unknown) => call('DELETE', path, body),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fast timings for tests. */
export function fastSim(options: SimulatorOptions = {}): DocSpaceSimulator {
  return new DocSpaceSimulator({ fileOpDurationMs: 20, templateDurationMs: 40, webhookRetryBaseMs: 5, ...options });
}

/** Polls GET files/fileops?id= until the operation is reported finished (it is then gone). */
export async function waitOp(api: ReturnType<typeof client>, id: string) {
  for (let i = 0; i < 200; i++) {
    const r = await api.get(`files/fileops?id=${id}`);
    const op = r.json.response.find((o: { id: string }) => o.id === id);
    if (op?.finished) return op;
    await sleep(5);
  }
  throw new Error(`operation ${id} did not finish`);
}
