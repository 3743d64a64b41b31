import type { FolderDto } from '../../docspace/schemas';
import { CallbackFailedError, CallbackRefusedError } from '../../callback/client';
import { MalformedJobError, projectRoomResult } from '../../jobs/job';
import type { Job } from '../../jobs/store';
import type { Outcome } from './create-room';
import {
  projectRoomInputSchema,
  type ProjectRoomDeps,
  type ProjectRoomResult,
  type ProjectRoomSettings,
  type ProjectRoomTiming,
} from './model';
import { messageOf } from '../../errors';

function roomWebUrl(portalUrl: string, room: FolderDto): string {
  const given = (room as { webUrl?: unknown }).webUrl;
  if (typeof given === 'string' && given) return given;
  return `${portalUrl.replace(/\/+$/, '')}/rooms/shared/${room.id}/filter?folder=${room.id}`;
}

export async function recordRoom(
  deps: ProjectRoomDeps,
  settings: ProjectRoomSettings,
  job: Job,
  outcome: Extract<Outcome, { kind: 'room' }>,
): Promise<Job | undefined> {
  const result: ProjectRoomResult = {
    roomId: outcome.room.id,
    title: outcome.room.title,
    webUrl: roomWebUrl(settings.portalUrl, outcome.room),
  };
  const recorded = await deps.store.transition(job.jobId, ['running'], 'running', { run: job.run, result });
  if (recorded) {
    if (outcome.created) deps.counters.count('RoomsCreated');
    deps.log.info('project room ready', { jobId: job.jobId, roomId: result.roomId, created: outcome.created });
  }
  return recorded;
}

export async function failJob(deps: ProjectRoomDeps, job: Job, reason: string): Promise<void> {
  await deps.store.recordErrors(job.jobId, job.run, [{ reason }]);
  // One unit of work, the room and its report: progress reads like every other job's.
  const failed = await deps.store.transition(job.jobId, ['queued', 'running'], 'failed', {
    run: job.run,
    progress: { total: 1, done: 0, failed: 1 },
  });
  if (failed) {
    deps.counters.count('JobsFailed');
    deps.log.warn('project room job failed', { jobId: job.jobId, reason });
  }
}

/**
 * Reports the room to the project system and only then ends the job `succeeded`: the report is part of the
 * work. A failure the callback port could not get past is retried by SQS redelivering the message (the job stays
 * running, its room in the result). A refused URL, a rejecting answer, or a failure on the last delivery fails
 * the job with the reason; the room stays in the result, and the same project event sent again resumes the job,
 * which then only reports.
 */
export async function report(deps: ProjectRoomDeps, job: Job, receiveCount: number, timing: ProjectRoomTiming): Promise<void> {
  if (deps.callback) {
    const input = projectRoomInputSchema.parse(job.input);
    const room = projectRoomResult(job);
    // Only a job whose room is recorded is reported (handleProjectRoomMessage).
    if (!room) throw new MalformedJobError(job.jobId, 'result', 'holds no room to report');
    const { roomId, title, webUrl } = room;
    try {
      await deps.callback({ projectId: input.projectId, jobId: job.jobId, roomId, title, webUrl }, job.jobId);
    } catch (error) {
      // Anything unexpected (not a typed callback error) is presumed transient.
      const retryable = error instanceof CallbackFailedError ? error.retryable : !(error instanceof CallbackRefusedError);
      const message = messageOf(error);
      if (retryable && receiveCount < timing.lastAttempt) {
        deps.log.warn('callback not delivered yet; SQS will redeliver', { jobId: job.jobId, receiveCount, reason: message });
        throw error;
      }
      return failJob(deps, job, `callback to PROJECT_CALLBACK_URL not delivered: ${message}`);
    }
  }
  const done = await deps.store.transition(job.jobId, ['running'], 'succeeded', { run: job.run, progress: { total: 1, done: 1, failed: 0 } });
  if (done) deps.counters.count('JobsSucceeded');
}
