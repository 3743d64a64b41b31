import { afterEach, describe, expect, it } from 'vitest';
import type { DocSpaceSimulator } from '../src';
import { client, fastSim, waitOp } from './helpers';

/* What a real portal does that the simulator models since issue 15 (NOTES 1 and 3.4; files_2.0 v3.7.0). */

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

describe('removing a room member who holds a form role', () => {
  it('refuses the whole request with error 1 and no members unless force is set, changing nothing', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'Client', roomType: 1 });
    const guest = sim.addUser({ displayName: 'Gil Guest', type: 'guest' });
    const reader = sim.addUser({ displayName: 'Rae Reader', type: 'user' });
    sim.shareRoom(room, guest, 7);
    sim.assignFormRole(room, guest);
    const api = client(sim);

    const refused = await api.put(`files/rooms/${room}/share`, { invitations: [{ id: reader, access: 2 }, { id: guest, access: 0 }], notify: false });
    expect(refused.status).toBe(200);
    expect(refused.json.response).toEqual({ error: 1 });
    expect(sim.state.roomShares(room).map((s) => s.userId)).toEqual([guest]);

    const forced = await api.put(`files/rooms/${room}/share`, { invitations: [{ id: guest, access: 0 }], notify: false, force: true });
    expect(forced.json.response).toMatchObject({ error: 0, members: [] });
    expect(sim.state.roomShares(room)).toEqual([]);
    expect(sim.state.hasFormRole(room, guest)).toBe(false);
  });

  it('lists the room members page by page, each with sharedToUser beside the deprecated sharedTo', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'Big room' });
    for (let i = 0; i < 120; i++) sim.shareRoom(room, sim.addUser({ displayName: `User ${i}`, type: 'user' }), 2);
    const api = client(sim);
    const first = (await api.get(`files/rooms/${room}/share?startIndex=0&count=100`)).json.response;
    const second = (await api.get(`files/rooms/${room}/share?startIndex=100&count=100`)).json.response;
    expect(first).toHaveLength(100);
    expect(second).toHaveLength(21); // 120 users and the owner
    expect(second[20]).toMatchObject({ access: 2, sharedTo: { id: expect.any(String) }, sharedToUser: { id: second[20].sharedTo.id, displayName: 'User 119' } });
    expect((await api.get(`files/rooms/${room}/share?count=101`)).status).toBe(400);
  });
});

describe('rooms on third-party storage', () => {
  it('give the room and everything in it string ids, readable and archivable by those ids', async () => {
    sim = fastSim();
    const room = sim.addRoom({ title: 'Box: Drive', provider: 'box' });
    const folder = sim.addFolder(room, 'Contracts');
    const file = sim.addFile(folder, 'a.pdf');
    const api = client(sim);

    const listed = (await api.get('files/rooms')).json.response.folders;
    expect(listed).toEqual([expect.objectContaining({ id: `box-${room}`, parentId: String(sim.state.roots.rooms), providerKey: 'Box', providerItem: true })]);
    expect((await api.get(`files/rooms/box-${room}`)).json.response).toMatchObject({ id: `box-${room}`, title: 'Box: Drive' });
    expect((await api.get(`files/rooms/${room}`)).status).toBe(404);
    const content = (await api.get(`files/box-${folder}`)).json.response;
    expect(content.files).toEqual([expect.objectContaining({ id: `box-${file}`, folderId: `box-${folder}` })]);
    expect(content.pathParts.map((p: { id: unknown }) => p.id)).toEqual([sim.state.roots.rooms, `box-${room}`, `box-${folder}`]);
    expect(sim.publicId(folder)).toBe(`box-${folder}`);

    const put = await api.put(`files/rooms/box-${room}/archive`, { deleteAfter: false });
    await waitOp(api, put.json.response.id);
    expect(sim.state.rootOf(room)?.id).toBe(sim.state.roots.archive);
  });
});

describe("the portal's local time", () => {
  it('writes every REST date in local time with its offset (+03:00 by default, as NOTES shows), Z only at offset 0', async () => {
    const at = Date.UTC(2026, 4, 14, 10, 20, 30, 123);
    sim = fastSim({ now: () => at });
    const room = sim.addRoom({ title: 'Dated' });
    sim.addFile(room, 'x.docx');
    const content = (await client(sim).get(`files/${room}`)).json.response;
    expect(content.current.created).toBe('2026-05-14T13:20:30.1230000+03:00');
    expect(content.files[0].updated).toBe('2026-05-14T13:20:30.1230000+03:00');
    expect(Date.parse(content.files[0].updated)).toBe(at);
    await sim.close();

    sim = fastSim({ now: () => at, timeZoneOffsetMinutes: -270 });
    const other = sim.addRoom({ title: 'West' });
    expect((await client(sim).get(`files/rooms/${other}`)).json.response.created).toBe('2026-05-14T05:50:30.1230000-04:30');
    await sim.close();

    sim = fastSim({ now: () => at, timeZoneOffsetMinutes: 0 });
    const utc = sim.addRoom({ title: 'UTC' });
    expect((await client(sim).get(`files/rooms/${utc}`)).json.response.created).toBe('2026-05-14T10:20:30.1230000Z');
  });
});
