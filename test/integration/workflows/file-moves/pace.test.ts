import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DocSpaceServerError } from '../../../../lib/docspace/errors';
import { acceptFileMove, type FileMovesDocSpace } from '../../../../lib/workflows/file-moves';
import { startTable, type TestTable } from '../../../support/dynamo';
import { roomGuest, archiveRootIn, buildNestedRoom, dealInput, filesUnder, pathOf, startEngine, taskFolder, taskInput, type EngineHarness, type QueuedMessage } from './harness';

/*
 * The mechanisms that keep file moves at DocSpace's pace (issue 10): whole-folder moves with an exact per-file
 * account, chunks confirmed without re-listing their folder, and a lost answer settled by reading the portal.
 */

let table: TestTable;
let h: EngineHarness | undefined;
let seq = 0;

beforeAll(async () => {
  table = await startTable();
});
afterAll(async () => {
  await table.close();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const url = (input: string | URL | Request) => String(input instanceof Request ? input.url : input);

describe('whole-folder moves', () => {
  it('moves each top-level folder of a room with its subtree in one operation, counting every file, then removes the guest', async () => {
    h = await startEngine({ table, wholeFolders: true });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 400, depth: 3, width: 3 });
    const archiveRoot = archiveRootIn(sim);
    const guest = roomGuest(sim, room.roomId);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `W-${++seq}`, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    const view = await deps.store.view(jobId);
    expect(view).toMatchObject({ status: 'succeeded', progress: { total: 400, done: 400, failed: 0 }, errors: [] });
    const acme = view!.result!.archiveFolderId as number;
    const archived = filesUnder(sim, acme);
    expect(archived.map((f) => f.id).sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
    for (const file of archived) expect(pathOf(sim, file.folderId, acme)).toBe(room.pathOfFile.get(file.id));
    expect(filesUnder(sim, room.roomId)).toEqual([]);

    const mutations = sim.mutations();
    const moves = mutations.filter((m) => m.path.endsWith('/files/fileops/move'));
    // Three folder moves (one per top-level folder) and one chunk for the files at the room's root; no mirrors.
    expect(moves.flatMap((m) => (m.body as { folderIds: number[] }).folderIds)).toHaveLength(3);
    expect(moves.length).toBeLessThanOrEqual(4);
    expect(mutations.filter((m) => m.method === 'POST' && /\/files\/folder\//.test(m.path))).toHaveLength(1);
    const lastMove = Math.max(...moves.map((m) => m.seq));
    const revoke = mutations.filter((m) => m.path.endsWith(`/files/rooms/${room.roomId}/share`));
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.seq).toBeGreaterThan(lastMove);
    expect(queue.dlq).toEqual([]);
  });

  it('leaves an exact per-file account when a whole-folder move fails part-way, and a re-delivered event moves only what is left', async () => {
    h = await startEngine({ table, wholeFolders: true });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 120, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const guest = roomGuest(sim, room.roomId);
    // Two files deep inside a top-level folder will not move: the folder cannot go as a whole.
    const deep = room.fileIds.filter((id) => room.pathOfFile.get(id) === 'Contracts/Invoices').slice(0, 2);
    expect(deep).toHaveLength(2);
    sim.setFaults({ failFileIds: deep });

    const input = dealInput(room.roomId, archiveRoot, guest);
    const { jobId } = await acceptFileMove(deps, 'deal-archive', `W-${++seq}`, input);
    await queue.drain(deps);

    const failed = await deps.store.view(jobId);
    expect(failed).toMatchObject({ status: 'failed', progress: { total: 120, done: 118, failed: 2 } });
    expect(failed!.errors.map((e) => e.fileId).sort()).toEqual([...deep].sort());
    for (const e of failed!.errors) expect(e.reason).toContain('simulated failure');
    expect(sim.state.shares.get(room.roomId)?.has(guest)).toBe(true);
    const acme = failed!.result!.archiveFolderId as number;
    expect(filesUnder(sim, room.roomId).map((f) => f.id).sort()).toEqual([...deep].sort());

    sim.setFaults({ failFileIds: [] });
    const before = sim.mutations().length;
    await acceptFileMove(deps, 'deal-archive', `W-${seq}`, input);
    await queue.drain(deps);

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 120, done: 120, failed: 0 }, errors: [] });
    const resumedMoves = sim.mutations().slice(before).filter((m) => m.path.endsWith('/files/fileops/move'));
    const movedAgain = resumedMoves.flatMap((m) => [...(m.body as { fileIds: number[] }).fileIds, ...(m.body as { folderIds: number[] }).folderIds]);
    // Only the two files: nothing that had arrived is moved again.
    expect(movedAgain.sort()).toEqual([...deep].sort());
    const archived = filesUnder(sim, acme);
    expect(archived).toHaveLength(120);
    for (const file of archived) expect(pathOf(sim, file.folderId, acme)).toBe(room.pathOfFile.get(file.id));
    expect(sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
  });

  it('splits a group of folders whose subtrees are over the cap into smaller moves, and moves every file', async () => {
    h = await startEngine({ table, wholeFolders: true });
    const { sim, deps, queue } = h;
    // Three top-level folders of 40 folders each: together over the 100-folder cap of one step, each under it.
    const room = buildNestedRoom(sim, { files: 300, depth: 4, width: 3 });
    const archiveRoot = archiveRootIn(sim);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `W-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps);

    const view = await deps.store.view(jobId);
    expect(view).toMatchObject({ status: 'succeeded', progress: { total: 300, done: 300, failed: 0 } });
    const acme = view!.result!.archiveFolderId as number;
    for (const file of filesUnder(sim, acme)) expect(pathOf(sim, file.folderId, acme)).toBe(room.pathOfFile.get(file.id));
    expect(filesUnder(sim, acme)).toHaveLength(300);
    const folderMoves = sim.mutations().filter((m) => m.path.endsWith('/fileops/move') && (m.body as { folderIds: number[] }).folderIds.length > 0);
    // 40 + 40 folders fit in one move, the third goes in another; none is moved file by file.
    expect(folderMoves.map((m) => (m.body as { folderIds: number[] }).folderIds.length).sort()).toEqual([1, 2]);
    expect(sim.mutations().filter((m) => m.method === 'POST' && /\/files\/folder\//.test(m.path))).toHaveLength(1);
  });

  it('names a file that was in the folder before its move and is in neither place after it, and keeps the guest', async () => {
    let vanished: number | undefined;
    h = await startEngine({
      table,
      wholeFolders: true,
      fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
        if (init?.method === 'PUT' && /\/fileops\/move$/.test(url(input)) && vanished === undefined) {
          // Someone deletes a file of the folder between its listing and its move.
          const body = JSON.parse(String(init.body)) as { folderIds: number[] };
          const [file] = sim.state.filesUnder(body.folderIds[0]!, true);
          vanished = file!.id;
          sim.state.deleteFile(file!.id);
        }
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 40, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const guest = roomGuest(sim, room.roomId);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `W-${++seq}`, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    const view = await deps.store.view(jobId);
    expect(view).toMatchObject({ status: 'failed', progress: { total: 40, done: 39, failed: 1 } });
    expect(view!.errors).toEqual([expect.objectContaining({ fileId: vanished, reason: expect.stringContaining('not found in the destination or the source') })]);
    expect(sim.state.shares.get(room.roomId)?.has(guest)).toBe(true);
  });

  it('does not move a folder whole into a destination that already has one of its title: it merges file by file, overwriting nothing', async () => {
    h = await startEngine({ table, wholeFolders: true });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 60, depth: 1, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const acme = sim.addFolder(archiveRoot, 'Acme');
    const contracts = sim.addFolder(acme, 'Contracts');
    const bystander = sim.addFile(contracts, 'document-0-0.docx');

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `W-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps);

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 60, done: 60, failed: 0 } });
    expect(sim.state.files.get(bystander)).toMatchObject({ folderId: contracts, version: 1 });
    const moves = sim.mutations().filter((m) => m.path.endsWith('/files/fileops/move'));
    expect(moves.flatMap((m) => (m.body as { folderIds: number[] }).folderIds)).toEqual([room.folderIds[1]]);
    expect(filesUnder(sim, acme)).toHaveLength(61);
  });
});

describe('whole-folder moves between jobs', () => {
  it('moves same-titled subfolders of two task folders closed at the same moment into one Completed subfolder', async () => {
    h = await startEngine({
      table,
      wholeFolders: true,
      fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
        // Moves answer slowly, so the second job plans while the first one's folder is still on its way.
        if (init?.method === 'PUT' && /\/fileops\/move$/.test(url(input))) await new Promise((r) => setTimeout(r, 100));
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');
    const tasks = sim.addRoom({ title: 'Tasks' });
    const taskFolders = ['TASK-7', 'TASK-8'].map((title) => sim.addFolder(tasks, title));
    const ids = taskFolders.flatMap((folder, t) => {
      const invoices = sim.addFolder(folder, 'Invoices');
      return [sim.addFile(invoices, `invoice-${t}.pdf`), sim.addFile(sim.addFolder(invoices, 'Paid'), `receipt-${t}.pdf`)];
    });

    const jobs = await Promise.all(
      taskFolders.map((folder, t) =>
        acceptFileMove(deps, 'task-complete', `TASK-${7 + t}-${++seq}`, taskInput(folder, completed)),
      ),
    );
    await queue.drain(deps);

    for (const { jobId } of jobs) expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 2, done: 2, failed: 0 } });
    const titled = (parent: number, title: string) => [...sim.state.childFolderIds(parent)].filter((id) => sim.state.folders.get(id)!.title === title);
    const [invoices] = titled(completed, 'Invoices');
    expect([...sim.state.childFolderIds(completed)]).toEqual([invoices]);
    expect(titled(invoices!, 'Paid')).toHaveLength(1);
    expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids.sort((a, b) => a - b));
  });
});

describe('reads in proportion to the work', () => {
  it('mirrors many same-titled subfolders with two listings of the destination, not one per folder, pairing them in order', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const folder = sim.addFolder(sim.addRoom({ title: 'Tasks' }), 'TASK-MIRRORS');
    const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');
    const kept = sim.addFolder(completed, 'Scans');
    const subfolders = ['Scans', 'Scans', 'Mail', 'Scans', 'Mail', 'Scans'].map((title, i) => {
      const id = sim.addFolder(folder, title);
      return { id, title, files: Array.from({ length: 3 }, (_, k) => sim.addFile(id, `page-${i}-${k}.pdf`)) };
    });

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps);

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 18, done: 18, failed: 0 } });
    const listings = sim.requestLog().filter((r) => r.method === 'GET' && r.path.split('?')[0]!.endsWith(`/files/${completed}`));
    expect(listings).toHaveLength(2);
    // Four Scans (the one there, three made) and two Mail; the first Scans in id order took the one already there.
    const mirrors = [...sim.state.childFolderIds(completed)].map((id) => sim.state.folders.get(id)!);
    expect(mirrors.map((f) => f.title).sort()).toEqual(['Mail', 'Mail', 'Scans', 'Scans', 'Scans', 'Scans']);
    expect(filesUnder(sim, kept).map((f) => f.id).sort((a, b) => a - b)).toEqual(subfolders[0]!.files);
    for (const sub of subfolders) {
      const arrived = filesUnder(sim, completed).filter((f) => sub.files.includes(f.id));
      expect(arrived).toHaveLength(3);
      expect(new Set(arrived.map((f) => f.folderId)).size).toBe(1);
    }
    expect(new Set(subfolders.map((sub) => sim.state.files.get(sub.files[0]!)!.folderId)).size).toBe(6);
  });

  it('confirms the chunks of a 1000-file folder without listing the folder again for each chunk', async () => {
    const listings = new Map<number, number>();
    h = await startEngine({
      table,
      fetch: (sim) => ((input: string | URL | Request, init?: RequestInit) => {
        const m = /\/api\/2\.0\/files\/(\d+)\?/.exec(url(input));
        if ((init?.method ?? 'GET') === 'GET' && m) listings.set(Number(m[1]), (listings.get(Number(m[1])) ?? 0) + 1);
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const tasks = sim.addRoom({ title: 'Tasks' });
    const folder = sim.addFolder(tasks, 'TASK-1');
    for (let i = 0; i < 1000; i++) sim.addFile(folder, `scan-${i}.pdf`);
    const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps);

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 1000, done: 1000, failed: 0 } });
    // The scan reads the folder's 10 pages once, the start reads one entry, and the final check finds it empty:
    // 12 reads. Confirming each of the 10 chunks by listing the folder would add 10 × up to 10 pages.
    expect(listings.get(folder)).toBeLessThanOrEqual(12);
    expect(listings.get(completed) ?? 0).toBe(0);
    expect(sim.stats.requests).toBeLessThan(60);
  });
});

describe('bounded steps', () => {
  it('scans a folder of 5 200 files in two batches, moving nothing until both are listed, each file once', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const invocation = new AsyncLocalStorage<string>();
    const requests = new Map<string, number>();
    h = await startEngine({
      table,
      fetch: (sim) => ((input: string | URL | Request, init?: RequestInit) => {
        const id = invocation.getStore();
        if (id) requests.set(id, (requests.get(id) ?? 0) + 1);
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const tasks = sim.addRoom({ title: 'Tasks' });
    const folder = sim.addFolder(tasks, 'TASK-BIG');
    const ids: number[] = [];
    for (let i = 0; i < 5_200; i++) ids.push(sim.addFile(folder, `scan-${i}.pdf`));
    const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps, { concurrency: 6, intercept: (m, run) => invocation.run(m.messageId, run) });

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 5_200, done: 5_200, failed: 0 } });
    expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids);
    const moved = sim.mutations().filter((m) => m.path.endsWith('/fileops/move')).flatMap((m) => (m.body as { fileIds: number[] }).fileIds);
    expect(moved).toHaveLength(5_200);
    const scans = queue.sent.filter((b) => (b as { kind: string }).kind === 'folder') as Array<{ startIndex?: number }>;
    expect(scans.map((b) => b.startIndex ?? 0)).toEqual([0, 5_000]);
    // No step lists the whole folder: a batch is 50 pages.
    expect(Math.max(...requests.values())).toBeLessThanOrEqual(55);
  }, 60_000);
  it('queues the chunks of the batches before one that cannot be listed, also when its worker dies before queuing them', async () => {
    h = await startEngine({
      table,
      fetch: (sim) => ((input: string | URL | Request, init?: RequestInit) => {
        const u = new URL(url(input));
        if (init?.method !== 'PUT' && Number(u.searchParams.get('startIndex') ?? 0) >= 5_000) {
          return Promise.resolve(Response.json({ status: 1, statusCode: 403, error: { message: 'Access denied' } }, { status: 403 }));
        }
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const folder = sim.addFolder(sim.addRoom({ title: 'Tasks' }), 'TASK-HALF');
    const ids: number[] = [];
    for (let i = 0; i < 5_200; i++) ids.push(sim.addFile(folder, `scan-${i}.pdf`));
    const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');
    const send = queue.send.bind(queue);
    let dropped = 0;
    queue.send = async (messages) => {
      if (dropped === 0 && messages.some((m) => (m.body as { kind: string }).kind === 'chunk')) {
        dropped += 1;
        throw new Error('Lambda timed out before SendMessageBatch');
      }
      return send(messages);
    };

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps, { concurrency: 6 });

    expect(dropped).toBe(1);
    // The first batch's 5 000 files moved once; the job ends (failed, naming the folder it could not list)
    // instead of waiting for chunks nobody queued.
    const job = await deps.store.view(jobId);
    expect(job).toMatchObject({ status: 'failed', progress: { done: 5_000 } });
    expect(job!.errors.some((e) => e.reason.includes(`folder ${folder} could not be scanned`))).toBe(true);
    const moved = sim.mutations().filter((m) => m.path.endsWith('/fileops/move')).flatMap((m) => (m.body as { fileIds: number[] }).fileIds);
    expect(new Set(moved).size).toBe(5_000);
    expect(filesUnder(sim, completed)).toHaveLength(5_000);
  }, 60_000);
});

describe('a bounded finalizer', () => {
  it('checks a source bigger than one invocation\'s budget in parts, ends the job, and removes the guest only after the last part', async () => {
    const reads: string[] = [];
    h = await startEngine({
      table,
      fetch: (sim) => ((input: string | URL | Request, init?: RequestInit) => {
        reads.push(`${init?.method ?? 'GET'} ${new URL(url(input)).pathname}`);
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    // Mirrored, not moved whole: the room keeps its 39 folders, empty, for the finalizer to check.
    const room = buildNestedRoom(sim, { files: 120, depth: 3, width: 3 });
    expect(room.folderIds.length).toBe(39);
    const archiveRoot = archiveRootIn(sim);
    const guest = roomGuest(sim, room.roomId);
    deps.finalizeBudget = { pages: 6, ms: 60_000 };

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `F-${++seq}`, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 120, done: 120, failed: 0 }, errors: [] });
    const parts = queue.sent.filter((b) => (b as { kind: string; sweep?: unknown }).kind === 'finalize' && (b as { sweep?: unknown }).sweep);
    // 40 folder pages at 6 a part: the first part and at least six more.
    expect(parts.length).toBeGreaterThanOrEqual(6);
    const job = await deps.store.get(jobId);
    expect(JSON.stringify(job).length).toBeLessThan(2_000);
    const revoke = reads.findIndex((r) => r === `PUT /api/2.0/files/rooms/${room.roomId}/share`);
    expect(revoke).toBeGreaterThan(0);
    const sourceFolders = new Set([room.roomId, ...room.folderIds].map((id) => `GET /api/2.0/files/${id}`));
    const lastCheck = reads.reduce((last, r, i) => (sourceFolders.has(r) ? i : last), -1);
    expect(revoke).toBeGreaterThan(lastCheck);
    expect(sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
    expect(queue.dlq).toEqual([]);
  });

  it('names a file found in a late part of the check, ends the job failed, and keeps the guest', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 120, depth: 3, width: 3 });
    const archiveRoot = archiveRootIn(sim);
    const guest = roomGuest(sim, room.roomId);
    deps.finalizeBudget = { pages: 4, ms: 60_000 };
    const deepest = room.folderIds[room.folderIds.length - 1]!;
    let late: number | undefined;

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `F-${++seq}`, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps, {
      intercept: async (m, run) => {
        // Put there while the job ran, after the plan: only the finalizer can find it.
        if ((m.body as { kind: string }).kind === 'finalize' && late === undefined) late = sim.addFile(deepest, 'late.pdf');
        await run();
      },
    });

    const view = await deps.store.view(jobId);
    expect(view).toMatchObject({ status: 'failed', progress: { total: 121, done: 120, failed: 1 } });
    expect(view!.errors).toEqual([{ fileId: late, title: 'late.pdf', reason: expect.stringContaining('still in the source') }]);
    expect(queue.sent.filter((b) => (b as { sweep?: unknown }).sweep).length).toBeGreaterThanOrEqual(5);
    expect(sim.state.shares.get(room.roomId)?.has(guest)).toBe(true);
  });
});

describe('operations longer than an invocation', () => {
  it('follows a move still running when its invocation stops waiting by its id on the next delivery, sending it once', async () => {
    h = await startEngine({ table, simulator: { fileOpDurationMs: 1_500 } });
    const { sim, queue } = h;
    const deps = { ...h.deps, operationWaitMs: 400 };
    const { folder, ids, completed } = taskFolder(sim, 'TASK-SLOW', 150);
    const received: QueuedMessage[] = [];

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps, { intercept: (m, run) => (received.push(m), run()) });

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 } });
    // The chunks came back (their first invocation stopped waiting) and followed the same operations.
    expect(received.some((m) => (m.body as { kind: string }).kind === 'chunk' && m.receiveCount > 1)).toBe(true);
    const moves = sim.mutations().filter((m) => m.path.endsWith('/fileops/move'));
    expect(moves.map((m) => (m.body as { fileIds: number[] }).fileIds.length).sort()).toEqual([100, 50]);
    expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids);
  });
});

describe('ambiguous writes', () => {
  for (const [applied, what] of [
    [true, 'DocSpace moved the files and the proxy lost its answer'],
    [false, 'the proxy failed before DocSpace saw the request'],
  ] as const) {
    it(`sends a move whose answer was lost again at once, each file arriving and counted once, without a lookup per file (${what})`, async () => {
      let lost = 0;
      h = await startEngine({
        table,
        fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
          if (init?.method === 'PUT' && url(input).endsWith('/fileops/move') && lost === 0) {
            lost += 1;
            if (applied) await sim.fetch(input, init);
            return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
          }
          return sim.fetch(input, init);
        }) as typeof fetch,
      });
      const { sim, deps, queue } = h;
      const { folder, ids, completed } = taskFolder(sim, 'TASK-LOST', 150);
      const received: QueuedMessage[] = [];

      const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
      await queue.drain(deps, { intercept: (m, run) => (received.push(m), run()) });

      expect(lost).toBe(1);
      expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 }, errors: [] });
      expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids);
      expect(filesUnder(sim, folder)).toEqual([]);
      // The lost move was sent again with the same files by the same invocation, not after a redelivery.
      const moves = sim.mutations().filter((m) => m.path.endsWith('/fileops/move')).map((m) => (m.body as { fileIds: number[] }).fileIds);
      expect(moves.filter((fileIds) => fileIds.length === 100)).toHaveLength(applied ? 2 : 1);
      expect(Math.max(...received.map((m) => m.receiveCount))).toBe(1);
      // Settled by the operations' own results: no file was looked up one by one.
      expect(sim.requestLog().filter((r) => r.method === 'GET' && /\/files\/file\/\d+$/.test(r.path.split('?')[0]!))).toEqual([]);
    });
  }

  it('counts a file once when the move sent again finds it already in its destination, whatever DocSpace answers for it', async () => {
    // The simulator leaves such a file where it is and lists it as moved; DocSpace may instead set `error` and leave
    // it out of `files`. A fake port over the simulator's answers it that way.
    h = await startEngine({ table });
    const { sim, queue } = h;
    const real = h.deps.docspace;
    let lost = 0;
    const alreadyThere = new Set<number>();
    const docspace: FileMovesDocSpace = {
      ...real,
      readWidth: real.readWidth,
      async startMove(request) {
        if (lost === 0) {
          lost += 1;
          await real.startMove(request);
          throw new DocSpaceServerError(502, 'Bad Gateway', 'PUT', '/api/2.0/files/fileops/move');
        }
        for (const id of request.fileIds) if (sim.state.files.get(id)?.folderId === request.destFolderId) alreadyThere.add(id);
        return real.startMove(request);
      },
      async waitForOperation(operationId, options) {
        const outcome = await real.waitForOperation(operationId, options);
        if (outcome.state !== 'finished' || alreadyThere.size === 0) return outcome;
        const files = (outcome.op.files ?? []).filter((f) => !alreadyThere.has(f.id));
        return { state: 'finished', op: { ...outcome.op, files, error: 'The file is already in this folder' } };
      },
    };
    const deps = { ...h.deps, docspace };
    const { folder, ids, completed } = taskFolder(sim, 'TASK-TWICE', 150);

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps);

    expect(lost).toBe(1);
    expect(alreadyThere.size).toBe(100);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 }, errors: [] });
    expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids);
    // What the operation did not list was looked up, one read each.
    expect(sim.requestLog().filter((r) => r.method === 'GET' && /\/files\/file\/\d+$/.test(r.path.split('?')[0]!))).toHaveLength(100);
  });

  it('follows a move by its id on the next delivery when reading its status fails, never sending it a second time', async () => {
    h = await startEngine({ table });
    const { sim, queue } = h;
    const real = h.deps.docspace;
    let failedReads = 0;
    const docspace: FileMovesDocSpace = {
      ...real,
      readWidth: real.readWidth,
      async waitForOperation(operationId, options) {
        if (failedReads === 0) {
          failedReads += 1;
          throw new DocSpaceServerError(502, 'Bad Gateway', 'GET', '/api/2.0/files/fileops');
        }
        return real.waitForOperation(operationId, options);
      },
    };
    const deps = { ...h.deps, docspace };
    const { folder, ids, completed } = taskFolder(sim, 'TASK-STATUS', 150);
    const received: QueuedMessage[] = [];

    const { jobId } = await acceptFileMove(deps, 'task-complete', `T-${++seq}`, taskInput(folder, completed));
    await queue.drain(deps, { intercept: (m, run) => (received.push(m), run()) });

    expect(failedReads).toBe(1);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 }, errors: [] });
    expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids);
    // One move per chunk: the chunk whose status read failed came back and followed its operation.
    const moves = sim.mutations().filter((m) => m.path.endsWith('/fileops/move'));
    expect(moves.map((m) => (m.body as { fileIds: number[] }).fileIds.length).sort()).toEqual([100, 50]);
    expect(received.some((m) => (m.body as { kind: string }).kind === 'chunk' && m.receiveCount > 1)).toBe(true);
  });

  it('makes one folder, not two, when the answer to its creation is lost, and finishes without waiting for a redelivery', async () => {
    let lost = 0;
    h = await startEngine({
      table,
      fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
        const response = await sim.fetch(input, init);
        if (init?.method === 'POST' && /\/files\/folder\/\d+$/.test(url(input)) && lost === 0) {
          // DocSpace made the folder; the proxy lost its answer.
          lost += 1;
          return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
        }
        return response;
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 30, depth: 1, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const received: QueuedMessage[] = [];

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `A-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps, { intercept: (m, run) => (received.push(m), run()) });

    expect(lost).toBe(1);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 30, done: 30, failed: 0 } });
    const titled = [...sim.state.childFolderIds(archiveRoot)].map((id) => sim.state.folders.get(id)!.title);
    expect(titled).toEqual(['Acme']);
    expect(Math.max(...received.map((m) => m.receiveCount))).toBe(1);
  });
});
