import { ConflictError, NotFoundError } from '../errors';
import type { JobStore } from '../jobs/store';
import type { Log } from '../log';
import type { Counters } from '../metrics';
import type { Queue } from '../queue/send';
import { acceptFileMove } from './file-moves/accept';
import { fileMoveInputSchema } from './file-moves/model';
import { acceptProject, projectEventSchema } from './project-room';
import { isJobId } from './read-api';
import { acceptUploadJob } from './upload-copy/accept';

export interface RetryDeps {
  store: Pick<JobStore, 'get' | 'createOnce' | 'resume'>;
  queues: { fileMoves: Queue; uploadCopy: Queue; projectRoom: Queue };
  counters: Counters;
  log: Log;
}

/**
 * POST /jobs/{jobId}/retry: a failed job runs again exactly as if its event had been delivered again, through
 * the workflow's own accept path with the job's stored business key and input. That path resumes the failed
 * job as a new run (moving only what is still in the source, copying what was not copied, calling back for a
 * room that exists) with a conditional write, so two retries at once make one run.
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
  deps.counters.count('JobsRetried');
  // To the accept path a retry looks like a repeated event; it is not one, so it is not counted as one.
  const counters: Counters = { count: (name, value) => name !== 'DuplicateDeliveries' && deps.counters.count(name, value) };
  const base = { store: deps.store as JobStore, counters, log: deps.log };
  switch (job.workflow) {
    case 'task-complete':
    case 'deal-archive':
      await acceptFileMove({ ...base, queue: deps.queues.fileMoves }, job.workflow, job.businessKey, fileMoveInputSchema.parse(job.input));
      break;
    case 'upload-copy':
      await acceptUploadJob({ ...base, queue: deps.queues.uploadCopy }, job.businessKey, job.input);
      break;
    case 'project-room':
      await acceptProject({ ...base, queue: deps.queues.projectRoom }, projectEventSchema.parse(job.input));
      break;
  }
  return { jobId };
}
