import type { Log } from '../log';
import type { Counters } from '../metrics';
import type { OutboundMessage, Queue } from '../queue/send';
import type { Job, JobStore, Workflow } from './store';

/*
 * The one way a business event becomes work, for every workflow: create the job once (a conditional put keyed by
 * the event's business key), then queue the message that starts its run. Meeting the job again (the same event
 * delivered again, or an operator's retry) is decided by its status alone:
 *   queued     the message is queued again (the delivery that created the job may have died before queuing; the
 *              workers take extra messages for one run as no-ops)
 *   failed     resumed as a new run (each workflow's run then does only what is left)
 *   running    left alone, unless it has not moved for `staleAfterMs`: its messages died in the DLQ, so it is
 *              resumed as a new run
 *   succeeded  left alone
 * The conditional resume makes two such meetings at once start one run.
 */

export interface JobEvent {
  workflow: Workflow;
  businessKey: string;
  input: Record<string, unknown>;
}

export interface JobRuns {
  /** The message that starts a run of the job (the first one, or one after a resume). */
  start(job: Pick<Job, 'jobId' | 'run'>): unknown;
  /** How long a running job may go without an update before it is taken for dead and resumed. */
  staleAfterMs: number;
}

export interface AcceptDeps {
  store: Pick<JobStore, 'createOnce' | 'resume'>;
  queue: Queue;
  counters: Counters;
  log: Log;
  now?: () => number;
}

export type MeetingOutcome = 'resumed' | 'requeued' | 'unchanged';

export interface Accepted {
  jobId: string;
}

export async function acceptJob(deps: AcceptDeps, event: JobEvent, runs: JobRuns): Promise<Accepted & { created: boolean }> {
  const { job, created } = await deps.store.createOnce(event.workflow, event.businessKey, event.input);
  if (created) {
    deps.counters.count('JobsStarted', 1, event.workflow);
    await send(deps.queue, runs.start(job));
    deps.log.info('job created', { jobId: job.jobId, workflow: event.workflow });
    return { jobId: job.jobId, created };
  }
  deps.counters.count('DuplicateDeliveries', 1, event.workflow);
  await meetAgain(deps, job, runs);
  return { jobId: job.jobId, created };
}

/** What meeting an existing job again does (see above); a retry from the operations API comes here too. */
export async function meetAgain(
  deps: { store: Pick<JobStore, 'resume'>; queue: Queue; log: Log; now?: () => number },
  job: Job,
  runs: JobRuns,
): Promise<MeetingOutcome> {
  if (job.status === 'queued') {
    await send(deps.queue, runs.start(job));
    return 'requeued';
  }
  if (job.status === 'failed' || job.status === 'running') {
    const resumed = await deps.store.resume(job, (deps.now ?? Date.now)() - runs.staleAfterMs);
    if (!resumed) return 'unchanged';
    deps.log.info(`${job.status} job resumed as a new run`, { jobId: job.jobId, workflow: job.workflow, run: resumed.run });
    await send(deps.queue, runs.start(resumed));
    return 'resumed';
  }
  return 'unchanged';
}

function send(queue: Queue, body: unknown): Promise<void> {
  return queue.send([{ body } satisfies OutboundMessage]);
}
