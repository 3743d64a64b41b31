import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, DocSpaceSimulator, demoFixture } from '../src';
import { client } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

const day = 24 * 3600 * 1000;

describe('the demo portal', () => {
  it('has the folders, rooms, templates and guest that DEMO names, with the same ids every time', async () => {
    const now = Date.now();
    sim = new DocSpaceSimulator({ fixture: JSON.parse(JSON.stringify(demoFixture(now))) });
    const api = client(sim);
    const s = sim.state;
    const roomTitle = (id: number) => s.roomOf(id)?.title;

    expect(roomTitle(DEMO.completedFolderId)).toBe('Operations');
    expect(s.folders.get(DEMO.completedFolderId)!.title).toBe('Completed');
    expect(s.filesUnder(DEMO.taskFolderId, false).length).toBeGreaterThanOrEqual(3);
    // A plain folder in a room called Archive, not DocSpace's system Archive.
    const archiveRoot = (await api.get(`files/folder/${DEMO.archiveRootFolderId}`)).json.response;
    expect(archiveRoot).toMatchObject({ type: 0, rootFolderType: 14 });
    expect(roomTitle(DEMO.archiveRootFolderId)).toBe('Archive');

    const acmeFiles = s.filesUnder(DEMO.clientRoomId, true);
    expect(acmeFiles.length).toBeGreaterThanOrEqual(20);
    const byTitle = new Map<string, Set<number>>();
    for (const f of acmeFiles) byTitle.set(f.title, (byTitle.get(f.title) ?? new Set()).add(f.folderId));
    expect([...byTitle.values()].filter((folders) => folders.size > 1).length).toBeGreaterThanOrEqual(2);
    expect(s.roomShares(DEMO.clientRoomId).map((x) => x.userId)).toContain(DEMO.guestUserId);
    expect(s.users.get(DEMO.guestUserId)).toMatchObject({ type: 'guest', invitedBy: [DEMO.selfUserId] });
    expect(s.users.get(s.selfUserId)!.type).toBe('owner');

    for (const id of [DEMO.sourceRoomId, DEMO.internalRoomId]) expect(s.isRoom(s.folders.get(id)!)).toBe(true);
    const templates = (await api.get('files/rooms?searchArea=Templates')).json.response.folders;
    expect(templates.map((t: { id: number }) => t.id).sort()).toEqual([DEMO.templates.legal, DEMO.templates.marketing].sort());

    const active = (await api.get('files/rooms')).json.response.folders as Array<{ id: number; updated: string }>;
    const age = (id: number) => Math.floor((now - Date.parse(active.find((r) => r.id === id)!.updated)) / day);
    expect(DEMO.oldRoomIds.map(age).every((d) => d >= 30)).toBe(true);
    expect(age(DEMO.recentRoomId)).toBeLessThan(30);
    expect(active.map((r) => r.id)).not.toContain(DEMO.archivedRoomId);
    expect((await api.get(`files/rooms/${DEMO.archivedRoomId}`)).json.response.rootFolderType).toBe(20);
  });

  it('lets the key owner remove the demo guest with DELETE people/guests', async () => {
    sim = new DocSpaceSimulator({ fixture: demoFixture() });
    expect((await client(sim).del('people/guests', { userIds: [DEMO.guestUserId] })).status).toBe(200);
    expect(sim.state.roomShares(DEMO.clientRoomId).map((x) => x.userId)).not.toContain(DEMO.guestUserId);
  });
});
