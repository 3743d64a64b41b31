import { acceptJob, type JobRuns } from '../../jobs/accept';
import { STALE_RUNNING_MS, roomTitle, type ProjectEvent, type ProjectRoomDeps, type ProjectRoomInput, type ProjectRoomMessage } from './model';

/**
 * A run of a project job creates (or finds, by its title) the room and reports it; a new run after a failure
 * reports the room an earlier run recorded, or looks for it by title before creating one, so it never makes a
 * second room.
 */
export const projectRoomRuns: JobRuns = {
  start: (job) => ({ jobId: job.jobId, run: job.run }) satisfies ProjectRoomMessage,
  staleAfterMs: STALE_RUNNING_MS,
};

/** Workflow 4 accepts a project event (keyed by projectId) through the one protocol of lib/jobs/accept.ts. */
export async function acceptProject(
  deps: Pick<ProjectRoomDeps, 'store' | 'queue' | 'counters' | 'log' | 'now'>,
  event: ProjectEvent,
): Promise<{ jobId: string }> {
  const input: ProjectRoomInput = { ...event, title: roomTitle(event) };
  const { jobId } = await acceptJob(deps, { workflow: 'project-room', businessKey: event.projectId, input }, projectRoomRuns);
  return { jobId };
}
