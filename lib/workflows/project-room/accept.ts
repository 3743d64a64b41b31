import {
  STALE_RUNNING_MS,
  roomTitle,
  type ProjectEvent,
  type ProjectRoomDeps,
  type ProjectRoomInput,
  type ProjectRoomMessage,
} from './model';

/**
 * Creates the job for a project once (keyed by projectId) and queues it. A repeated event gets the same job;
 * a failed job is resumed (its new run reports the room an earlier run recorded, or looks for the room by title
 * before creating one, so it never makes a second one), a queued one is queued again (covering a crash between
 * "created" and "queued").
 */
export async function acceptProject(
  deps: Pick<ProjectRoomDeps, 'store' | 'queue' | 'counters' | 'log' | 'now'>,
  event: ProjectEvent,
): Promise<{ jobId: string }> {
  const input: ProjectRoomInput = { ...event, title: roomTitle(event) };
  const { job, created } = await deps.store.createOnce('project-room', event.projectId, input);
  if (created) {
    deps.counters.count('JobsStarted');
    await deps.queue.send([{ body: { jobId: job.jobId, run: job.run } satisfies ProjectRoomMessage }]);
    deps.log.info('project room job created', { jobId: job.jobId, projectId: event.projectId });
    return { jobId: job.jobId };
  }
  deps.counters.count('DuplicateDeliveries');
  if (job.status === 'failed') {
    const resumed = await deps.store.resume(job);
    if (resumed) {
      deps.log.info('failed project room job resumed by a repeated event', { jobId: job.jobId, run: resumed.run });
      await deps.queue.send([{ body: { jobId: job.jobId, run: resumed.run } satisfies ProjectRoomMessage }]);
    }
  } else if (
    job.status === 'queued' ||
    (job.status === 'running' && (deps.now ?? Date.now)() - Date.parse(job.updatedAt) > STALE_RUNNING_MS)
  ) {
    // The worker tolerates extra messages: the lease, the job status and the title search make them no-ops.
    await deps.queue.send([{ body: { jobId: job.jobId, run: job.run } satisfies ProjectRoomMessage }]);
  }
  return { jobId: job.jobId };
}
