import { folderStep } from '../../jobs/chunks';
import { LeaseHeldError } from '../../jobs/lease';
import { resolveDestinationRoot } from './destination';
import { LAST_ATTEMPT, LEASE_RETRY_DELAY_SECONDS, SOURCE_LEASE_MS, fileMoveInputSchema, sourceLease, type FileMoveDeps, type FileMoveInput } from './model';
import { describeError, isTransient } from './failures';
import { oneAtATime } from './one-at-a-time';
import { isLive } from './run-state';
import { fileMoveResult, fileMoveState, type FileMoveResult } from '../../jobs/job';
import type { Job } from '../../jobs/store';

/**
 * Starts one run of a file-move job: takes the source room (two jobs on one room never run at once), resolves
 * the destination root (/Archive/<Client> found or created once), and queues the scan of the source root,
 * from which the rest of the room is planned folder by folder (scan.ts). Repeating it is harmless: the run
 * starts once, and the root's scan is queued again only while it has not settled.
 */
export async function planRun(deps: FileMoveDeps, jobId: string, run: number, receiveCount = 1): Promise<void> {
  const job = await deps.store.get(jobId);
  if (!job || job.run !== run || (job.status !== 'queued' && job.status !== 'running')) return;
  const input = fileMoveInputSchema.parse(job.input);
  // Duplicate deliveries of a deal each queue a start; one works, the others stand back at once.
  await oneAtATime(deps, `plan:${jobId}:${run}`, receiveCount, () => startRun(deps, jobId, run, receiveCount, input));
}

async function startRun(deps: FileMoveDeps, jobId: string, run: number, receiveCount: number, input: FileMoveInput): Promise<void> {
  // Read again under the step's lease: another delivery may have started the run meanwhile.
  let job: Job | undefined = await deps.store.get(jobId);
  if (!job || job.run !== run || (job.status !== 'queued' && job.status !== 'running')) return;
  try {
    await deps.leases.acquire(sourceLease(input.sourceFolderId), jobId, SOURCE_LEASE_MS);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    deps.log.info('source room busy with another job; starting later', { jobId, sourceFolderId: input.sourceFolderId });
    await deps.queue.send([{ body: { kind: 'plan', jobId, run }, delaySeconds: LEASE_RETRY_DELAY_SECONDS }]);
    return;
  }

  try {
    if (job.status === 'queued') {
      // A source that cannot be read (a wrong clientRoomId, no access) fails the job before anything is created
      // under the archive root: otherwise a mistyped deal leaves an empty /Archive/<Client> behind.
      await deps.docspace.folderPath(input.sourceFolderId);
      const destRootId = await resolveDestinationRoot(deps.docspace, deps.leases, input.destination);
      const result = withDestination(fileMoveResult(job), input.resultKey, destRootId);
      job = (await deps.store.startFileMoveRun(jobId, run, destRootId, result)) ?? (await deps.store.get(jobId));
    }
    const destRootId = job && fileMoveState(job)?.destRootId;
    if (!isLive(job, run) || destRootId === undefined) return;
    const rootStep = folderStep(run, input.sourceFolderId);
    if ((await deps.chunks.settledAmong(jobId, [rootStep])).has(rootStep)) return;
    await deps.queue.send([{ body: { kind: 'folder', jobId, run, sourceFolderId: input.sourceFolderId, destFolderId: destRootId } }]);
  } catch (error) {
    // A 404 or 403 will not heal by itself; fail now, and a repeated event (after fixing access) resumes the job.
    if (isTransient(error) && receiveCount < LAST_ATTEMPT) throw error;
    // Out of retries: end the run failed, so that the job is not left waiting with nothing queued and a
    // repeated event can resume it.
    deps.log.error('the run could not start', { jobId, run, error: describeError(error) });
    await deps.store.recordErrors(jobId, run, [{ reason: `the run could not start: ${describeError(error)}` }]);
    const closed = await deps.store.transition(jobId, ['queued', 'running'], 'failed', { run });
    await deps.leases.release(sourceLease(input.sourceFolderId), jobId);
    if (closed) deps.counters.count('JobsFailed');
  }
}

/** The job's result with the run's destination root under the name the input asks for (kept from earlier runs otherwise). */
function withDestination(earlier: FileMoveResult | undefined, resultKey: FileMoveInput['resultKey'], destRootId: number): FileMoveResult {
  return resultKey === 'archiveFolderId' ? { ...earlier, archiveFolderId: destRootId } : { ...earlier, completedFolderId: destRootId };
}
