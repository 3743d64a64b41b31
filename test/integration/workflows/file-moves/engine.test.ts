import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { acceptFileMove, fileMoveMessageSchema, handleFileMoveMessage } from '../../../../lib/workflows/file-moves';
import { resolveDestinationRoot } from '../../../../lib/workflows/file-moves/destination';
import { acceptTaskComplete } from '../../../../lib/workflows/task-complete';
import { startTable, type TestTable } from '../../../support/dynamo';
import { roomGuest, archiveRootIn, buildNestedRoom, dealInput, filesUnder, pathOf, startEngine, type EngineHarness } from './harness';

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

function movedIdsIn(mutations: Array<{ method: string; path: string; body: unknown }>): number[] {
  return mutations
    .filter((m) => m.method === 'PUT' && m.path.endsWith('/files/fileops/move'))
    .flatMap((m) => (m.body as { fileIds: number[] }).fileIds);
}

describe('file moves against the simulator', () => {
  it('moves every file of a nested room exactly once into a mirror of its folders, then removes the guest', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 300, depth: 3, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    // A same-titled file already waits in the destination: it must stay, untouched, beside the moved one.
    const existingAcme = sim.addFolder(archiveRoot, 'Acme');
    const existingContracts = sim.addFolder(existingAcme, 'Contracts');
    const bystander = sim.addFile(existingContracts, 'document-0-0.docx');
    const guest = roomGuest(sim, room.roomId);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    const view = await deps.store.view(jobId);
    expect(view).toMatchObject({ status: 'succeeded', progress: { total: 300, done: 300, failed: 0 }, errors: [] });
    expect(view!.result).toMatchObject({ archiveFolderId: existingAcme, guestRevoked: true });

    const archived = filesUnder(sim, existingAcme);
    for (const id of room.fileIds) {
      const file = archived.find((f) => f.id === id);
      expect(file, `file ${id}`).toBeDefined();
      expect(pathOf(sim, file!.folderId, existingAcme)).toBe(room.pathOfFile.get(id));
    }
    expect(archived).toHaveLength(301);
    expect(sim.state.files.get(bystander)).toMatchObject({ folderId: existingContracts, version: 1 });
    expect(filesUnder(sim, room.roomId)).toEqual([]);
    expect([...sim.state.childFolderIds(archiveRoot)].map((id) => sim.state.folders.get(id)!.title)).toEqual(['Acme']);

    const mutations = sim.mutations();
    const moved = movedIdsIn(mutations);
    expect(moved.sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
    const lastMove = Math.max(...mutations.filter((m) => m.path.endsWith('/fileops/move')).map((m) => m.seq));
    const revoke = mutations.filter((m) => m.path.endsWith(`/files/rooms/${room.roomId}/share`));
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.seq).toBeGreaterThan(lastMove);
    expect(sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
    expect(queue.dlq).toEqual([]);
  });

  it('runs the same deal delivered five times at once as one job with one archive folder', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 120, depth: 2, width: 3 });
    const archiveRoot = archiveRootIn(sim);
    const dealId = `D-${++seq}`;

    const accepted = await Promise.all(
      Array.from({ length: 5 }, () => acceptFileMove(deps, 'deal-archive', dealId, dealInput(room.roomId, archiveRoot))),
    );
    await queue.drain(deps);

    expect(new Set(accepted.map((a) => a.jobId)).size).toBe(1);
    expect(sim.state.childFolderIds(archiveRoot).size).toBe(1);
    const moved = movedIdsIn(sim.mutations());
    expect(moved).toHaveLength(120);
    expect(new Set(moved).size).toBe(120);
    expect(await deps.store.view(accepted[0]!.jobId)).toMatchObject({ status: 'succeeded', progress: { done: 120 } });
  });

  it('runs two different deals on one room one after the other, so no file is moved by both', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 150, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const other = { ...dealInput(room.roomId, archiveRoot), destination: { kind: 'named-child' as const, parentId: archiveRoot, title: 'Acme Holding' } };

    const [first, second] = await Promise.all([
      acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot)),
      acceptFileMove(deps, 'deal-archive', `D-${++seq}`, other),
    ]);
    await queue.drain(deps);

    const moved = movedIdsIn(sim.mutations());
    expect(moved.sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
    const views = [(await deps.store.view(first.jobId))!, (await deps.store.view(second.jobId))!];
    expect(views.map((v) => v.status)).toEqual(['succeeded', 'succeeded']);
    // One of them found the room already empty.
    expect(views.map((v) => v.progress.total).sort((a, b) => a - b)).toEqual([0, 150]);
  });

  it('creates one archive folder when two jobs for the same client race', async () => {
    h = await startEngine({ table });
    const { sim, deps } = h;
    const archiveRoot = archiveRootIn(sim);
    const destination = { kind: 'named-child' as const, parentId: archiveRoot, title: 'Acme' };
    const ids = await Promise.all(
      Array.from({ length: 5 }, () =>
        resolveDestinationRoot(deps.docspace, deps.leases, destination, { sleep: (ms) => new Promise((r) => setTimeout(r, ms / 10)) }),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    expect(sim.state.childFolderIds(archiveRoot).size).toBe(1);
  });

  it('fails naming exactly the files DocSpace would not move, keeps the guest, and finishes the rest on re-delivery', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 120, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const guest = sim.addUser({ displayName: 'Gil Guest', type: 'guest' });
    sim.shareRoom(room.roomId, guest, 2);
    const stuck = [room.fileIds[3]!, room.fileIds[50]!, room.fileIds[119]!];
    sim.setFaults({ failFileIds: stuck });
    const dealId = `D-${++seq}`;

    const { jobId } = await acceptFileMove(deps, 'deal-archive', dealId, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    const failed = await deps.store.view(jobId);
    expect(failed).toMatchObject({ status: 'failed', progress: { total: 120, done: 117, failed: 3 } });
    expect(failed!.errors.map((e) => e.fileId).sort((a, b) => a! - b!)).toEqual([...stuck].sort((a, b) => a - b));
    expect(failed!.errors.every((e) => /simulated failure/.test(e.reason))).toBe(true);
    expect(sim.mutations().some((m) => m.path.includes('/share'))).toBe(false);
    expect(sim.state.shares.get(room.roomId)?.has(guest)).toBe(true);

    sim.setFaults({ failFileIds: [] });
    sim.clearMutations();
    const again = await acceptFileMove(deps, 'deal-archive', dealId, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    expect(again.jobId).toBe(jobId);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 120, done: 120, failed: 0 }, errors: [] });
    expect(movedIdsIn(sim.mutations()).sort((a, b) => a - b)).toEqual([...stuck].sort((a, b) => a - b));
    expect(filesUnder(sim, room.roomId)).toEqual([]);
    expect(sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
  });

  it('neither loses nor double-counts a chunk whose worker died after starting the move', async () => {
    let crashes = 0;
    h = await startEngine({
      table,
      // The first two moves reach DocSpace, then the connection dies before the answer: the worker sees an
      // ambiguous failure, as if its Lambda had been killed mid-chunk, and SQS redelivers the message.
      fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
        const response = await sim.fetch(input, init);
        if (init?.method === 'PUT' && String(input).includes('/fileops/move') && crashes < 2) {
          crashes += 1;
          throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        }
        return response;
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 250, depth: 1, width: 1 });
    const archiveRoot = archiveRootIn(sim);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps);

    expect(crashes).toBe(2);
    const job = await deps.store.get(jobId);
    expect(job).toMatchObject({ status: 'succeeded', progress: { total: 250, done: 250, failed: 0 } });
    const state = job!.state as { chunkCount: number; chunksDone: number };
    expect(state.chunksDone).toBe(state.chunkCount);
    const archived = filesUnder(sim, (job!.result as { archiveFolderId: number }).archiveFolderId);
    expect(archived.map((f) => f.id).sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
  });

  it('queues the finalizer from a redelivered chunk when the worker died right after counting it', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 30, depth: 0, width: 0 });
    const archiveRoot = archiveRootIn(sim);
    const send = queue.send.bind(queue);
    let dropped = 0;
    queue.send = async (messages) => {
      if (dropped === 0 && messages.some((m) => (m.body as { kind: string }).kind === 'finalize')) {
        dropped += 1;
        throw new Error('Lambda timed out before SendMessageBatch');
      }
      return send(messages);
    };

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps);

    expect(dropped).toBe(1);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 30, done: 30, failed: 0 } });
  });

  it('loses and duplicates nothing through 429 storms and 5xx answers', async () => {
    h = await startEngine({ table, simulator: { faults: { rate429: 0.2, rate5xx: 0.02 }, seed: 7 } });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 200, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps);

    const view = await deps.store.view(jobId);
    const archiveFolderId = (view!.result as { archiveFolderId: number }).archiveFolderId;
    const archived = filesUnder(sim, archiveFolderId).map((f) => f.id);
    const left = filesUnder(sim, room.roomId).map((f) => f.id);
    // Every file is in exactly one place, and the job says which ones did not make it.
    expect([...archived, ...left].sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
    expect(view!.errors.map((e) => e.fileId).sort()).toEqual(left.sort());
    expect(view!.status).toBe(left.length === 0 ? 'succeeded' : 'failed');
    expect(sim.state.childFolderIds(archiveRoot).size).toBe(1);
    expect(h.client.stats.retries).toBeGreaterThan(0);
  });

  it('plans a 20 000-file room folder by folder: no step makes more than a few dozen DocSpace requests', async () => {
    // Each message's requests are counted by the invocation that handles it.
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
    const room = buildNestedRoom(sim, { files: 20_000, depth: 2, width: 5 });
    const archiveRoot = archiveRootIn(sim);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps, { concurrency: 12, intercept: (m, run) => invocation.run(m.messageId, run) });

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 20_000, done: 20_000, failed: 0 } });
    expect(filesUnder(sim, room.roomId)).toEqual([]);
    expect(movedIdsIn(sim.mutations())).toHaveLength(20_000);
    // Listing the room alone takes over 200 requests (31 folders of ~650 files, pages of 100): no step does that.
    expect(Math.max(...requests.values())).toBeLessThan(60);
  }, 60_000);

  it('mirrors same-titled subfolders of two task folders closed at the same moment into one Completed subfolder', async () => {
    // Folder creation answers slowly, so both jobs look into Completed before either has created anything.
    h = await startEngine({
      table,
      fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
        if (init?.method === 'POST' && /\/files\/folder\/\d+$/.test(String(input))) await new Promise((r) => setTimeout(r, 50));
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

    await Promise.all(
      taskFolders.map((folder, t) => acceptTaskComplete(deps, { taskId: `TASK-${7 + t}`, status: 'closed', docsFolderId: folder }, { completedFolderId: completed })),
    );
    await queue.drain(deps);

    const titled = (parent: number, title: string) => [...sim.state.childFolderIds(parent)].filter((id) => sim.state.folders.get(id)!.title === title);
    const [invoices] = titled(completed, 'Invoices');
    expect(titled(completed, 'Invoices')).toHaveLength(1);
    expect(titled(invoices!, 'Paid')).toHaveLength(1);
    expect(filesUnder(sim, completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids.sort((a, b) => a - b));
  });

  it('moves each file once when a chunk is delivered twice at the same moment, and revokes the guest after the last move', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 300, depth: 1, width: 1 });
    const archiveRoot = archiveRootIn(sim);
    const guest = sim.addUser({ displayName: 'Gus Guest', type: 'guest' });
    sim.shareRoom(room.roomId, guest, 2);

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot, guest));
    let twins = 0;
    await queue.drain(deps, {
      intercept: async (m, run) => {
        // SQS may hand out a message twice; here every chunk's second copy starts while the first is moving.
        if ((m.body as { kind: string }).kind === 'chunk' && m.receiveCount === 1 && !m.messageId.endsWith('-twin')) {
          twins += 1;
          const twin = { ...m, messageId: `${m.messageId}-twin` };
          await Promise.all([run(), new Promise((r) => setTimeout(r, 2)).then(() => handleFileMoveMessage(deps, fileMoveMessageSchema.parse(twin.body), twin))]);
          return;
        }
        await run();
      },
    });

    expect(twins).toBe(4);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 300, done: 300, failed: 0 } });
    const mutations = sim.mutations();
    const moved = movedIdsIn(mutations);
    expect(moved.sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
    const revoke = mutations.find((m) => m.path.endsWith(`/files/rooms/${room.roomId}/share`));
    expect(revoke!.seq).toBeGreaterThan(Math.max(...mutations.filter((m) => m.path.endsWith('/fileops/move')).map((m) => m.seq)));
  });

  it('re-sends what a folder scan found when its worker died after recording the scan, before queuing it', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 150, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const send = queue.send.bind(queue);
    let dropped = 0;
    queue.send = async (messages) => {
      if (dropped < 2 && messages.some((m) => (m.body as { kind: string }).kind === 'chunk')) {
        dropped += 1;
        throw new Error('Lambda timed out before SendMessageBatch');
      }
      return send(messages);
    };

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot));
    await queue.drain(deps);

    expect(dropped).toBe(2);
    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 } });
    expect(movedIdsIn(sim.mutations())).toHaveLength(150);
    expect(queue.dlq).toEqual([]);
  });

  it('counts a folder scan whose worker died after claiming its settle, before counting it, on the scan\'s redelivery', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 150, depth: 2, width: 2 });
    const archiveRoot = archiveRootIn(sim);
    const realSend = table.ddb.send.bind(table.ddb);
    let died = 0;
    // The root scan's settle: its marker is claimed, then the worker dies before the counts reach the job.
    const spy = vi.spyOn(table.ddb, 'send').mockImplementation((async (command: { input?: { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, unknown> } }) => {
      const values = command.input?.ExpressionAttributeValues;
      if (died === 0 && command.input?.UpdateExpression?.includes('ADD #state.#pending') && (values?.[':total'] as number) > 0) {
        died += 1;
        throw new Error('Lambda timed out');
      }
      return realSend(command as never);
    }) as never);
    try {
      const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(room.roomId, archiveRoot));
      await queue.drain(deps);

      expect(died).toBe(1);
      expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 } });
      expect(movedIdsIn(sim.mutations()).sort((a, b) => a - b)).toEqual([...room.fileIds].sort((a, b) => a - b));
      expect(queue.dlq).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails naming a folder it was refused, keeps the guest, and finishes that folder on re-delivery once it is readable', async () => {
    let refused: number | undefined;
    h = await startEngine({
      table,
      fetch: (sim) => (async (input: string | URL | Request, init?: RequestInit) => {
        const { pathname } = new URL(String(input));
        if ((init?.method ?? 'GET') === 'GET' && pathname === `/api/2.0/files/${refused}`) {
          const body = { error: { message: 'ErrorMessage_SecurityException_ReadFolder' }, status: 1, statusCode: 403 };
          return new Response(JSON.stringify(body), { status: 403, headers: { 'content-type': 'application/json' } });
        }
        return sim.fetch(input, init);
      }) as typeof fetch,
    });
    const { sim, deps, queue } = h;
    const room = buildNestedRoom(sim, { files: 90, depth: 2, width: 2 });
    refused = room.folderIds[0];
    const hidden = filesUnder(sim, refused!).map((f) => f.id);
    const archiveRoot = archiveRootIn(sim);
    const guest = sim.addUser({ displayName: 'Greta Guest', type: 'guest' });
    sim.shareRoom(room.roomId, guest, 2);
    const dealId = `D-${++seq}`;

    const { jobId } = await acceptFileMove(deps, 'deal-archive', dealId, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    const failed = await deps.store.view(jobId);
    expect(failed!.status).toBe('failed');
    expect(failed!.errors.map((e) => e.reason).join('\n')).toContain(`folder ${refused} could not be scanned`);
    expect(filesUnder(sim, room.roomId).map((f) => f.id).sort((a, b) => a - b)).toEqual(hidden.sort((a, b) => a - b));
    expect(sim.state.shares.get(room.roomId)?.has(guest)).toBe(true);

    refused = undefined;
    await acceptFileMove(deps, 'deal-archive', dealId, dealInput(room.roomId, archiveRoot, guest));
    await queue.drain(deps);

    expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 90, done: 90, failed: 0 }, errors: [] });
    expect(filesUnder(sim, room.roomId)).toEqual([]);
    expect(sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
  });

  it('fails a deal whose client room does not exist at once, without creating its archive folder', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const archiveRoot = archiveRootIn(sim);
    const missingRoom = 987_654;

    const { jobId } = await acceptFileMove(deps, 'deal-archive', `D-${++seq}`, dealInput(missingRoom, archiveRoot));
    await queue.drain(deps);

    const view = await deps.store.view(jobId);
    expect(view!.status).toBe('failed');
    expect(view!.errors.map((e) => e.reason).join('\n')).toMatch(/could not start.*404/s);
    expect(sim.state.childFolderIds(archiveRoot).size).toBe(0);
    expect(sim.mutations()).toEqual([]);
    expect(queue.dlq).toEqual([]);
  });

  it('ignores a task whose status is not closed and moves a closed one into Completed', async () => {
    h = await startEngine({ table });
    const { sim, deps, queue } = h;
    const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');
    const taskFolder = sim.addFolder(sim.addRoom({ title: 'Tasks' }), 'TASK-1');
    const ids = Array.from({ length: 25 }, (_, i) => sim.addFile(taskFolder, `note-${i}.txt`));

    expect(await acceptTaskComplete(deps, { taskId: 'TASK-1', status: 'in_progress', docsFolderId: taskFolder }, { completedFolderId: completed })).toEqual({
      ignored: true,
    });
    expect(queue.pending).toEqual([]);

    const outcome = await acceptTaskComplete(deps, { taskId: 'TASK-1', status: 'Closed', docsFolderId: taskFolder }, { completedFolderId: completed });
    await queue.drain(deps);
    expect(outcome).toHaveProperty('jobId');
    expect([...sim.state.childFileIds(completed)].sort((a, b) => a - b)).toEqual(ids);
  });
});
