import { listFolder, listTree } from '../../docspace/folders';
import type { JobError } from '../../jobs/store';
import { FINALIZER_STALE_MS, LAST_ATTEMPT, fileMoveInputSchema, sourceLease, type FileMoveDeps } from './model';
import { locateFiles } from './locate';
import { describeError, isLive, isTransient, pendingSteps } from './progress';
import { revokeGuest } from './revoke-guest';

/**
 * Closes a run once every step has settled, exactly once (a conditional claim; the steps may send several
 * finalize messages). It first settles the per-file report against DocSpace itself: a file still in the source
 * did not move, whatever a chunk concluded; a file a chunk gave up on that has left the source and is in its
 * destination did move. Only when no file is left behind is the guest's access revoked, and the job ends
 * succeeded; otherwise it ends failed with the reasons, keeps the guest, and a repeated event resumes it.
 */
export async function finalizeRun(
  deps: FileMoveDeps,
  message: { jobId: string; run: number },
  context: { messageId: string; receiveCount: number },
): Promise<void> {
  const { jobId, run } = message;
  const job = await deps.store.get(jobId);
  if (!isLive(job, run) || pendingSteps(job) !== 0) return;
  const claimed = await deps.store.claimFinalize(jobId, run, context.messageId, FINALIZER_STALE_MS);
  if (!claimed) return;
  const input = fileMoveInputSchema.parse(job.input);
  const lastChance = context.receiveCount >= LAST_ATTEMPT;
  const jobErrors: JobError[] = [];
  let progress = claimed.progress;
  let unscanned = 0;

  try {
    ({ progress, unscanned } = await settleFileErrors(deps, jobId, run, input.sourceFolderId, claimed.progress));
  } catch (error) {
    if (isTransient(error) && !lastChance) throw error;
    // The counts the chunks reported stand; the job cannot be called clean without the check.
    jobErrors.push({ reason: `could not check the source for files left behind: ${describeError(error)}` });
  }

  let clean = progress.failed === 0 && unscanned === 0 && jobErrors.length === 0;
  let guestRevoked = false;
  if (clean && input.guest) {
    try {
      const revocation = await revokeGuest(deps.docspace, input.guest.roomId, input.guest.userId);
      guestRevoked = revocation.revoked;
      if (!revocation.revoked) jobErrors.push({ reason: revocation.reason });
    } catch (error) {
      if (isTransient(error) && !lastChance) throw error;
      jobErrors.push({ reason: `could not revoke guest ${input.guest.userId}: ${describeError(error)}` });
    }
    clean = guestRevoked;
  }

  if (jobErrors.length) await deps.store.recordErrors(jobId, run, jobErrors);
  const result = { ...(claimed.result ?? {}), ...(input.guest ? { guestRevoked } : {}) };
  const closed = await deps.store.transition(jobId, ['running'], clean ? 'succeeded' : 'failed', { run, result, progress });
  await deps.leases.release(sourceLease(input.sourceFolderId), jobId);
  if (!closed) return;
  deps.counters.count(clean ? 'JobsSucceeded' : 'JobsFailed');
  deps.log.info('job finished', { jobId, run, status: closed.status, progress: closed.progress });
}

/**
 * Reconciles the recorded per-file errors with where the files really are, and returns the run's final counts
 * and how many folders could not be scanned. Every planned file was counted by its chunk as done or failed, so
 * `total - failed` is what moved. The numbers are absolute, so a finalizer that repeats this after a crash
 * writes the same ones.
 */
async function settleFileErrors(
  deps: FileMoveDeps,
  jobId: string,
  run: number,
  sourceFolderId: number,
  counted: { total: number; done: number; failed: number },
): Promise<{ progress: { total: number; done: number; failed: number }; unscanned: number }> {
  const left = (await listTree(deps.docspace, sourceFolderId)).files;
  const inSource = new Set(left.map((f) => f.id));
  const errors = await deps.store.errors(jobId, run);
  const fileErrors = errors.filter((e) => e.fileId !== undefined);
  // Chunks record where a file was meant to go; entries without a destination are this step's own, from an
  // earlier attempt of it, and are recomputed below.
  const recorded = fileErrors.filter((e) => e.destFolderId !== undefined);
  const recordedIds = new Set(recorded.map((e) => e.fileId!));
  const stale = fileErrors.filter((e) => e.destFolderId === undefined && !inSource.has(e.fileId!)).map((e) => e.fileId!);
  if (stale.length) await deps.store.deleteErrors(jobId, run, stale);

  // Gave up on, yet gone from the source: look where it was meant to go.
  const gone = recorded.filter((e) => !inSource.has(e.fileId!));
  const byDest = new Map<number, Set<number>>();
  for (const e of gone) {
    const ids = byDest.get(e.destFolderId!) ?? new Set<number>();
    ids.add(e.fileId!);
    byDest.set(e.destFolderId!, ids);
  }
  const movedAfterAll: number[] = [];
  const where = await locateFiles(deps, gone.map((e) => e.fileId!));
  for (const [destFolderId, ids] of byDest) for (const id of ids) if (where.get(id) === destFolderId) movedAfterAll.push(id);
  if (movedAfterAll.length) {
    await deps.store.deleteErrors(jobId, run, movedAfterAll);
    deps.log.info('files reported as failed had moved after all', { jobId, run, files: movedAfterAll.length });
  }

  // Still in the source without a recorded reason: added to the room while the job ran (the plan never saw them).
  const unplanned = left.filter((f) => !recordedIds.has(f.id));
  if (unplanned.length) {
    await deps.store.recordErrors(
      jobId,
      run,
      unplanned.map((f) => ({ fileId: f.id, title: f.title, reason: 'still in the source after the move (added while the job ran?)' })),
    );
  }

  const failed = recorded.length - movedAfterAll.length + unplanned.length;
  const total = counted.total + unplanned.length;
  return { progress: { total, done: total - failed, failed }, unscanned: errors.filter((e) => e.folderId !== undefined).length };
}
