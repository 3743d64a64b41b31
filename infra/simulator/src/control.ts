// The /__sim/ control API: JSON in and out, no API key, never subject to faults. It lets `npm start` users and
// e2e tests seed the portal, inject faults and read what happened over plain HTTP.
import { DEMO, demoFixture } from './demo';
import type { DocSpaceSimulator } from './simulator';
import type { Fixture } from './types';

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value ?? null), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ControlError(400, 'the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ControlError(400, 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || !v) throw new ControlError(400, `"${key}" must be a non-empty string`);
  return v;
}

function num(body: Record<string, unknown>, key: string): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ControlError(400, `"${key}" must be an integer`);
  return v;
}

/** A fixture in a body: `"demo"`, a Fixture, or absent (the simulator's configured one). */
function fixtureFrom(value: unknown): Fixture | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'demo') return demoFixture();
  if (typeof value !== 'object' || !Array.isArray((value as Fixture).users) || typeof (value as Fixture).selfUserId !== 'string') {
    throw new ControlError(400, 'a fixture needs selfUserId, users, folders and files');
  }
  const f = value as Fixture;
  return { ...f, folders: f.folders ?? [], files: f.files ?? [] };
}

type ControlRoute = (sim: DocSpaceSimulator, body: Record<string, unknown>, url: URL) => unknown;

const routes: Record<string, ControlRoute> = {
  'POST /__sim/reset': (sim, body) => {
    sim.reset(fixtureFrom(body.fixture));
    return { ok: true };
  },
  'POST /__sim/fixture': (sim, body) => {
    sim.reset(fixtureFrom(body.demo === true ? 'demo' : body));
    return { ok: true };
  },
  'GET /__sim/state': (sim) => ({ fixture: sim.state.toFixture(), roots: sim.state.roots }),
  'GET /__sim/demo': () => DEMO,
  'GET /__sim/mutations': (sim) => sim.mutations(),
  'DELETE /__sim/mutations': (sim) => {
    sim.clearMutations();
    return { ok: true };
  },
  'GET /__sim/requests': (sim) => sim.requestLog(),
  'GET /__sim/stats': (sim) => sim.stats,
  'GET /__sim/faults': (sim) => sim.currentFaults(),
  'POST /__sim/faults': (sim, body) => {
    sim.setFaults(body);
    return sim.currentFaults();
  },
  'POST /__sim/users': (sim, body) => ({
    id: sim.addUser({
      displayName: str(body, 'displayName'),
      email: typeof body.email === 'string' ? body.email : undefined,
      type: (body.type as never) ?? 'user',
      invitedBy: Array.isArray(body.invitedBy) ? (body.invitedBy as string[]) : undefined,
    }),
  }),
  'POST /__sim/rooms': (sim, body) => ({ id: sim.addRoom({ ...(body as object), title: str(body, 'title') }) }),
  'POST /__sim/folders': (sim, body) => ({
    id: sim.addFolder(num(body, 'parentId'), str(body, 'title'), body as { created?: number; updated?: number }),
  }),
  'POST /__sim/files': (sim, body) => ({ id: sim.addFile(num(body, 'folderId'), str(body, 'title'), body) }),
  'POST /__sim/upload': (sim, body) => ({ id: sim.uploadFile(num(body, 'folderId'), str(body, 'title'), body) }),
  'POST /__sim/shares': (sim, body) => {
    sim.shareRoom(num(body, 'roomId'), str(body, 'userId'), num(body, 'access'), typeof body.grantedBy === 'string' ? body.grantedBy : undefined);
    return { ok: true };
  },
  'POST /__sim/webhooks': (sim, body) => ({
    id: sim.registerWebhook({
      url: str(body, 'url'),
      secretKey: str(body, 'secretKey'),
      triggers: Array.isArray(body.triggers) ? (body.triggers as string[]) : undefined,
      name: typeof body.name === 'string' ? body.name : undefined,
      targetId: body.targetId === undefined ? undefined : String(body.targetId),
    }),
  }),
  'GET /__sim/deliveries': async (sim, _body, url) => {
    if (url.searchParams.get('flush') === 'true') await sim.flushWebhooks();
    return sim.deliveries();
  },
  'POST /__sim/flush': async (sim) => {
    await sim.flushWebhooks();
    return { ok: true };
  },
};

export async function handleControl(sim: DocSpaceSimulator, req: Request, url: URL): Promise<Response> {
  const route = routes[`${req.method.toUpperCase()} ${url.pathname.replace(/\/+$/, '')}`];
  if (!route) return json(404, { error: `no control route ${req.method} ${url.pathname}` });
  try {
    const body = req.method === 'GET' || req.method === 'HEAD' ? {} : await readJson(req);
    return json(200, await route(sim, body, url));
  } catch (err) {
    const status = err instanceof ControlError ? err.status : 400;
    return json(status, { error: err instanceof Error ? err.message : String(err) });
  }
}
