import { afterEach, expect, it } from 'vitest';
import { acceptFileMove } from '../../../../lib/workflows/file-moves';
import type { FileMoveDeps } from '../../../../lib/workflows/file-moves/model';
import { archiveRootIn, buildNestedRoom, filesUnder, pathOf, startEngine, type EngineHarness } from './harness';

/*
 * DocSpace hands a finished fileop result out once and drops it after a minute of idleness (NOTES 3.2), so a
 * worker that polls late finds nothing. The engine must then judge the move by where the files are, not by the
 * missing report: nothing moved twice, nothing reported failed, chunks still of at most 100 files.
 */

let h: EngineHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('judges a move whose result DocSpace dropped before it was read by where the files are, moving nothing twice and in chunks of at most 100', async () => {
  let vanished = 0;
  h = await startEngine({
    // Results are dropped 1 ms after the move finishes; the worker's first poll comes 100 ms after the PUT.
    simulator: { resultIdleTtlMs: 1 },
    fetch: (sim) => async (input, init) => {
      const response = await sim.fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if ((init?.method ?? 'GET') === 'GET' && /\/files\/fileops\?/.test(url)) {
        const { response: ops } = (await response.clone().json()) as { response?: unknown[] };
        if (!ops || ops.length === 0) vanished += 1;
      }
      return response;
    },
  });
  const { sim, queue } = h;
  const counts: Record<string, number> = {};
  const deps: FileMoveDeps = { ...h.deps, counters: { count: (name, n = 1) => void (counts[name] = (counts[name] ?? 0) + n) } };
  // Two folders of 125 files each: every folder needs a full chunk and a partial one.
  const room = buildNestedRoom(sim, { files: 250, depth: 1, width: 1 });
  const archiveRoot = archiveRootIn(sim);
  const guest = sim.addUser({ displayName: 'Vera Guest', type: 'guest' });
  sim.shareRoom(room.roomId, guest, 2);

  const { jobId } = await acceptFileMove(deps, 'deal-archive', 'D-vanished', {
    sourceFolderId: room.roomId,
    destination: { kind: 'named-child', parentId: archiveRoot, title: 'Vanished Ltd' },
    guest: { userId: guest, roomId: room.roomId },
    resultKey: 'archiveFolderId',
  });
  await queue.drain(deps);

  // The scenario really happened: the worker asked for results DocSpace no longer had.
  expect(vanished).toBeGreaterThan(0);
  const view = await deps.store.view(jobId);
  expect(view).toMatchObject({ status: 'succeeded', progress: { total: 250, done: 250, failed: 0 }, errors: [] });
  const archiveFolderId = view!.result!.archiveFolderId as number;
  const archived = filesUnder(sim, archiveFolderId);
  expect(archived.map((f) => f.id).sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
  for (const file of archived) expect(pathOf(sim, file.folderId, archiveFolderId)).toBe(room.pathOfFile.get(file.id));
  expect(filesUnder(sim, room.roomId)).toEqual([]);

  const moves = sim.mutations().filter((m) => m.method === 'PUT' && m.path.endsWith('/files/fileops/move'));
  const movedIds = moves.flatMap((m) => (m.body as { fileIds: number[] }).fileIds);
  expect(movedIds).toHaveLength(250);
  expect(new Set(movedIds).size).toBe(250);
  expect(moves.map((m) => (m.body as { fileIds: number[] }).fileIds.length).sort((a, b) => b - a)).toEqual([100, 100, 25, 25]);

  // No file was ever counted as failed on the way (the FilesFailed metric would have alarmed for nothing).
  expect(counts).toMatchObject({ FilesMoved: 250 });
  expect(counts.FilesFailed ?? 0).toBe(0);
  expect(sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
  expect(queue.dlq).toEqual([]);
});
