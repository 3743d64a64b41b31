import { fileMoveState } from '../../jobs/job';
import type { Job } from '../../jobs/store';

/** The job is in `run` and that run is under way: the only state in which its steps do anything. */
export function isLive(job: Job | undefined, run: number): job is Job {
  return job !== undefined && job.run === run && job.status === 'running';
}

/** Steps of the run queued and not yet settled (lib/jobs/chunks.ts); 0 once the last one has settled. */
export function pendingSteps(job: Job): number | undefined {
  return fileMoveState(job)?.pending;
}
