import { JOB_STALE_MS, type FileMoveDeps, type FileMoveInput, type FileMoveWorkflow } from './model';

export interface Accepted {
  jobId: string;
}

/**
 * Creates the job for a business event once and queues its planning. A repeated event gets the same job:
 * a failed job is resumed (a new run moves what is still in the source, so nothing moves twice), and so is a
 * "running" one that has shown no progress for JOB_STALE_MS (its messages died in the DLQ); a queued one is
 * re-queued (covering a crash between "created" and "queued"; only one planner claims the run); a live or
 * succeeded one is left alone.
 */
export async function acceptFileMove(
  deps: Pick<FileMoveDeps, 'store' | 'queue' | 'counters' | 'log'> & { now?: () => number },
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
  if (job.status === 'failed' || job.status === 'running') {
    const resumed = await deps.store.resume(job, (deps.now ?? Date.now)() - JOB_STALE_MS);
    if (resumed) {
      deps.log.info('failed job resumed by a repeated event', { jobId: job.jobId, run: resumed.run });
      await deps.queue.send([{ body: { kind: 'plan', jobId: job.jobId, run: resumed.run } }]);
    }
  } else if (job.status === 'queued') {
    await deps.queue.send([{ body: { kind: 'plan', jobId: job.jobId, run: job.run } }]);
  }
  return { jobId: job.jobId };
}
