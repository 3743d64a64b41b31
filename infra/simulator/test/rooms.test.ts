import { afterEach, describe, expect, it } from 'vitest';
import type { DocSpaceSimulator } from '../src';
import { client, fastSim, sleep, waitOp } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

const ids = (r: { json: { response: { folders: Array<{ id: number }> } } }) => r.json.response.folders.map((f) => f.id).sort();

describe('rooms', () => {
  it('lists rooms by searchArea (name or number) with rootFolderType 14 active, 20 archived, 30 templates', async () => {
    sim = fastSim();
    const active = sim.addRoom({ title: 'Active', roomType: 2 });
    const archived = sim.addRoom({ title: 'Archived', area: 'archive' });
    const template = sim.addRoom({ title: 'Template', area: 'templates' });
    const api = client(sim);
    const a = await api.get('files/rooms');
    expect(ids(a)).toEqual([active]);
    expect(a.json.response.folders[0]).toMatchObject({ rootFolderType: 14, roomType: 2, type: 16 });
    expect(a.json.response.current.id).toBe(sim.state.roots.rooms);
    const arch = await api.get('files/rooms?searchArea=Archive');
    expect(ids(arch)).toEqual([archived]);
    expect(arch.json.response.folders[0].rootFolderType).toBe(20);
    expect(ids(await api.get('files/rooms?searchArea=2'))).toEqual([active, archived].sort());
    const tpl = await api.get('files/rooms?searchArea=4');
    expect(ids(tpl)).toEqual([template]);
    expect(tpl.json.response.folders[0].rootFolderType).toBe(30);
  });

  it('filters rooms by filterValue and type, and pages them with total', async () => {
    sim = fastSim();
    for (let i = 0; i < 120; i++) sim.addRoom({ title: `Client ${i}`, roomType: i % 2 ? 2 : 5 });
    sim.addRoom({ title: 'Acme Corp' });
    const api = client(sim);
    const page = (await api.get('files/rooms?count=100&startIndex=100')).json.response;
    expect(page).toMatchObject({ total: 121, count: 21 });
    expect((await api.get('files/rooms?filterValue=acme')).json.response.folders.map((f: { title: string }) => f.title)).toEqual(['Acme Corp']);
    expect((await api.get('files/rooms?type=2')).json.response.total).toBe(60);
    expect((await api.get('files/rooms?count=101')).status).toBe(400);
  });

  it('returns any room, archived ones included, by id, and 404 for a missing one', async () => {
    sim = fastSim();
    const archived = sim.addRoom({ title: 'Archived', area: 'archive' });
    const api = client(sim);
    expect((await api.get(`files/rooms/${archived}`)).json.response).toMatchObject({ id: archived, rootFolderType: 20 });
    expect((await api.get('files/rooms/424242')).status).toBe(404);
  });

  it('archives and unarchives a room as an asynchronous file operation', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'Deal' });
    const api = client(sim);
    const put = await api.put(`files/rooms/${room}/archive`, { deleteAfter: false });
    expect(put.json.response).toMatchObject({ finished: false, Operation: 0 });
    expect(sim.state.rootOf(room)!.folderType).toBe(14);
    await waitOp(api, put.json.response.id);
    expect((await api.get(`files/rooms/${room}`)).json.response.rootFolderType).toBe(20);
    const back = await api.put(`files/rooms/${room}/unarchive`, { deleteAfter: false });
    await waitOp(api, back.json.response.id);
    expect((await api.get(`files/rooms/${room}`)).json.response.rootFolderType).toBe(14);
  });

  it('removes a member with access 0 and answers with the members after the change; unknown users are dropped', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'Client' });
    const guest = sim.addUser({ displayName: 'Gil Guest', type: 'guest' });
    const user = sim.addUser({ displayName: 'Una User', email: 'una@x.test', type: 'user' });
    sim.shareRoom(room, guest, 10);
    const api = client(sim);
    const r = await api.put(`files/rooms/${room}/share`, {
      invitations: [
        { id: guest, access: 0 },
        { email: 'una@x.test', access: 2 },
        { id: '00000000-0000-0000-0000-00000000dead', access: 2 },
      ],
      notify: false,
    });
    expect(r.status).toBe(200);
    const members = r.json.response.members.map((m: { sharedTo: { id: string }; access: number; isOwner: boolean }) => [m.sharedTo.id, m.access, m.isOwner]);
    // NOTES 3.4: `members` holds only the invitees' shares as they now are, never the whole room (so not the
    // owner); the removed guest and the unknown user are not in it.
    expect(members).toEqual([[user, 2, false]]);
    expect(sim.state.roomShares(room).map((s) => s.userId)).toEqual([user]);
  });
});

describe('rooms from templates', () => {
  it('reports per-portal status: a second request while one runs gets the first one\'s status and starts nothing', async () => {
    const triggers: string[] = [];
    sim = fastSim({ templateDurationMs: 200, deliverWebhook: async (_u, init) => (triggers.push(JSON.parse(init.body).event.trigger), 200) });
    sim.registerWebhook({ url: 'https://hooks.test/', secretKey: 'template-secret' });
    const template = sim.addRoom({ title: 'Legal', area: 'templates', roomType: 2 });
    const docs = sim.addFolder(template, 'Docs');
    sim.addFile(docs, 'nda.docx');
    sim.addFile(template, 'letter.docx');
    const api = client(sim);
    const first = await api.post('files/rooms/fromtemplate', { templateId: template, title: 'P-1' });
    expect(first.json.response).toEqual({ roomId: 0, progress: 0, error: '', isCompleted: false });
    await sleep(60);
    const second = await api.post('files/rooms/fromtemplate', { templateId: template, title: 'P-2' });
    expect(second.json.response.roomId).toBeGreaterThan(0);
    expect(second.json.response.isCompleted).toBe(false);
    const roomId = second.json.response.roomId;
    expect(sim.state.folders.get(roomId)!.title).toBe('P-1');

    let status = (await api.get('files/rooms/fromtemplate/status')).json.response;
    const seen: number[] = [];
    while (!status.isCompleted) {
      seen.push(status.progress);
      await sleep(10);
      status = (await api.get('files/rooms/fromtemplate/status')).json.response;
    }
    expect(seen.every((p) => p >= 0 && p <= 0.9)).toBe(true);
    expect(status).toEqual({ roomId, progress: 100, error: '', isCompleted: true });
    expect((await api.get(`files/rooms?filterValue=P-`)).json.response.folders.map((f: { title: string }) => f.title)).toEqual(['P-1']);
    const content = (await api.get(`files/${roomId}`)).json.response;
    expect(content.folders.map((f: { title: string }) => f.title)).toEqual(['Docs']);
    expect(content.files.map((f: { title: string }) => f.title)).toEqual(['letter.docx']);
    // The room fires room.created; its copied content fires no file.copied.
    await sim.flushWebhooks();
    expect(triggers).toEqual(['room.created']);
  });

  it('deletes the room when creation fails but keeps its id in the status, with isCompleted and an error', async () => {
    sim = fastSim({ templateDurationMs: 30 });
    const template = sim.addRoom({ title: 'Legal', area: 'templates' });
    sim.setFaults({ failNextTemplates: 1 });
    const api = client(sim);
    await api.post('files/rooms/fromtemplate', { templateId: template, title: 'Doomed' });
    await sleep(60);
    const status = (await api.get('files/rooms/fromtemplate/status')).json.response;
    expect(status.isCompleted).toBe(true);
    expect(status.error).not.toBe('');
    expect(status.roomId).toBeGreaterThan(0);
    expect((await api.get(`files/rooms/${status.roomId}`)).status).toBe(404);
    // The next creation is a fresh task and succeeds.
    await api.post('files/rooms/fromtemplate', { templateId: template, title: 'Fine' });
    await sleep(60);
    expect((await api.get('files/rooms/fromtemplate/status')).json.response).toMatchObject({ isCompleted: true, error: '', progress: 100 });
  });

  it('has no response key when there is no task, and the finished status vanishes after the idle window', async () => {
    sim = fastSim({ templateDurationMs: 20, resultIdleTtlMs: 40 });
    const template = sim.addRoom({ title: 'Legal', area: 'templates' });
    const api = client(sim);
    const none = await api.get('files/rooms/fromtemplate/status');
    expect(none.status).toBe(200);
    expect(none.json).not.toHaveProperty('response');
    expect(none.json.count).toBe(0);
    await api.post('files/rooms/fromtemplate', { templateId: template, title: 'P' });
    await sleep(30);
    expect((await api.get('files/rooms/fromtemplate/status')).json.response.isCompleted).toBe(true);
    await sleep(80);
    expect((await api.get('files/rooms/fromtemplate/status')).json).not.toHaveProperty('response');
  });

  it('answers 404 for an unknown template and 400 without a title', async () => {
    sim = fastSim();
    const template = sim.addRoom({ title: 'Legal', area: 'templates' });
    const active = sim.addRoom({ title: 'Not a template' });
    const api = client(sim);
    expect((await api.post('files/rooms/fromtemplate', { templateId: active, title: 'x' })).status).toBe(404);
    expect((await api.post('files/rooms/fromtemplate', { templateId: template })).status).toBe(400);
  });
});
