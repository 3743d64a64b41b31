import { acceptJob, type Accepted, type JobRuns } from '../../jobs/accept';
import { JOB_STALE_MS, type FileMoveDeps, type FileMoveInput, type FileMoveWorkflow } from './model';

export type { Accepted };

/** A run of a file move starts by planning; a stale running job is one whose chunks stopped renewing its lease. */
export const fileMoveRuns: JobRuns = {
  start: (job) => ({ kind: 'plan', jobId: job.jobId, run: job.run }),
  staleAfterMs: JOB_STALE_MS,
};

/** Workflows 1 and 2 accept their events through the one protocol of lib/jobs/accept.ts. */
export async function acceptFileMove(
  deps: Pick<FileMoveDeps, 'store' | 'queue' | 'counters' | 'log'> & { now?: () => number },
  workflow: FileMoveWorkflow,
  businessKey: string,
  input: FileMoveInput,
): Promise<Accepted> {
  const { jobId } = await acceptJob(deps, { workflow, businessKey, input }, fileMoveRuns);
  return { jobId };
}
