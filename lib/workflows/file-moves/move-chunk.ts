import { DocSpaceError } from '../../docspace/errors';
import { startFileOperation, waitForOperation } from '../../docspace/fileops';
import { listFolder } from '../../docspace/folders';
import type { JobError } from '../../jobs/store';
import { LAST_CHUNK_ATTEMPT, SOURCE_LEASE_MS, fileMoveInputSchema, sourceLease, type FileMoveDeps } from './model';
import { allChunksCounted } from './progress';

/**
 * Moves one chunk and counts it once. The move uses Duplicate (DocSpace's default, Skip, silently leaves a
 * same-titled file behind; Overwrite would destroy the file already there), is awaited by operation id, and
 * what DocSpace reports is checked against the destination before a file counts as moved.
 */
export async function moveChunk(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; index: number },
  receiveCount: number,
): Promise<void> {
  const { jobId, run, index } = message;
  const job = await deps.store.get(jobId);
  if (!job || job.run !== run || job.status !== 'running') return;
  const input = fileMoveInputSchema.parse(job.input);

  const chunk = await deps.chunks.startAttempt(jobId, run, index);
  if (!chunk) {
    // Already counted: SQS delivered it again. If the worker that counted it died before queuing the
    // finalizer, this redelivery is what queues it.
    if (allChunksCounted(job)) await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
    return;
  }
  await deps.leases.acquire(sourceLease(input.sourceFolderId), jobId, SOURCE_LEASE_MS);

  const wanted = new Map(chunk.files.map((f) => [f.id, f]));
  const moved = new Set<number>();
  if (chunk.attempts > 1) {
    // An earlier attempt may have moved part of the chunk before it died; those files are already done.
    for (const id of await idsIn(deps, chunk.destFolderId, wanted)) moved.add(id);
  }
  const toMove = [...wanted.keys()].filter((id) => !moved.has(id));
  const reasons = new Map<number, string>();

  if (toMove.length > 0) {
    let reported: number[] = [];
    let operationError = '';
    try {
      const op = await startFileOperation(deps.docspace, 'move', {
        fileIds: toMove,
        destFolderId: chunk.destFolderId,
        conflictResolveType: 'Duplicate',
      });
      const outcome = await waitForOperation(deps.docspace, op.id);
      if (outcome.state === 'finished') {
        reported = (outcome.op.files ?? []).map((f) => f.id);
        operationError = outcome.op.error ?? '';
      }
    } catch (error) {
      const retryable = error instanceof DocSpaceError ? error.retryable : true;
      if (retryable && receiveCount < LAST_CHUNK_ATTEMPT) throw error;
      operationError = error instanceof Error ? error.message : String(error);
    }
    for (const id of reported) if (wanted.has(id)) moved.add(id);
    if (toMove.some((id) => !moved.has(id))) {
      // Not reported as moved: the result vanished, the operation failed for some files, or DocSpace skipped
      // them without saying so. The destination is the truth.
      for (const id of await idsIn(deps, chunk.destFolderId, wanted)) moved.add(id);
    }
    for (const id of toMove) {
      if (!moved.has(id)) reasons.set(id, operationError || 'DocSpace finished the move without moving this file');
    }
  }

  const errors: JobError[] = [...reasons].map(([fileId, reason]) => ({ fileId, title: wanted.get(fileId)!.title, reason }));
  if (errors.length) await deps.store.recordErrors(jobId, run, errors);
  const counted = await deps.chunks.complete(jobId, run, index, { done: moved.size, failed: errors.length });
  if (!counted) return;
  deps.counters.count('FilesMoved', moved.size);
  if (errors.length) deps.counters.count('FilesFailed', errors.length);
  if (allChunksCounted(counted)) await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
}

async function idsIn(deps: FileMoveDeps, folderId: number, wanted: Map<number, unknown>): Promise<number[]> {
  const { files } = await listFolder(deps.docspace, folderId);
  return files.map((f) => f.id).filter((id) => wanted.has(id));
}
