import { setTimeout as realSleep } from 'node:timers/promises';
import { DocSpaceOperationTimeoutError } from '../../docspace/errors';
import { folderStep, treeStep, type NextStep, type TreeMove } from '../../jobs/chunks';
import type { JobError } from '../../jobs/store';
import { LeaseHeldError } from '../../jobs/lease';
import { ensureFolders, titleLease, treeOwner, TITLE_RESERVATION_MS } from './destination';
import { isFinished, type OperationOutcome } from './docspace-port';
import { followOperation } from './locate';
import { LAST_ATTEMPT, MAX_TREE, type FileMoveDeps } from './model';
import { describeError, isTransient } from './failures';
import { oneAtATime } from './one-at-a-time';
import { isLive } from './run-state';
import { finalizeIfLast, treeMessage } from './steps';
import { folderParent, listSubtree, type Subtree } from './subtree';

/** The step that adds a subtree's files to the job's total once they are listed. */
const plannedStep = (run: number, sourceFolderId: number, n: number) => `${run}#P${sourceFolderId}${n > 1 ? `x${n}` : ''}`;

type TreeMessage = {
  jobId: string;
  run: number;
  sourceFolderId: number;
  destFolderId: number;
  folders: Array<{ sourceFolderId: number; title: string }>;
};


/**
 * Moves sibling source folders with their whole subtrees in one DocSpace operation (NOTES 3.2), instead of
 * mirroring their folders one create at a time and moving their files a hundred at a time. The scan chose them
 * because no sibling shares their titles and the destination has no folder of those titles, so they arrive as
 * they were.
 *
 * The per-file account stays exact: the subtrees' files are listed and recorded before the move, and after it
 * each folder's copy in the destination and whatever is left of it in the source are listed. A planned file
 * found in the destination moved; one left in the source is handed to an ordinary scan of the remnant (mirrored
 * into the moved folder, moved a hundred at a time, with Duplicate), which counts it; one found in neither is
 * reported by name.
 *
 * The scan reserved the folders' titles under the destination until the move is done (destination.ts
 * `titleLease`), so no job of ours makes a folder of those titles there meanwhile, and the move uses Duplicate,
 * so nothing is ever overwritten: should a person have made one by hand, DocSpace gives the moved folder a free
 * title, `name (1)` (NOTES 3.2), and every file still arrives. The move may be sent again when its answer is
 * lost: a folder already where it is asked to go is not moved again.
 *
 * Subtrees over MAX_TREE together are not moved at once: a group is packed into smaller ones (splitUp), and a
 * single folder over it gets a mirror and an ordinary scan (whose subfolders may move whole), so every step
 * lists a bounded number of folders.
 */
export async function moveFolderWhole(deps: FileMoveDeps, message: TreeMessage, receiveCount: number): Promise<void> {
  const { jobId, run, sourceFolderId } = message;
  const n = message.folders.length;
  if (!isLive(await deps.store.get(jobId), run)) return;
  await oneAtATime(deps, `tree:${jobId}:${treeStep(run, sourceFolderId, n)}`, receiveCount, async () => {
    let tree = await deps.chunks.getTree(jobId, run, sourceFolderId, n);
    if (tree?.status === 'done') return settleTree(deps, message);
    const lastChance = receiveCount >= LAST_ATTEMPT;

    // The planned files: listed here on a first attempt, read back from the tree's record on a later one.
    let listed: Array<{ id: number; title: string }> | undefined;
    if (!tree) {
      let subtrees: Array<Subtree | undefined> | undefined;
      try {
        // Listed side by side, each against the cap of one step.
        subtrees = await Promise.all(message.folders.map((f) => listSubtree(deps.docspace, f.sourceFolderId, MAX_TREE)));
      } catch (error) {
        if (isTransient(error) && !lastChance) throw error;
        // Unreadable: the scans that take over record the folders they could not list, and the job fails saying so.
        subtrees = undefined;
      }
      const folders = subtrees?.reduce((sum, t) => sum + (t ? t.folders + 1 : Infinity), 0) ?? Infinity;
      const files = subtrees?.reduce((sum, t) => sum + (t ? t.files.length : Infinity), 0) ?? Infinity;
      if (folders > MAX_TREE.folders || files > MAX_TREE.files) return splitUp(deps, message, subtrees);
      listed = subtrees!.flatMap((t) => t!.files.map((f) => ({ id: f.id, title: f.title })));
      await deps.chunks.writeTree(jobId, run, sourceFolderId, { destParentId: message.destFolderId, folders: message.folders, files: listed });
    }

    tree = await deps.chunks.startTreeAttempt(jobId, run, sourceFolderId, n);
    if (!tree) return settleTree(deps, message);
    const planned = listed ?? (await deps.chunks.treeFiles(tree));
    // The subtrees' files count in the job's total as soon as they are known, as a scan's do (once: a marker),
    // while the move runs; it is in before this step settles, so the total never trails what is done.
    const counted = deps.chunks.settle(jobId, run, plannedStep(run, sourceFolderId, n), { pending: 0, total: planned.length });
    // Awaited below; should the step fail before that, its redelivery settles the same marker again.
    counted.catch(() => undefined);

    let outcome: OperationOutcome | undefined;
    let operationError = '';
    try {
      outcome = await moveOnce(deps, tree);
    } catch (error) {
      // Still running past this invocation's wait: the next delivery follows it by its id.
      if (isTransient(error) && !lastChance) {
        await counted.catch(() => undefined);
        throw error;
      }
      operationError = describeError(error);
    }
    // The folders are in (or the move is over): the titles are free for others to find them (while the
    // destination is read below).
    const released = releaseTitles(deps, message);
    released.catch(() => undefined);
    if (outcome?.state === 'finished') operationError ||= outcome.op.error ?? '';

    // After: where each folder is now, what arrived, and what is left in the source.
    const results = outcome?.state === 'finished' ? (outcome.op.folders ?? []).map((f) => f.id) : [];
    let destListing: Array<{ id: number; title: string }> | undefined;
    const arrived = new Set<number>();
    const left = new Set<number>();
    const next: NextStep[] = [];
    await Promise.all(
      message.folders.map(async (f, i) => {
        // A move DocSpace reports finished without an error, naming every folder, left nothing behind (NOTES 3.2:
        // a failed item sets `error`); otherwise where the folder is now is asked.
        const clean = outcome?.state === 'finished' && !operationError && results.length === message.folders.length;
        const parent = clean ? message.destFolderId : await folderParent(deps.docspace, f.sourceFolderId);
        let resultId: number | undefined = clean ? results[i] : parent === message.destFolderId ? f.sourceFolderId : undefined;
        if (resultId === undefined) {
          // The result was not read (lost, or forgotten by DocSpace): the folder the move made is the oldest of
          // its title in the destination (its title was reserved, so no job of ours made another).
          destListing ??= (await deps.docspace.listFolder(message.destFolderId)).folders;
          resultId = destListing
            .filter((d) => d.title.toLowerCase() === f.title.toLowerCase())
            .sort((a, b) => a.id - b.id)[0]?.id;
        }
        if (resultId !== undefined) for (const file of (await listSubtree(deps.docspace, resultId))!.files) arrived.add(file.id);
        if (parent !== undefined && parent !== message.destFolderId) {
          for (const file of (await listSubtree(deps.docspace, f.sourceFolderId))!.files) left.add(file.id);
          const destFolderId = resultId ?? (await ensureFolders(deps.docspace, deps.leases, message.destFolderId, [f.title]))[0]!;
          next.push({ kind: 'folder', sourceFolderId: f.sourceFolderId, destFolderId });
        }
      }),
    );

    const errors: JobError[] = [];
    let done = 0;
    for (const file of planned) {
      if (arrived.has(file.id)) done += 1;
      else if (!left.has(file.id)) {
        errors.push({
          fileId: file.id,
          title: file.title,
          reason: `not found in the destination or the source after its folder was moved${operationError ? `: ${operationError}` : ''}`,
          // Marks the entry as this step's finding (the finalizer keeps it), never a folder the file could be in.
          destFolderId: message.destFolderId,
        });
      }
    }
    // The total already holds every planned file; those left in the source are counted again by the scans of
    // the remnants, so they leave it here.
    const leftPlanned = planned.filter((f) => left.has(f.id) && !arrived.has(f.id)).length;
    await Promise.all([counted, released]);
    const counts = { total: -leftPlanned, done, failed: errors.length };
    const finished = await deps.chunks.finishTree(message, tree.attempts, { destParentId: message.destFolderId, folders: message.folders, outcome: counts, errors, next });
    // Only the attempt that recorded the outcome settles it from memory; otherwise the recorded one is read.
    await settleTree(deps, message, finished ? { outcome: counts, errors, next } : undefined);
  });
}

/**
 * A group whose subtrees are over MAX_TREE together is packed into smaller groups that fit, recorded with the
 * listings already made (so they are not listed again); a folder over it alone gets a mirror and an ordinary
 * scan, as does one that could not be listed. Recorded as this step's outcome, so it happens once.
 */
async function splitUp(deps: FileMoveDeps, message: TreeMessage, subtrees: Array<Subtree | undefined> | undefined): Promise<void> {
  const { jobId, run } = message;
  const next: NextStep[] = [];
  const bins: Array<{ folders: TreeMessage['folders']; files: Array<{ id: number; title: string }>; size: number; count: number }> = [];
  for (const [i, f] of message.folders.entries()) {
    const sub = subtrees?.[i];
    if (!sub || message.folders.length === 1) {
      await releaseTitles(deps, { ...message, folders: [f] });
      const [mirror] = await ensureFolders(deps.docspace, deps.leases, message.destFolderId, [f.title]);
      next.push({ kind: 'folder', sourceFolderId: f.sourceFolderId, destFolderId: mirror! });
      continue;
    }
    const size = sub.folders + 1;
    const bin = bins.find((b) => b.size + size <= MAX_TREE.folders && b.count + sub.files.length <= MAX_TREE.files);
    if (bin) {
      bin.folders.push(f);
      bin.files.push(...sub.files);
      bin.size += size;
      bin.count += sub.files.length;
    } else {
      bins.push({ folders: [f], files: [...sub.files], size, count: sub.files.length });
    }
  }
  for (const bin of bins) next.push({ kind: 'tree', sourceFolderId: bin.folders[0]!.sourceFolderId, destFolderId: message.destFolderId, folders: bin.folders });
  await Promise.all(
    bins.map((bin) =>
      deps.chunks.writeTree(jobId, run, bin.folders[0]!.sourceFolderId, {
        destParentId: message.destFolderId,
        folders: bin.folders,
        files: bin.files.map((f) => ({ id: f.id, title: f.title })),
      }),
    ),
  );
  await deps.chunks.finishTree(message, 'create', {
    destParentId: message.destFolderId,
    folders: message.folders,
    outcome: { total: 0, done: 0, failed: 0 },
    errors: [],
    next,
  });
  return settleTree(deps, message);
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
  await Promise.all(
    tree.folders.map(async (f) => {
      try {
        // Renews the title's reservation (made by the scan); only a move stalled past it finds it taken, and then
        // DocSpace names the folder `title (1)` rather than mixing it into another's.
        await deps.leases.acquire(titleLease(tree.destParentId, f.title), treeOwner(tree.jobId, tree.run, f.sourceFolderId), TITLE_RESERVATION_MS);
      } catch (error) {
        if (!(error instanceof LeaseHeldError)) throw error;
      }
    }),
  );
  for (let attempt = 1; ; attempt++) {
    try {
      const started = await deps.docspace.startMove({
        fileIds: [],
        folderIds: tree.folders.map((f) => f.sourceFolderId),
        destFolderId: tree.destParentId,
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

async function releaseTitles(deps: FileMoveDeps, message: TreeMessage): Promise<void> {
  await Promise.all(
    message.folders.map((f) => deps.leases.release(titleLease(message.destFolderId, f.title), treeOwner(message.jobId, message.run, f.sourceFolderId))),
  );
}

/**
 * Reports a finished whole-folder move once: its error entries, its counts, the scan of its remnant (counted as
 * a pending step in the same update that removes this one), and the finalizer when it was the run's last step.
 * Safe to repeat after a crash at any point.
 */
async function settleTree(
  deps: FileMoveDeps,
  message: TreeMessage,
  recorded?: { outcome: NonNullable<TreeMove['outcome']>; errors: JobError[]; next: NextStep[] },
): Promise<void> {
  const { jobId, run, sourceFolderId } = message;
  const tree = recorded ?? (await deps.chunks.getTree(jobId, run, sourceFolderId, message.folders.length));
  if (!tree || ('status' in tree && tree.status !== 'done') || !tree.outcome) return;
  const { outcome } = tree;
  if (tree.errors?.length) await deps.store.recordErrors(jobId, run, tree.errors);
  const next = tree.next ?? [];
  const stepOf = (n: NextStep) => (n.kind === 'folder' ? folderStep(run, n.sourceFolderId) : treeStep(run, n.sourceFolderId, n.folders.length));
  const sendNext = async (settledSince: Set<string>) => {
    if (next.length === 0) return;
    await deps.queue.send(
      next
        .filter((n) => !settledSince.has(stepOf(n)))
        .map((n) => ({
          body: n.kind === 'folder' ? { kind: 'folder', jobId, run, sourceFolderId: n.sourceFolderId, destFolderId: n.destFolderId } : treeMessage(jobId, run, n.destFolderId, n.folders),
        })),
    );
  };
  const settled = await deps.chunks.settle(jobId, run, treeStep(run, sourceFolderId, message.folders.length), { pending: next.length - 1, ...outcome }, async (job) => {
    await sendNext(new Set());
    await finalizeIfLast(deps, job, run);
  });
  if (settled) {
    deps.counters.count('FilesMoved', outcome.done);
    if (outcome.failed) deps.counters.count('FilesFailed', outcome.failed);
  } else {
    // Counted before (this is a redelivery): what it queued may have been lost with the invocation that counted it.
    if (next.length) await sendNext(await deps.chunks.settledAmong(jobId, next.map(stepOf)));
    await finalizeIfLast(deps, await deps.store.get(jobId), run);
  }
}
