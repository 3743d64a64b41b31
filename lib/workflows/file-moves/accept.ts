import type { FileMoveDeps, FileMoveInput, FileMoveWorkflow } from './model';

export interface Accepted {
  jobId: string;
}

/**
 * Creates the job for a business event once and queues its planning. A repeated event gets the same job:
 * a failed job is resumed (a new run moves what is still in the source), a queued one is re-queued (covering
 * a crash between "created" and "queued"; the planner tolerates duplicates), anything else is left alone.
 */
export async function acceptFileMove(
  deps: Pick<FileMoveDeps, 'store' | 'queue' | 'counters' | 'log'>,
  workflow: FileMoveWorkflow,
  businessKey: string,
  input: FileMoveInput,
): Promise<Accepted> {
  const { job, created } = await deps.store.createOnce(workflow, businessKey, input);
  if (created) {
    deps.counters.count('JobsStarted');
    await deps.queue.send([{ body: { kind: 'plan', jobId: job.jobId, run: job.run } }]);
    deps.log.info('job created', { jobId: job.jobId, workflow });
    return { jobId: job.jobId };
  }
  deps.counters.count('DuplicateDeliveries');
  if (job.status === 'failed') {
    const resumed = await deps.store.resume(job);
    if (resumed) {
      deps.log.info('failed job resumed by a repeated event', { jobId: job.jobId, run: resumed.run });
      await deps.queue.send([{ body: { kind: 'plan', jobId: job.jobId, run: resumed.run } }]);
    }
  } else if (job.status === 'queued') {
    await deps.queue.send([{ body: { kind: 'plan', jobId: job.jobId, run: job.run } }]);
  }
  return { jobId: job.jobId };
}
