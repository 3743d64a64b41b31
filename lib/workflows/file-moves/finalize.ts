import { DocSpaceError } from '../../docspace/errors';
import { listTree } from '../../docspace/folders';
import { setRoomAccess } from '../../docspace/rooms';
import type { JobError } from '../../jobs/store';
import { LAST_CHUNK_ATTEMPT, fileMoveInputSchema, sourceLease, type FileMoveDeps } from './model';
import { allChunksCounted } from './progress';

/**
 * Closes a run once every chunk is counted. Only when every file has moved, and the source holds no file
 * any more, is the guest's access revoked; then the job ends succeeded. Otherwise it ends failed with the
 * reasons, keeps the guest, and a repeated event resumes it.
 */
export async function finalizeRun(
  deps: FileMoveDeps,
  message: { jobId: string; run: number },
  receiveCount: number,
): Promise<void> {
  const { jobId, run } = message;
  const job = await deps.store.get(jobId);
  if (!job || job.run !== run || job.status !== 'running' || !allChunksCounted(job)) return;
  const input = fileMoveInputSchema.parse(job.input);
  const errors: JobError[] = [];

  let clean = job.progress.failed === 0;
  if (clean) {
    const left = (await listTree(deps.docspace, input.sourceFolderId)).files;
    if (left.length > 0) {
      clean = false;
      errors.push(
        ...left.map((f) => ({ fileId: f.id, title: f.title, reason: 'still in the source after the move (added while the job ran?)' })),
      );
      await deps.store.addProgress(jobId, run, { total: left.length, failed: left.length });
    }
  }

  let guestRevoked = false;
  if (clean && input.guest) {
    try {
      guestRevoked = await revokeGuest(deps, input.guest.roomId, input.guest.userId);
      if (!guestRevoked) errors.push({ reason: `guest ${input.guest.userId} is still a member of room ${input.guest.roomId} after removal` });
    } catch (error) {
      const retryable = error instanceof DocSpaceError ? error.retryable : true;
      if (retryable && receiveCount < LAST_CHUNK_ATTEMPT) throw error;
      errors.push({ reason: `could not revoke guest ${input.guest.userId}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  if (errors.length) await deps.store.recordErrors(jobId, run, errors);
  const succeeded = clean && errors.length === 0;
  const result = { ...(job.result ?? {}), ...(input.guest ? { guestRevoked } : {}) };
  const closed = await deps.store.transition(jobId, ['running'], succeeded ? 'succeeded' : 'failed', { run, result });
  await deps.leases.release(sourceLease(input.sourceFolderId), jobId);
  if (!closed) return;
  deps.counters.count(succeeded ? 'JobsSucceeded' : 'JobsFailed');
  deps.log.info('job finished', { jobId, run, status: closed.status, progress: closed.progress });
}

/**
 * Removes the guest from the client room (access 0), which is idempotent and touches only this room, and
 * confirms it from the member list DocSpace returns: DocSpace silently drops invitations it will not apply.
 */
async function revokeGuest(deps: FileMoveDeps, roomId: number, userId: string): Promise<boolean> {
  const members = await setRoomAccess(deps.docspace, roomId, [{ id: userId, access: 0 }]);
  return !members.some((m) => m.userId === userId);
}
