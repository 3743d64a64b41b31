import { isFinished, startFileOperation, waitForOperation } from '../../docspace/fileops';
import { listFolder } from '../../docspace/folders';
import { LeaseHeldError } from '../../jobs/lease';
import type { JobError } from '../../jobs/store';
import { LAST_CHUNK_ATTEMPT, SOURCE_LEASE_MS, fileMoveInputSchema, sourceLease, type FileMoveDeps } from './model';
import { allChunksCounted, describeError, isTransient, recordedPlan } from './progress';

/**
 * Moves one chunk and counts it once. The move uses Duplicate (DocSpace's default, Skip, silently leaves a
 * same-titled file behind; Overwrite would turn the file already there into an old version of this one), is
 * awaited by operation id, and a file counts as moved only when it has left its source folder and DocSpace
 * reported it moved, or the destination folder holds it.
 *
 * A chunk may arrive more than once (SQS redelivery after a crash or a timeout, or a duplicate send). Every
 * attempt after the first starts by looking at the destination, so files an earlier attempt moved are not
 * moved again; only the latest attempt may finish the chunk, and the count on the job is guarded by a
 * conditional write, so the chunk counts once.
 */
export async function moveChunk(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; index: number },
  receiveCount: number,
): Promise<void> {
  const { jobId, run, index } = message;
  const job = await deps.store.get(jobId);
  if (!job || job.run !== run || job.status !== 'running') return;
  const plan = recordedPlan(job);
  // Chunk messages are only sent once a plan is recorded; the plan on the job is the truth.
  if (!plan || index >= plan.chunkCount) return;
  const input = fileMoveInputSchema.parse(job.input);

  const chunk = await deps.chunks.startAttempt(jobId, run, plan.token, index);
  if (!chunk) {
    // Finished already: SQS delivered it again, or the attempt that finished it died before counting it or
    // before queuing the finalizer. Whatever it left undone is done here, once.
    await settle(deps, jobId, run, plan.token, index);
    return;
  }

  const wanted = new Map(chunk.files.map((f) => [f.id, f]));
  const moved = new Set<number>();
  const reasons = new Map<number, string>();
  const lastChance = receiveCount >= LAST_CHUNK_ATTEMPT;

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
  // Only the latest attempt's findings count: an attempt overtaken by a redelivery reports nothing.
  await deps.chunks.finish(jobId, run, plan.token, index, chunk.attempts, { done: moved.size, failed: errors.length, errors });
  await settle(deps, jobId, run, plan.token, index);
}

/**
 * Reports a finished chunk: its error entries (idempotent puts), its count on the job (once), and the
 * finalizer when it was the last. Safe to repeat, which is how a crash between these steps is repaired.
 */
async function settle(deps: FileMoveDeps, jobId: string, run: number, token: string, index: number): Promise<void> {
  const chunk = await deps.chunks.get(jobId, run, token, index);
  // Not finished: another attempt is still at it (or died), and its message will come back.
  if (!chunk || chunk.status !== 'done' || !chunk.outcome) return;
  if (chunk.errors?.length) await deps.store.recordErrors(jobId, run, chunk.errors);
  const counted = await deps.chunks.count(jobId, run, index, chunk.outcome);
  if (counted) {
    deps.counters.count('FilesMoved', chunk.outcome.done);
    if (chunk.outcome.failed) deps.counters.count('FilesFailed', chunk.outcome.failed);
  }
  const job = counted ?? (await deps.store.get(jobId));
  if (job && job.run === run && job.status === 'running' && allChunksCounted(job)) {
    await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
  }
}

async function move(
  deps: FileMoveDeps,
  chunk: { destFolderId: number; sourceFolderId?: number; attempts: number },
  wanted: Map<number, { id: number; title: string }>,
  moved: Set<number>,
  reasons: Map<number, string>,
  lastChance: boolean,
): Promise<void> {
  if (chunk.attempts > 1) {
    // An earlier attempt may have moved part of the chunk before it died; those files are already done.
    for (const id of await idsIn(deps, chunk.destFolderId, wanted)) moved.add(id);
  }
  const toMove = [...wanted.keys()].filter((id) => !moved.has(id));
  if (toMove.length === 0) return;

  let operationError = '';
  const reported = new Set<number>();
  try {
    const started = await startFileOperation(deps.docspace, 'move', {
      fileIds: toMove,
      destFolderId: chunk.destFolderId,
      conflictResolveType: 'Duplicate',
    });
    const outcome = isFinished(started) ? { state: 'finished' as const, op: started } : await waitForOperation(deps.docspace, started.id);
    if (outcome.state === 'finished') {
      operationError = outcome.op.error ?? '';
      for (const file of outcome.op.files ?? []) reported.add(file.id);
    }
  } catch (error) {
    // A transient failure goes back to SQS (the next attempt checks the destination first); a permanent one
    // (403, 404) is the reason for whatever did not move.
    if (isTransient(error) && !lastChance) throw error;
    operationError = describeError(error);
  }

  // What DocSpace reports is not enough on its own: a vanished result says nothing, `error` names only the
  // last failure, and a skipped file is not mentioned at all. A file still in its source folder did not move;
  // one that left it moved if DocSpace reported it, and otherwise only if the destination holds it.
  let unresolved = toMove;
  if (chunk.sourceFolderId !== undefined) {
    const stillThere = new Set(await idsIn(deps, chunk.sourceFolderId, wanted));
    unresolved = [];
    for (const id of toMove) {
      if (stillThere.has(id)) continue;
      if (reported.has(id)) moved.add(id);
      else unresolved.push(id);
    }
  }
  if (unresolved.length > 0) for (const id of await idsIn(deps, chunk.destFolderId, wanted)) moved.add(id);
  for (const id of toMove) {
    if (!moved.has(id)) reasons.set(id, operationError || 'DocSpace finished the move without moving this file');
  }
}

async function idsIn(deps: FileMoveDeps, folderId: number, wanted: Map<number, unknown>): Promise<number[]> {
  const { files } = await listFolder(deps.docspace, folderId);
  return files.map((f) => f.id).filter((id) => wanted.has(id));
}
