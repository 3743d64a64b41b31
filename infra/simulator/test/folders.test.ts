import { afterEach, describe, expect, it } from 'vitest';
import type { DocSpaceSimulator } from '../src';
import { client, fastSim } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

describe('folder contents and folder creation', () => {
  it('refuses a page size over 100 (or under 1) with a 400 envelope instead of clamping it', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'R' });
    const api = client(sim);
    for (const count of [101, 0]) {
      const r = await api.get(`files/${room}?count=${count}`);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ status: 1, statusCode: 400, error: { message: expect.stringContaining('between 1 and 100') } });
    }
    expect((await api.get(`files/${room}?count=100`)).status).toBe(200);
  });

  it('pages with count = entries on this page and total = the whole listing, folders before files', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'R' });
    for (let i = 0; i < 3; i++) sim.addFolder(room, `folder ${i}`);
    for (let i = 0; i < 147; i++) sim.addFile(room, `file ${String(i).padStart(3, '0')}.docx`);
    const api = client(sim);
    const first = (await api.get(`files/${room}?startIndex=0&count=100&sortBy=AZ&sortOrder=0`)).json;
    expect(first.count).toBe(1);
    expect(first.response).toMatchObject({ startIndex: 0, count: 100, total: 150 });
    expect(first.response.folders).toHaveLength(3);
    expect(first.response.files).toHaveLength(97);
    const second = (await api.get(`files/${room}?startIndex=100&count=100&sortBy=AZ&sortOrder=0`)).json.response;
    expect(second).toMatchObject({ startIndex: 100, count: 50, total: 150 });
    expect(second.files[0].title).toBe('file 097.docx');
    expect(second.current).toMatchObject({ id: room, roomType: 5, rootFolderType: 14 });
    expect(second.pathParts.map((p: { title: string }) => p.title)).toEqual(['Rooms', 'R']);
  });

  it('returns matches from the whole subtree when a filter is set, unless withSubFolders=false', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'R' });
    sim.addFile(room, 'top.pdf');
    sim.addFile(sim.addFolder(room, 'sub'), 'deep.pdf');
    const api = client(sim);
    const deep = (await api.get(`files/${room}?filterType=22`)).json.response;
    expect(deep.files.map((f: { title: string }) => f.title).sort()).toEqual(['deep.pdf', 'top.pdf']);
    const direct = (await api.get(`files/${room}?filterType=22&withSubFolders=false`)).json.response;
    expect(direct.files.map((f: { title: string }) => f.title)).toEqual(['top.pdf']);
  });

  it('creates a second folder with the same title (no uniqueness check) and fires folder.created', async () => {
    const seen: string[] = [];
    sim = fastSim({ deliverWebhook: async (_url, init) => (seen.push(JSON.parse(init.body).event.trigger), 200) });
    const room = sim.addRoom({ title: 'R' });
    sim.registerWebhook({ url: 'http://hooks.test/', secretKey: 'secret-key-1', triggers: ['folder.created'] });
    const api = client(sim);
    const a = await api.post(`files/folder/${room}`, { title: ' Archive ' });
    const b = await api.post(`files/folder/${room}`, { title: 'Archive' });
    expect(a.status).toBe(200);
    expect(a.json.response).toMatchObject({ title: 'Archive', parentId: room, fileEntryType: 1 });
    expect(b.json.response.id).not.toBe(a.json.response.id);
    expect([...sim.state.childFolderIds(room)]).toHaveLength(2);
    await sim.flushWebhooks();
    expect(seen).toEqual(['folder.created', 'folder.created']);
  });

  it('refuses to create a plain folder in the rooms root or in an archived room (403), or without a title (400)', async () => {
    sim = fastSim();
    const archived = sim.addRoom({ title: 'Old', area: 'archive' });
    const api = client(sim);
    expect((await api.post(`files/folder/${sim.state.roots.rooms}`, { title: 'x' })).status).toBe(403);
    expect((await api.post(`files/folder/${archived}`, { title: 'x' })).status).toBe(403);
    expect((await api.post(`files/folder/${sim.addRoom({ title: 'R' })}`, { title: '  ' })).status).toBe(400);
    expect((await api.post('files/folder/999999', { title: 'x' })).status).toBe(403);
  });

  it('answers 404 for a missing folder', async () => {
    sim = fastSim();
    const r = await client(sim).get('files/987654');
    expect(r.status).toBe(404);
    expect(r.json.error.message).toMatch(/not found/);
  });
});

describe('authentication and the mutation log', () => {
  it('requires the Bearer API key: no key or a wrong one is a 401 error envelope', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'R' });
    const none = await sim.fetch(`http://p/api/2.0/files/${room}`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ status: 1, statusCode: 401 });
    expect((await client(sim, 'sk-wrong').get(`files/${room}`)).status).toBe(401);
    expect((await client(sim).get(`files/${room}`)).status).toBe(200);
  });

  it('logs every handled mutating call with method, path, body and status, and no reads', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'R' });
    const api = client(sim);
    await api.get(`files/${room}`);
    await api.post(`files/folder/${room}`, { title: 'A' });
    await api.post(`files/folder/${sim.state.roots.rooms}`, { title: 'B' });
    await client(sim, 'sk-wrong').post(`files/folder/${room}`, { title: 'C' });
    const log = sim.mutations();
    expect(log.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'POST', path: `/api/2.0/files/folder/${room}`, body: { title: 'A' }, status: 200 },
      { method: 'POST', path: `/api/2.0/files/folder/${sim.state.roots.rooms}`, body: { title: 'B' }, status: 403 },
    ]);
    expect(log[0]!.seq).toBeLessThan(log[1]!.seq);
    sim.clearMutations();
    expect(sim.mutations()).toEqual([]);
    expect(sim.requestLog().map((r) => r.status)).toEqual([200, 200, 403, 401]);
  });
});
