import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocSpaceSimulator } from '@docspace-flows/simulator';
import { DocSpaceClient } from '../../../lib/docspace/client';
import { DocSpaceNotFoundError } from '../../../lib/docspace/errors';
import { docspaceFileMoves, isFinished, type FileMovesDocSpace } from '../../../lib/workflows/file-moves/docspace-port';

/* The file-move engine's DocSpace port against the simulator: what the engine relies on is really there. */

let sim: DocSpaceSimulator;
let port: FileMovesDocSpace;

beforeAll(() => {
  sim = new DocSpaceSimulator({ fileOpDurationMs: 5 });
  port = docspaceFileMoves(new DocSpaceClient({ baseUrl: 'http://docspace.local', apiKey: sim.apiKey, fetch: sim.fetch }));
});
afterAll(() => sim.close());

describe('the DocSpace port of the file-move engine', () => {
  it('lists only the direct children of a folder, page by page, and the whole subtree by listTree', async () => {
    const room = sim.addRoom({ title: 'Port listing' });
    const sub = sim.addFolder(room, 'Sub');
    const top = Array.from({ length: 3 }, (_, i) => sim.addFile(room, `top-${i}.pdf`));
    const deep = sim.addFile(sim.addFolder(sub, 'Deep'), 'deep.pdf');

    const listing = await port.listFolder(room);
    expect(listing.files.map((f) => f.id).sort((a, b) => a - b)).toEqual(top);
    expect(listing.folders.map((f) => f.id)).toEqual([sub]);

    const page = await port.folderPage(room, 1, 2);
    expect(page.current?.id).toBe(room);
    expect([...(page.folders ?? []), ...(page.files ?? [])]).toHaveLength(2);

    const tree = await port.listTree(room);
    expect(tree?.files.map((f) => f.id).sort((a, b) => a - b)).toEqual([...top, deep].sort((a, b) => a - b));
    expect(tree?.folders).toHaveLength(2);
  });

  it('answers no tree, rather than part of one, when the subtree is bigger than the cap', async () => {
    const room = sim.addRoom({ title: 'Port cap' });
    for (let i = 0; i < 4; i++) sim.addFile(room, `f-${i}.pdf`);
    expect(await port.listTree(room, { folders: 10, files: 3 })).toBeUndefined();
    expect((await port.listTree(room, { folders: 10, files: 4 }))?.files).toHaveLength(4);
  });

  it('creates a folder, reads its path from the room, and reads a file with its folder or a missing one as not found', async () => {
    const room = sim.addRoom({ title: 'Port create' });
    const made = await port.createFolder(room, 'Made');
    expect(sim.state.folders.get(made.id)).toMatchObject({ parentId: room, title: 'Made' });
    expect((await port.folderPath(made.id)).map((p) => p.id).slice(-2)).toEqual([room, made.id]);
    const file = sim.addFile(made.id, 'where.pdf');
    expect(await port.getFile(file)).toMatchObject({ id: file, folderId: made.id });
    await expect(port.getFile(99_999_999)).rejects.toBeInstanceOf(DocSpaceNotFoundError);
  });

  it('moves with Duplicate, so a same-titled file in the destination is kept beside the moved one, and hands the result out once', async () => {
    const room = sim.addRoom({ title: 'Port move' });
    const dest = sim.addFolder(room, 'Dest');
    const already = sim.addFile(dest, 'same.pdf');
    const moving = sim.addFile(room, 'same.pdf');

    const started = await port.startMove({ fileIds: [moving], destFolderId: dest });
    const outcome = isFinished(started) ? { state: 'finished' as const, op: started } : await port.waitForOperation(started.id, { timeoutMs: 5_000 });
    expect(outcome.state).toBe('finished');
    expect(sim.state.files.get(moving)?.folderId).toBe(dest);
    expect(sim.state.files.get(already)?.folderId).toBe(dest);
    // Skip (DocSpace's default) would have left the moving file where it was.
    expect([...sim.state.files.values()].filter((f) => f.folderId === dest)).toHaveLength(2);
    if (!isFinished(started)) expect(await port.waitForOperation(started.id, { timeoutMs: 2_000 })).toEqual({ state: 'vanished' });
  });

  it('removes a room member and reads the members back, and never forces out one who holds a form role', async () => {
    const room = sim.addRoom({ title: 'Port guest' });
    const guest = sim.addUser({ displayName: 'Port Guest', type: 'guest' });
    sim.shareRoom(room, guest, 2);
    expect((await port.listRoomMembers(room)).find((m) => m.userId === guest)?.access).toBe(2);

    const answer = await port.setRoomAccess(room, [{ id: guest, access: 0 }]);
    expect(answer.error).toBe(0);
    expect((await port.listRoomMembers(room)).find((m) => m.userId === guest && m.access !== 0)).toBeUndefined();

    const filler = sim.addUser({ displayName: 'Form Filler', type: 'guest' });
    sim.shareRoom(room, filler, 2);
    sim.assignFormRole(room, filler);
    expect((await port.setRoomAccess(room, [{ id: filler, access: 0 }])).error).toBe(1);
    expect((await port.listRoomMembers(room)).find((m) => m.userId === filler)?.access).toBe(2);
  });
});
