import { DocSpaceOperationTimeoutError } from '../../docspace/errors';
import { isFinished, startFileOperation, type OperationOutcome } from '../../docspace/fileops';
import { listFolder } from '../../docspace/folders';
import { folderStep, treeStep, type TreeMove } from '../../jobs/chunks';
import type { JobError } from '../../jobs/store';
import { LeaseHeldError } from '../../jobs/lease';
import { ensureFolders, titleLease, treeOwner, TITLE_RESERVATION_MS } from './destination';
import { followOperation } from './locate';
import { LAST_ATTEMPT, MAX_TREE, type FileMoveDeps } from './model';
import { describeError, isLive, isTransient, oneAtATime, pendingSteps } from './progress';
import { folderParent, listSubtree } from './subtree';

/** The step that adds a subtree's files to the job's total once they are listed. */
const plannedStep = (run: number, sourceFolderId: number) => `${run}#P${sourceFolderId}`;

type TreeMessage = { jobId: string; run: number; sourceFolderId: number; destFolderId: number; title: string };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Moves a source folder with its whole subtree in one DocSpace operation (NOTES 3.2), instead of mirroring its
 * folders one create at a time and moving its files a hundred at a time. The scan chose it because no sibling
 * shares its title and the destination has no folder of that title, so it arrives as it was.
 *
 * The per-file account stays exact: the subtree's files are listed and recorded before the move, and after it
 * the destination's copy of the folder and whatever is left of it in the source are listed. A planned file
 * found in the destination moved; one left in the source is handed to an ordinary scan of the remnant (mirrored
 * into the moved folder, moved a hundred at a time, with Duplicate), which counts it; one found in neither is
 * reported by name.
 *
 * The scan reserved the folder's title under the destination until the move is done (destination.ts
 * `titleLease`), so no job of ours makes a folder of that title there meanwhile, and the move uses Duplicate, so nothing is ever overwritten: should a
 * person have made one by hand, DocSpace gives the moved folder a free title, `name (1)` (NOTES 3.2), and every
 * file still arrives. The move may be sent again when its answer is lost: a folder already where it is asked to
 * go is not moved again.
 *
 * A subtree over MAX_TREE is not moved whole: it gets a mirror and an ordinary scan (whose subfolders may move
 * whole), so every step lists a bounded number of folders.
 */
export async function moveFolderWhole(deps: FileMoveDeps, message: TreeMessage, receiveCount: number): Promise<void> {
  const { jobId, run, sourceFolderId } = message;
  if (!isLive(await deps.store.get(jobId), run)) return;
  await oneAtATime(deps, `tree:${jobId}:${run}:${sourceFolderId}`, receiveCount, async () => {
    let tree = await deps.chunks.getTree(jobId, run, sourceFolderId);
    if (tree?.status === 'done') return settleTree(deps, message);
    const lastChance = receiveCount >= LAST_ATTEMPT;

    if (!tree) {
      let before;
      try {
        before = await listSubtree(deps.docspace, sourceFolderId, MAX_TREE);
      } catch (error) {
        if (isTransient(error) && !lastChance) throw error;
        // Unreadable: the scan that takes over records the folder it could not list, and the job fails saying so.
        before = undefined;
      }
      if (!before) {
        await releaseTitle(deps, message);
        const [mirror] = await ensureFolders(deps.docspace, deps.leases, message.destFolderId, [message.title]);
        await deps.chunks.finishTree(message, 'create', {
          destParentId: message.destFolderId,
          title: message.title,
          outcome: { total: 0, done: 0, failed: 0 },
          errors: [],
          then: { sourceFolderId, destFolderId: mirror! },
        });
        return settleTree(deps, message);
      }
      await deps.chunks.writeTree(jobId, run, sourceFolderId, {
        destParentId: message.destFolderId,
        title: message.title,
        files: before.files.map((f) => ({ id: f.id, title: f.title })),
      });
    }


    tree = await deps.chunks.startTreeAttempt(jobId, run, sourceFolderId);
    if (!tree) return settleTree(deps, message);
    const planned = await deps.chunks.treeFiles(tree);
    // The subtree's files count in the job's total as soon as they are known, as a scan's do (once: a marker).
    await deps.chunks.settle(jobId, run, plannedStep(run, sourceFolderId), { pending: 0, total: planned.length });

    let outcome: OperationOutcome | undefined;
    let operationError = '';
    try {
      outcome = await moveOnce(deps, tree);
    } catch (error) {
      // Still running past this invocation's wait: the next delivery follows it by its id.
      if (error instanceof DocSpaceOperationTimeoutError && !lastChance) throw error;
      if (isTransient(error) && !lastChance) throw error;
      operationError = describeError(error);
    }
    // The folder is in (or the move is over): the title is free for others to find it.
    await releaseTitle(deps, message);
    if (outcome?.state === 'finished') operationError ||= outcome.op.error ?? '';

    // After: where the folder is now, what arrived, and what is left in the source.
    const parent = await folderParent(deps.docspace, sourceFolderId);
    let resultId: number | undefined = outcome?.state === 'finished' ? outcome.op.folders?.[0]?.id : undefined;
    if (resultId === undefined && parent === message.destFolderId) resultId = sourceFolderId;
    if (resultId === undefined) {
      // The result was not read (lost, or forgotten by DocSpace): the folder the move made or merged into is the
      // oldest of its title in the destination (the lease kept other jobs from making another meanwhile).
      resultId = (await listFolder(deps.docspace, message.destFolderId)).folders
        .filter((f) => f.title.toLowerCase() === message.title.toLowerCase())
        .sort((a, b) => a.id - b.id)[0]?.id;
    }
    const arrived = new Set(resultId !== undefined ? (await listSubtree(deps.docspace, resultId))!.files.map((f) => f.id) : []);
    const remnant = parent !== undefined && parent !== message.destFolderId;
    const left = new Set(remnant ? (await listSubtree(deps.docspace, sourceFolderId))!.files.map((f) => f.id) : []);

    const errors: JobError[] = [];
    let done = 0;
    for (const file of planned) {
      if (arrived.has(file.id)) done += 1;
      else if (!left.has(file.id)) {
        errors.push({
          fileId: file.id,
          title: file.title,
          reason: `not found in the destination or the source after its folder was moved${operationError ? `: ${operationError}` : ''}`,
          ...(resultId !== undefined ? { destFolderId: resultId } : {}),
        });
      }
    }
    let then: TreeMove['then'];
    if (remnant) {
      const destFolderId = resultId ?? (await ensureFolders(deps.docspace, deps.leases, message.destFolderId, [message.title]))[0]!;
      then = { sourceFolderId, destFolderId };
    }
    // The total already holds every planned file; those left in the source are counted again by the scan of the
    // remnant, so they leave it here.
    const leftPlanned = planned.filter((f) => left.has(f.id) && !arrived.has(f.id)).length;
    await deps.chunks.finishTree(message, tree.attempts, {
      destParentId: message.destFolderId,
      title: message.title,
      outcome: { total: -leftPlanned, done, failed: errors.length },
      errors,
      ...(then ? { then } : {}),
    });
    await settleTree(deps, message);
  });
}

/**
 * Sends the move (or follows the one an earlier attempt started). A move whose answer is lost is asked again
 * at once rather than left to the queue: a repeat moves nothing twice (the folder is where it is) and, with
 * Duplicate, overwrites nothing.
 */
async function moveOnce(deps: FileMoveDeps, tree: TreeMove): Promise<OperationOutcome> {
  const sleep = deps.sleep ?? realSleep;
  if (tree.attempts > 1 && tree.operationId) {
    const earlier = await followOperation(deps, tree.operationId);
    if (earlier.state === 'finished') return earlier;
  }
  const reservation = titleLease(tree.destParentId, tree.title);
  const owner = treeOwner(tree.jobId, tree.run, tree.sourceFolderId);
  try {
    // Renews the title's reservation (made by the scan); only a move stalled past it finds it taken, and then
    // DocSpace names the folder `title (1)` rather than mixing it into another's.
    await deps.leases.acquire(reservation, owner, TITLE_RESERVATION_MS);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const started = await startFileOperation(deps.docspace, 'move', {
        fileIds: [],
        folderIds: [tree.sourceFolderId],
        destFolderId: tree.destParentId,
        conflictResolveType: 'Duplicate',
      });
      const outcome = isFinished(started) ? { state: 'finished' as const, op: started } : undefined;
      if (!outcome) await deps.chunks.recordTreeOperation(tree, started.id);
      return outcome ?? (await followOperation(deps, started.id));
    } catch (error) {
      if (error instanceof DocSpaceOperationTimeoutError || !isTransient(error) || attempt >= 3) throw error;
      await sleep(500 * attempt);
    }
  }
}

function releaseTitle(deps: FileMoveDeps, message: TreeMessage): Promise<void> {
  return deps.leases.release(titleLease(message.destFolderId, message.title), treeOwner(message.jobId, message.run, message.sourceFolderId));
}

/**
 * Reports a finished whole-folder move once: its error entries, its counts, the scan of its remnant (counted as
 * a pending step in the same update that removes this one), and the finalizer when it was the run's last step.
 * Safe to repeat after a crash at any point.
 */
async function settleTree(deps: FileMoveDeps, message: TreeMessage): Promise<void> {
  const { jobId, run, sourceFolderId } = message;
  const tree = await deps.chunks.getTree(jobId, run, sourceFolderId);
  if (!tree || tree.status !== 'done' || !tree.outcome) return;
  if (tree.errors?.length) await deps.store.recordErrors(jobId, run, tree.errors);
  const then = tree.then ?? undefined;
  const settled = await deps.chunks.settle(jobId, run, treeStep(run, sourceFolderId), { pending: then ? 0 : -1, ...tree.outcome });
  if (settled) {
    deps.counters.count('FilesMoved', tree.outcome.done);
    if (tree.outcome.failed) deps.counters.count('FilesFailed', tree.outcome.failed);
  }
  if (then) {
    const scanStep = folderStep(run, then.sourceFolderId);
    if (settled || !(await deps.chunks.settledAmong(jobId, [scanStep])).has(scanStep)) {
      await deps.queue.send([{ body: { kind: 'folder', jobId, run, sourceFolderId: then.sourceFolderId, destFolderId: then.destFolderId } }]);
    }
  }
  const job = settled ?? (await deps.store.get(jobId));
  if (isLive(job, run) && pendingSteps(job) === 0) await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
}
