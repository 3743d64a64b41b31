import { afterEach, expect, it } from 'vitest';
import { acceptFileMove } from '../../../../lib/workflows/file-moves';
import { FakeFileMovesPortal } from './fake-docspace';
import { startEngine, taskInput, type EngineHarness } from './harness';

/*
 * The engine over an in-memory DocSpace port (the harness's tables and queue, a fake in place of the simulator):
 * cases the simulator does not produce on request, such as a move DocSpace reports finished, without an error,
 * while it left a file where it was.
 */

let h: EngineHarness | undefined;
let seq = 0;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function taskOver(files: number) {
  h = await startEngine();
  const portal = new FakeFileMovesPortal();
  const tasks = portal.folder(0, 'Tasks');
  const folder = portal.folder(tasks, `TASK-${++seq}`);
  const completed = portal.folder(portal.folder(0, 'Operations'), 'Completed');
  const ids = Array.from({ length: files }, (_, i) => portal.file(folder, `scan-${i}.pdf`));
  return { portal, deps: { ...h.deps, docspace: portal }, queue: h.queue, tasks, folder, completed, ids };
}

it('fails the job naming the file a finished move left behind without an error, and the one someone moved elsewhere meanwhile', async () => {
  const { portal, deps, queue, tasks, folder, completed, ids } = await taskOver(150);
  const elsewhere = portal.folder(tasks, 'Elsewhere');
  portal.skipped.add(ids[3]!);
  portal.movedAway.set(ids[120]!, elsewhere);

  const { jobId } = await acceptFileMove(deps, 'task-complete', `T-fake-${seq}`, taskInput(folder, completed));
  await queue.drain(deps);

  expect(await deps.store.view(jobId)).toMatchObject({
    status: 'failed',
    progress: { total: 150, done: 148, failed: 2 },
    errors: [
      { fileId: ids[3], title: 'scan-3.pdf', reason: 'DocSpace finished the move without moving this file' },
      { fileId: ids[120], title: 'scan-120.pdf', reason: `the file was moved elsewhere (folder ${elsewhere}) while the job ran` },
    ],
  });
  expect(portal.filesIn(completed)).toHaveLength(148);
  expect(portal.filesIn(folder).map((f) => f.id)).toEqual([ids[3]]);
  // One move per chunk, never sent again for the file DocSpace would not move.
  expect(portal.calls.startMove).toBe(2);
  expect(queue.dlq).toEqual([]);
});

it('judges a move whose result vanished by where its files are: every file counted once, none moved twice', async () => {
  const { portal, deps, queue, folder, completed, ids } = await taskOver(150);
  portal.loseResults = 1;

  const { jobId } = await acceptFileMove(deps, 'task-complete', `T-fake-${seq}`, taskInput(folder, completed));
  await queue.drain(deps);

  expect(portal.loseResults).toBe(0);
  expect(await deps.store.view(jobId)).toMatchObject({ status: 'succeeded', progress: { total: 150, done: 150, failed: 0 }, errors: [] });
  expect(portal.filesIn(completed).map((f) => f.id).sort((a, b) => a - b)).toEqual(ids);
  expect(portal.calls.startMove).toBe(2);
  // Only the chunk whose result vanished was looked up, one read per file.
  expect(portal.calls.getFile).toBe(100);
});
