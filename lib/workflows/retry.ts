import { ConflictError, NotFoundError } from '../errors';
import { meetAgain, type JobRuns } from '../jobs/accept';
import type { JobStore, Workflow } from '../jobs/store';
import type { Log } from '../log';
import type { Counters } from '../metrics';
import type { Queue } from '../queue/send';
import { fileMoveRuns } from './file-moves/accept';
import { projectRoomRuns } from './project-room/accept';
import { isJobId } from './read-api';
import { uploadCopyRuns } from './upload-copy/accept';

export interface RetryDeps {
  store: Pick<JobStore, 'get' | 'resume'>;
  queues: { fileMoves: Queue; uploadCopy: Queue; projectRoom: Queue };
  counters: Counters;
  log: Log;
}

/**
 * POST /jobs/{jobId}/retry: a failed job runs again exactly as if its event had been delivered again: the same
 * step of lib/jobs/accept.ts resumes it as a new run (moving only what is still in the source, copying what was not
 * copied, calling back for a room that exists), with a conditional write, so two retries at once make one run.
 */
export async function retryJob(deps: RetryDeps, jobId: string): Promise<{ jobId: string }> {
  if (!isJobId(jobId)) throw new NotFoundError(`job ${jobId.slice(0, 64)} not found`);
  const job = await deps.store.get(jobId);
  if (!job) throw new NotFoundError(`job ${jobId} not found`);
  if (job.status !== 'failed') {
    throw new ConflictError(
      job.status === 'succeeded' ? `job ${jobId} has succeeded; there is nothing to retry` : `job ${jobId} is ${job.status}; retry it once it has failed`,
    );
  }
  deps.log.info('operator retry', { jobId, workflow: job.workflow, run: job.run });
  deps.counters.count('JobsRetried', 1, job.workflow);
  const { runs, queue } = workflowRuns(deps.queues)[job.workflow];
  await meetAgain({ store: deps.store, queue, log: deps.log }, job, runs);
  return { jobId };
}

function workflowRuns(queues: RetryDeps['queues']): Record<Workflow, { runs: JobRuns; queue: Queue }> {
  return {
    'task-complete': { runs: fileMoveRuns, queue: queues.fileMoves },
    'deal-archive': { runs: fileMoveRuns, queue: queues.fileMoves },
    'upload-copy': { runs: uploadCopyRuns, queue: queues.uploadCopy },
    'project-room': { runs: projectRoomRuns, queue: queues.projectRoom },
  };
}
