import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocSpaceClient, type RetryInfo } from '../../lib/docspace/client';
import { DocSpaceOperationFailedError, DocSpaceUnauthorizedError } from '../../lib/docspace/errors';
import { runFileOperation, startFileOperation, waitForOperation } from '../../lib/docspace/fileops';
import { createFolder, listFolder, listTree } from '../../lib/docspace/folders';
import { listRoomMembers, listRooms, setRoomAccess } from '../../lib/docspace/rooms';
import { DocSpaceSimulator } from '@docspace-flows/simulator';

/*
 * The client against the DocSpace simulator's in-process fetch: real envelopes, real paging, real asynchronous
 * file operations that are returned once and dequeued, and the simulator's 429s and proxy pages. Backoff sleeps
 * are shortened to at most 5 ms so storms stay fast; the sequence of delays is still the client's own.
 */

let sim: DocSpaceSimulator;
let retries: RetryInfo[];

function clientFor(simulator: DocSpaceSimulator, overrides: Partial<ConstructorParameters<typeof DocSpaceClient>[0]> = {}): DocSpaceClient {
  return new DocSpaceClient({
    baseUrl: 'http://docspace.local',
    apiKey: simulator.apiKey,
    fetch: simulator.fetch,
    timeoutMs: 2_000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    onRetry: (info) => retries.push(info),
    ...overrides,
  });
}

/** A client room: 130 files at the top, a subfolder with 205 files, and a nested folder with 3. */
function buildRoom(): { roomId: number; fileIds: Map<number, number>; folders: Array<{ id: number; parentId: number; title: string }> } {
  const roomId = sim.addRoom({ title: 'Acme Corp' });
  const fileIds = new Map<number, number>();
  const folders: Array<{ id: number; parentId: number; title: string }> = [];
  for (let i = 0; i < 130; i += 1) fileIds.set(sim.addFile(roomId, `top-${i}.docx`), roomId);
  const contracts = sim.addFolder(roomId, 'Contracts');
  folders.push({ id: contracts, parentId: roomId, title: 'Contracts' });
  for (let i = 0; i < 205; i += 1) fileIds.set(sim.addFile(contracts, `contract-${i}.pdf`), contracts);
  const signed = sim.addFolder(contracts, 'Signed');
  folders.push({ id: signed, parentId: contracts, title: 'Signed' });
  for (let i = 0; i < 3; i += 1) fileIds.set(sim.addFile(signed, `signed-${i}.pdf`), signed);
  const empty = sim.addFolder(roomId, 'Empty');
  folders.push({ id: empty, parentId: roomId, title: 'Empty' });
  return { roomId, fileIds, folders };
}

beforeEach(() => {
  sim = new DocSpaceSimulator({ fileOpDurationMs: 30, resultIdleTtlMs: 5_000 });
  retries = [];
});

afterEach(async () => {
  await sim.close();
});

describe('the DocSpace client against the simulator', () => {
  it('lists a nested room completely, every file with its folder and every folder with its parent', async () => {
    const room = buildRoom();
    const client = clientFor(sim);
    const tree = await listTree(client, room.roomId);

    expect(new Map(tree.files.map((f) => [f.id, f.folderId]))).toEqual(room.fileIds);
    expect(tree.files).toHaveLength(338);
    expect(tree.folders.sort((a, b) => a.id - b.id)).toEqual(room.folders.sort((a, b) => a.id - b.id));
    const pages = sim.requestLog().filter((r) => r.method === 'GET');
    expect(pages.every((r) => r.status === 200)).toBe(true);
    expect(sim.requestLog().some((r) => r.status === 400)).toBe(false);
  });

  it('moves files, awaits the move by operation id, and then finds its result gone', async () => {
    const room = buildRoom();
    const client = clientFor(sim);
    const dest = await createFolder(client, room.roomId, 'Completed');
    const toMove = [...room.fileIds].filter(([, folderId]) => folderId === room.roomId).slice(0, 40).map(([id]) => id);

    const op = await startFileOperation(client, 'move', { fileIds: toMove, destFolderId: dest.id, conflictResolveType: 'Duplicate' });
    expect(op.finished).toBe(false);
    const outcome = await waitForOperation(client, op.id, { timeoutMs: 5_000 });

    expect(outcome.state).toBe('finished');
    if (outcome.state === 'finished') {
      expect(outcome.op.error ?? '').toBe('');
      expect((outcome.op.files ?? []).map((f) => f.id).sort()).toEqual([...toMove].sort());
    }
    expect((await listFolder(client, dest.id)).files.map((f) => f.id).sort()).toEqual([...toMove].sort());
    const polls = sim.requestLog().filter((r) => r.method === 'GET' && r.path.startsWith('/api/2.0/files/fileops'));
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((r) => r.path === `/api/2.0/files/fileops?id=${encodeURIComponent(op.id)}`)).toBe(true);
    // DocSpace hands a finished result out once.
    await expect(waitForOperation(client, op.id, { timeoutMs: 5_000 })).resolves.toEqual({ state: 'vanished' });
  });

  it('raises a move that finished with an error through runFileOperation', async () => {
    const room = buildRoom();
    const client = clientFor(sim);
    const dest = await createFolder(client, room.roomId, 'Completed');
    const ids = [...room.fileIds.keys()].slice(0, 3);
    sim.setFaults({ failFileIds: [ids[1]!] });

    const error = await runFileOperation(client, 'move', { fileIds: ids, destFolderId: dest.id, conflictResolveType: 'Duplicate' }, { timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DocSpaceOperationFailedError);
    expect((error as DocSpaceOperationFailedError).docspaceMessage).not.toBe('');
    expect((await listFolder(client, dest.id)).files.map((f) => f.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('survives a 429 storm with no Retry-After and still lists everything', async () => {
    const room = buildRoom();
    const client = clientFor(sim);
    // Seven in a row hit the first listing.
    sim.setFaults({ next429: 7 });
    const tree = await listTree(client, room.roomId);
    expect(tree.files).toHaveLength(338);
    expect(client.stats.rateLimited).toBe(7);
    expect(retries.filter((r) => r.status === 429).map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('throws the rate-limit error once a storm outlasts a read\'s minute of backoff, rather than swallowing it', async () => {
    const room = buildRoom();
    // Jitter pinned to the middle: waits of 125 ms doubling to 5 s, so the 60 s budget allows 16 retries.
    const client = clientFor(sim, { random: () => 0.5 });
    sim.setFaults({ next429: 50 });
    const error = await listTree(client, room.roomId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'DocSpaceRateLimitError', status: 429, retryable: true });
    expect(client.stats.requests).toBe(17);
  });

  it('survives random 429s and proxy error pages during a move awaited by id', async () => {
    const room = buildRoom();
    const client = clientFor(sim, { retry: { maxAttempts: 12 } });
    const dest = await createFolder(client, room.roomId, 'Completed');
    const ids = [...room.fileIds.keys()].slice(0, 20);
    sim.setFaults({ rate429: 0.3 });
    // Enough requests in the storm that it certainly answers some of them 429 (a move and its polls alone are
    // only a handful: 0.7^4 of runs would meet none).
    for (let i = 0; i < 10; i++) await listFolder(client, room.roomId);
    const outcome = await runFileOperation(client, 'move', { fileIds: ids, destFolderId: dest.id, conflictResolveType: 'Duplicate' }, { timeoutMs: 5_000 });
    sim.setFaults({ rate429: 0, rate5xx: 0.3 });
    const moved = (await listTree(client, dest.id)).files.map((f) => f.id);
    const rest = await listTree(client, room.roomId);
    sim.setFaults({ rate5xx: 0 });

    // Either the poll saw the result, or a retried poll came after the one that consumed it: both are honest.
    expect(['finished', 'vanished']).toContain(outcome.state);
    expect(moved.sort()).toEqual([...ids].sort());
    expect(rest.files).toHaveLength(338);
    expect(client.stats.rateLimited).toBeGreaterThan(0);
    expect(retries.some((r) => r.status !== undefined && r.status >= 500)).toBe(true);
  });

  it('times out a hung read and retries it once the portal answers again', async () => {
    const room = buildRoom();
    sim.setFaults({ hangRate: 1, hangMs: 300, hangBeforeHandling: true });
    // The portal recovers while the client backs off.
    const client = clientFor(sim, { timeoutMs: 50, onRetry: (info) => (retries.push(info), sim.setFaults({ hangRate: 0 })) });
    const listing = await listFolder(client, room.roomId);
    expect(listing.files).toHaveLength(130);
    expect(retries).toEqual([expect.objectContaining({ method: 'GET', attempt: 1 })]);
    expect(retries[0]!.status).toBeUndefined();
  });

  it('does not repeat a folder creation whose answer hung: the folder exists once and the error says ambiguous', async () => {
    const room = buildRoom();
    sim.setFaults({ hangRate: 1, hangMs: 300 });
    const client = clientFor(sim, { timeoutMs: 50 });
    const error = await createFolder(client, room.roomId, 'Archive').then(
      () => undefined,
      (e: unknown) => e,
    );
    sim.setFaults({ hangRate: 0 });
    expect(error).toMatchObject({ name: 'DocSpaceTimeoutError', ambiguous: true });
    expect(retries).toEqual([]);
    // DocSpace did create it (no title-uniqueness check, NOTES 3.3): a blind repeat would have made two.
    expect((await listFolder(client, room.roomId)).folders.filter((f) => f.title === 'Archive')).toHaveLength(1);
    expect(sim.mutations().filter((m) => m.method === 'POST')).toHaveLength(1);
  });

  it('stays under the per-user concurrency limit by queueing, so the limiter never fires', async () => {
    const room = buildRoom();
    sim.setFaults({ enforceUserLimits: true, latencyMs: 2 });
    const client = clientFor(sim, { concurrency: { reads: 20, writes: 5 } });
    await Promise.all([listTree(client, room.roomId), listTree(client, room.roomId), listRooms(client)]);
    expect(client.stats.rateLimited).toBe(0);
    expect(sim.stats.maxConcurrentGets).toBeLessThanOrEqual(20);
  });

  it('removes a guest from a room and reports the members after the change', async () => {
    const room = buildRoom();
    const guest = sim.addUser({ displayName: 'Guest', type: 'guest' });
    sim.shareRoom(room.roomId, guest, 2);
    const client = clientFor(sim);
    const { members, error } = await setRoomAccess(client, room.roomId, [{ id: guest, access: 0 }]);
    expect(error).toBe(0);
    expect(members.some((m) => m.userId === guest)).toBe(false);
    expect((await listRoomMembers(client, room.roomId)).some((m) => m.userId === guest)).toBe(false);
  });

  it('raises a wrong key as unauthorized without echoing either key', async () => {
    const client = clientFor(sim, { apiKey: 'sk-wrongwrongwrong0123' });
    const error = await listRooms(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DocSpaceUnauthorizedError);
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).not.toContain('wrongwrongwrong');
    expect(text).not.toContain(sim.apiKey.slice(3));
  });
});
