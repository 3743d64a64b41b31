import { setTimeout as realSleep } from 'node:timers/promises';
import { DocSpaceOperationTimeoutError } from '../../docspace/errors';
import { LeaseHeldError } from '../../jobs/lease';
import type { JobError } from '../../jobs/store';
import { chunkStep, type Chunk } from '../../jobs/chunks';
import { isFinished } from './docspace-port';
import { followOperation, locateFiles } from './locate';
import { LAST_ATTEMPT, SOURCE_LEASE_MS, fileMoveInputSchema, sourceLease, type FileMoveDeps } from './model';
import { describeError, isTransient } from './failures';
import { oneAtATime } from './one-at-a-time';
import { isLive } from './run-state';
import { finalizeIfLast } from './steps';

/**
 * Moves one chunk and counts it once. The move uses Duplicate (DocSpace's default, Skip, silently leaves a
 * same-titled file behind; Overwrite would turn the file already there into an old version of this one), is
 * awaited by operation id, and a file counts as moved only when it has left its source folder and DocSpace
 * reported it moved, or the destination folder holds it.
 *
 * A chunk may arrive more than once (SQS redelivery after a crash or a timeout, or a duplicate send). One
 * invocation at a time works on it, and every attempt after the first starts by looking at the destination,
 * so no file is moved twice; only the latest attempt may finish the chunk, and it settles on the job once.
 */
export async function moveChunk(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; sourceFolderId: number; index: number },
  receiveCount: number,
): Promise<void> {
  const { jobId, run, sourceFolderId, index } = message;
  const job = await deps.store.get(jobId);
  if (!isLive(job, run)) return;
  const input = fileMoveInputSchema.parse(job.input);

  await oneAtATime(deps, `chunk:${jobId}:${run}:${sourceFolderId}:${index}`, receiveCount, async () => {
    const chunk = await deps.chunks.startAttempt(jobId, run, sourceFolderId, index);
    if (!chunk) {
      // Finished already: SQS delivered it again, or the attempt that finished it died before settling it or
      // before queuing the finalizer. Whatever it left undone is done here, once.
      await settle(deps, message);
      return;
    }

    const wanted = new Map(chunk.files.map((f) => [f.id, f]));
    const moved = new Set<number>();
    const reasons = new Map<number, string>();
    const lastChance = receiveCount >= LAST_ATTEMPT;

    let ours = true;
    try {
      // Renews this job's hold on the source room; it only fails when the lease lapsed and another job took it.
      await deps.leases.acquire(sourceLease(input.sourceFolderId), jobId, SOURCE_LEASE_MS);
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      ours = false;
    }

    if (!ours) {
      // Moving now would race the other job over the same files; this run gives them up and says so.
      for (const id of wanted.keys()) reasons.set(id, 'not moved: the source room is being processed by another job');
    } else {
      try {
        await move(deps, chunk, wanted, moved, reasons, lastChance);
      } catch (error) {
        if (!lastChance) throw error;
        // Out of retries: whatever could not be confirmed is reported with the reason. The finalizer checks these
        // against the source and the destination before the job reports them.
        for (const id of wanted.keys()) if (!moved.has(id) && !reasons.has(id)) reasons.set(id, describeError(error));
      }
    }

    const errors: JobError[] = [...reasons]
      .filter(([fileId]) => !moved.has(fileId))
      .map(([fileId, reason]) => ({ fileId, title: wanted.get(fileId)!.title, reason, destFolderId: chunk.destFolderId }));
    const outcome = { done: moved.size, failed: errors.length };
    // Only the attempt that recorded the outcome reports it from memory; otherwise the recorded one is read.
    const finished = await deps.chunks.finish(jobId, run, sourceFolderId, index, chunk.attempts, { ...outcome, errors });
    await settle(deps, message, finished ? { outcome, errors } : undefined);
  });
}

/**
 * Reports a finished chunk: its error entries (idempotent puts), its counts on the job (once), and the
 * finalizer when it was the run's last step. Safe to repeat, which is how a crash between these steps is repaired.
 */
async function settle(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; sourceFolderId: number; index: number },
  recorded?: { outcome: { done: number; failed: number }; errors: JobError[] },
): Promise<void> {
  const { jobId, run, sourceFolderId, index } = message;
  const chunk = recorded ?? (await deps.chunks.get(jobId, run, sourceFolderId, index));
  if (!chunk || ('status' in chunk && chunk.status !== 'done') || !chunk.outcome) return;
  if (chunk.errors?.length) await deps.store.recordErrors(jobId, run, chunk.errors);
  const settled = await deps.chunks.settle(jobId, run, chunkStep(run, sourceFolderId, index), { pending: -1, ...chunk.outcome }, (job) =>
    finalizeIfLast(deps, job, run),
  );
  if (settled) {
    deps.counters.count('FilesMoved', chunk.outcome.done);
    if (chunk.outcome.failed) deps.counters.count('FilesFailed', chunk.outcome.failed);
  } else {
    // Counted before (this is a redelivery): the run may still be waiting for the finalizer this step queues.
    await finalizeIfLast(deps, await deps.store.get(jobId), run);
  }
}

async function move(
  deps: FileMoveDeps,
  chunk: Chunk,
  wanted: Map<number, { id: number; title: string }>,
  moved: Set<number>,
  reasons: Map<number, string>,
  lastChance: boolean,
): Promise<void> {
  const sleep = deps.sleep ?? realSleep;
  if (chunk.attempts > 1) {
    // An earlier attempt may have moved part of the chunk before it died. The operation it started, followed by
    // its id, says what; whatever that cannot vouch for is looked up file by file.
    const earlier = chunk.operationId ? await followOperation(deps, chunk.operationId) : undefined;
    const reported = new Set(earlier?.state === 'finished' ? (earlier.op.files ?? []).map((f) => f.id) : []);
    for (const id of wanted.keys()) if (reported.has(id)) moved.add(id);
    await lookUp(deps, chunk, [...wanted.keys()].filter((id) => !moved.has(id)), moved);
  }

  let operationError = '';
  const reported = new Set<number>();
  for (let round = 1; ; round++) {
    const toMove = [...wanted.keys()].filter((id) => !moved.has(id));
    if (toMove.length === 0) return;
    let sent = false;
    try {
      const started = await deps.docspace.startMove({ fileIds: toMove, destFolderId: chunk.destFolderId });
      sent = true;
      // Recorded before waiting: an invocation that runs out of time leaves the operation to the next by its id.
      if (!isFinished(started)) await deps.chunks.recordOperation(chunk.jobId, chunk.run, chunk.sourceFolderId, chunk.index, chunk.attempts, started.id);
      const outcome = isFinished(started) ? { state: 'finished' as const, op: started } : await followOperation(deps, started.id);
      if (outcome.state === 'finished') {
        operationError = outcome.op.error ?? '';
        for (const file of outcome.op.files ?? []) reported.add(file.id);
      }
      break;
    } catch (error) {
      // A move whose answer was lost (500/502, a timeout) is sent again at once for the same files, not settled
      // by looking each one up first (a lookup per file made one lost answer cost as much as the whole chunk).
      // A move cannot duplicate a file: one the lost operation did move is already in the destination, and
      // whatever DocSpace makes of moving it there again, the check below reads where each file the new
      // operation does not list is. Lookups still come first on a later delivery, when minutes may have passed
      // and a file that arrived may since have been moved on by someone: sending it again would pull it back.
      // An operation still running past this invocation's wait goes back to the queue, whose next delivery
      // follows it by its id; other failures that persist do too, and a permanent one (403, 404) is the reason
      // for whatever did not move. Once DocSpace has answered with the operation, nothing is sent again here:
      // whatever failed after that (recording it, following it) leaves the operation, by its id, to the next
      // delivery, which follows it rather than start a second one while it may still be running.
      const retryHere = !sent && isTransient(error) && !(error instanceof DocSpaceOperationTimeoutError) && round < 3;
      if (!retryHere) {
        if (isTransient(error) && !lastChance) throw error;
        operationError = describeError(error);
        break;
      }
      await sleep(500 * round);
    }
  }

  // DocSpace's result lists the files it moved (NOTES 3.2: `files` of a move are the moved ids). What it does not
  // list (a vanished result, a skipped or failed file) is looked up one by one: the check reads in proportion to
  // the chunk, never the folder, so a folder of 10 000 files costs 100 chunks, not 100 listings of it.
  for (const id of wanted.keys()) if (reported.has(id)) moved.add(id);
  const unresolved = [...wanted.keys()].filter((id) => !moved.has(id));
  const where = await locateFiles(deps, unresolved);
  for (const id of unresolved) {
    const folderId = where.get(id);
    if (folderId === chunk.destFolderId) moved.add(id);
    else if (folderId === undefined) reasons.set(id, 'the file no longer exists');
    else if (folderId !== chunk.sourceFolderId) reasons.set(id, `the file was moved elsewhere (folder ${folderId}) while the job ran`);
    else reasons.set(id, operationError || 'DocSpace finished the move without moving this file');
  }
}

/** Adds to `moved` those of `ids` that are in the chunk's destination now. */
async function lookUp(deps: FileMoveDeps, chunk: Chunk, ids: number[], moved: Set<number>): Promise<void> {
  for (const [id, where] of await locateFiles(deps, ids)) if (where === chunk.destFolderId) moved.add(id);
}

