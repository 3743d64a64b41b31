import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, isConditionFailure, queryAll, updateIfAllowed } from './dynamo';
import type { Log } from '../log';
import { FILE_MOVE_WORKFLOWS, WORKFLOWS, jobOf, parseJobItem, type FileMoveJob, type FileMoveResult, type Job, type JobResult, type JobStatus, type Workflow } from './job';

export {
  FILE_MOVE_WORKFLOWS,
  WORKFLOWS,
  MalformedJobError,
  type FileMoveJob,
  type FileMoveWorkflow,
  type Job,
  type JobOf,
  type JobResult,
  type JobStatus,
  type Workflow,
} from './job';

export interface JobError {
  fileId?: number;
  title?: string;
  reason: string;
  /** Where the file was meant to go: lets the finalizer check a reported failure against the destination.
   *  Kept in the store only; GET /jobs does not show it. */
  destFolderId?: number;
  /** A folder that could not be scanned (so its files were never planned). Kept in the store only. */
  folderId?: number;
  /** The finalizer's sweep of the source that last found this file there. Kept in the store only. */
  sweep?: string;
}

export interface JobView {
  jobId: string;
  workflow: Workflow;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  progress: { total: number; done: number; failed: number };
  result: JobResult | Record<string, never>;
  errors: JobError[];
}

const DAY = 86_400;
/** Jobs are the de-duplication record of a business event, so they are kept long enough to absorb late retries. */
const JOB_TTL_SECONDS = 400 * DAY;

/*
 * The job item (key `jobKey`) is read and written here only: the other modules of lib/jobs and the workflows go
 * through JobStore (test/unit/architecture.test.ts holds them to it).
 */
const JOB_PREFIX = 'JOB#';
/** The partition of a job: its item, its error items, and (lib/jobs/copies.ts) its upload copies' attempts. */
export const jobPartition = (jobId: string) => `${JOB_PREFIX}${jobId}`;
/** The job item's key. Exported for tests that read the raw item. */
export const jobKey = (jobId: string) => ({ pk: jobPartition(jobId), sk: 'JOB' });
/** Puts a job into the jobs-by-created index (GET /jobs; lib/jobs/listing.ts): only job items carry it. */
export const JOB_LIST_ENTRY = { jobList: 'JOB' } as const;
/** The job's key in the jobs-by-created index (where a page of GET /jobs starts), and the job id back from it. */
export const jobListKey = (jobId: string, createdAt: string) => ({ ...jobKey(jobId), ...JOB_LIST_ENTRY, createdAt });
export const jobIdOfKey = (key: Record<string, unknown>) => String(key.pk).slice(JOB_PREFIX.length);

/**
 * The same business event always maps to the same jobId, so "create once" is one conditional put: concurrent
 * duplicates cannot both win, and there is no second item to keep in step with the job.
 */
export function jobIdFor(workflow: Workflow, businessKey: string): string {
  const digest = createHash('sha256').update(`${workflow}\u0000${businessKey}`).digest('base64url').slice(0, 22);
  return `${workflow}-${digest}`;
}

/** The workflow a job id belongs to (its prefix, jobIdFor); undefined for an id we never made. */
export function workflowOfJob(jobId: string): Workflow | undefined {
  return WORKFLOWS.find((workflow) => jobId.startsWith(`${workflow}-`));
}

/**
 * The line a change of a job leaves in the log (status and progress after it), so a job can be followed in the
 * log as it runs, locally (`npm start` prints it as one short line) and on AWS.
 */
export function logJobChange(log: Pick<Log, 'info'> | undefined, job: Job | undefined): Job | undefined {
  if (log && job) log.info(`job ${job.status}`, { jobId: job.jobId, workflow: job.workflow, run: job.run, progress: job.progress });
  return job;
}

export class JobStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
    private readonly log?: Pick<Log, 'info'>,
  ) {}

  async createOnce(
    workflow: Workflow,
    businessKey: string,
    input: Record<string, unknown>,
  ): Promise<{ job: Job; created: boolean }> {
    const jobId = jobIdFor(workflow, businessKey);
    const at = new Date(this.now()).toISOString();
    const job: Job = {
      jobId,
      workflow,
      status: 'queued',
      businessKey,
      input,
      run: 1,
      createdAt: at,
      updatedAt: at,
      progress: { total: 0, done: 0, failed: 0 },
    };
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...jobKey(jobId), ...job, ...JOB_LIST_ENTRY, ttl: this.ttl(JOB_TTL_SECONDS) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { job, created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(jobId);
      if (!existing) throw new Error(`job ${jobId} exists but could not be read`);
      return { job: existing, created: false };
    }
  }

  async get(jobId: string): Promise<Job | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: jobKey(jobId), ConsistentRead: true }));
    return out.Item ? parseJobItem(out.Item) : undefined;
  }

  /** The run the job is in, read alone (a settle whose condition failed asks whether the run moved on). */
  async currentRun(jobId: string): Promise<number | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: jobKey(jobId), ProjectionExpression: '#run', ExpressionAttributeNames: { '#run': 'run' }, ConsistentRead: true }),
    );
    return out.Item?.run as number | undefined;
  }

  /** The job as GET /jobs/{id} shows it: the current run's errors only. */
  async view(jobId: string): Promise<JobView | undefined> {
    const job = await this.get(jobId);
    if (!job) return undefined;
    const errors = (await this.errors(jobId, job.run)).map(({ destFolderId: _dest, folderId: _folder, sweep: _sweep, ...shown }) => shown);
    return {
      jobId: job.jobId,
      workflow: job.workflow,
      status: job.status,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      progress: job.progress,
      // The contract's status always has a result; a job that has none yet (queued, or failed early) shows {}.
      result: job.result ?? {},
      errors,
    };
  }

  async errors(jobId: string, run: number): Promise<JobError[]> {
    const items = await queryAll(this.ddb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': jobPartition(jobId), ':prefix': `ERR#${run}#` },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      ...(item.fileId !== undefined ? { fileId: item.fileId as number } : {}),
      ...(item.title ? { title: item.title as string } : {}),
      reason: item.reason as string,
      ...(item.destFolderId !== undefined ? { destFolderId: item.destFolderId as number } : {}),
      ...(item.folderId !== undefined ? { folderId: item.folderId as number } : {}),
      ...(item.sweep !== undefined ? { sweep: item.sweep as string } : {}),
    }));
  }

  /**
   * Errors are items keyed by file (by folder for a folder that could not be scanned, by `job` for a job-level
   * reason), so recording the same failure twice, as a redelivered chunk does, leaves one entry.
   */
  async recordErrors(jobId: string, run: number, errors: JobError[]): Promise<void> {
    const requests = errors.map((e) => ({
      PutRequest: {
        Item: {
          ...errorKey(jobId, run, e),
          ...e,
          ttl: this.ttl(JOB_TTL_SECONDS),
        },
      },
    }));
    await batchWriteAll(this.ddb, this.table, requests, 'error records');
  }

  /** Drops the error entries of files that turned out to have moved after all. */
  async deleteErrors(jobId: string, run: number, fileIds: number[]): Promise<void> {
    const requests = fileIds.map((fileId) => ({ DeleteRequest: { Key: errorKey(jobId, run, { fileId }) } }));
    await batchWriteAll(this.ddb, this.table, requests, 'error deletions');
  }

  /**
   * Moves a job between states only if it is still in one of `from` (and, when given, in `run`): the
   * conditional write is what makes "finalize once" and "resume once" hold across concurrent Lambdas.
   */
  async transition(
    jobId: string,
    from: JobStatus[],
    to: JobStatus,
    changes: {
      run?: number;
      result?: JobResult;
      total?: number;
      /** Absolute counters, so that a step which is repeated after a crash writes the same numbers again. */
      progress?: { total: number; done: number; failed: number };
    } = {},
  ): Promise<Job | undefined> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':to': to, ':at': new Date(this.now()).toISOString() };
    const sets = ['#status = :to', '#updatedAt = :at'];
    from.forEach((s, i) => (values[`:from${i}`] = s));
    let condition = `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`;
    if (changes.run !== undefined) {
      names['#run'] = 'run';
      values[':run'] = changes.run;
      condition += ' AND #run = :run';
    }
    if (changes.result) {
      names['#result'] = 'result';
      values[':result'] = changes.result;
      sets.push('#result = :result');
    }
    if (changes.total !== undefined) {
      names['#progress'] = 'progress';
      values[':total'] = changes.total;
      sets.push('#progress.#total = :total');
      names['#total'] = 'total';
    }
    if (changes.progress) {
      names['#progress'] = 'progress';
      values[':progress'] = changes.progress;
      sets.push('#progress = :progress');
    }
    return this.logged({
      Key: jobKey(jobId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * A re-delivered event for a failed job starts a new run of the same job: only one of several concurrent
   * re-deliveries wins, and what earlier runs did stays counted in `done`. A job still "running" whose last
   * update is older than `staleBefore` (epoch ms) is taken to be dead (its planner or a chunk was parked in the
   * DLQ, or Lambdas kept timing out) and is resumed the same way, so a crash never leaves it stuck for good.
   */
  async resume(job: Job, staleBefore?: number): Promise<Job | undefined> {
    const values: Record<string, unknown> = {
      ':queued': 'queued',
      ':failed': 'failed',
      ':at': new Date(this.now()).toISOString(),
      ':run': job.run,
      ':next': job.run + 1,
      ':zero': 0,
    };
    let statusCondition = '#status = :failed';
    if (staleBefore !== undefined) {
      values[':running'] = 'running';
      values[':staleAt'] = new Date(staleBefore).toISOString();
      statusCondition = '(#status = :failed OR (#status = :running AND #updatedAt < :staleAt))';
    }
    return this.logged({
      Key: jobKey(job.jobId),
      UpdateExpression: 'SET #status = :queued, #updatedAt = :at, #run = :next, #progress.#failed = :zero REMOVE #state',
      ConditionExpression: `${statusCondition} AND #run = :run`,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#updatedAt': 'updatedAt',
        '#run': 'run',
        '#progress': 'progress',
        '#failed': 'failed',
        '#state': 'state',
      },
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Claims the closing step of a run, so that only one finalizer lists the source and revokes access, however
   * many finalize messages the chunks sent. Its own redelivered message may claim again, and a claim older than
   * `staleMs` can be taken over.
   */
  async claimFinalize(jobId: string, run: number, claimant: string, staleMs: number): Promise<FileMoveJob | undefined> {
    const now = this.now();
    return this.fileMove(await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #state.#finalizer = :me, #state.#since = :now, #updatedAt = :at',
      ConditionExpression:
        '#run = :run AND #status = :running AND (attribute_not_exists(#state.#finalizer) OR #state.#finalizer = :me OR #state.#since < :stale)',
      ExpressionAttributeNames: {
        '#state': 'state',
        '#finalizer': 'finalizer',
        '#since': 'finalizeStartedAt',
        '#run': 'run',
        '#status': 'status',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':me': claimant,
        ':now': now,
        ':stale': now - staleMs,
        ':run': run,
        ':running': 'running',
        ':at': new Date(now).toISOString(),
      },
    }));
  }

  /**
   * Starts a queued run of a file move, once: the scan of the source root becomes its one pending step
   * (lib/jobs/chunks.ts), and the run's total starts from what earlier runs moved (each scan adds its files).
   */
  async startFileMoveRun(jobId: string, run: number, destRootId: number, result: FileMoveResult): Promise<FileMoveJob | undefined> {
    return this.fileMove(
      await this.logged({
        Key: jobKey(jobId),
        UpdateExpression: 'SET #status = :running, #updatedAt = :at, #state = :state, #result = :result, #progress.#total = #progress.#done',
        ConditionExpression: '#run = :run AND #status = :queued',
        ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#state': 'state', '#result': 'result', '#progress': 'progress', '#total': 'total', '#done': 'done', '#run': 'run' },
        ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':at': this.isoNow(), ':state': { pending: 1, destRootId }, ':result': result, ':run': run },
      }),
    );
  }

  /**
   * Phase 2 of settling a file-move step (ChunkStore.settle, which holds the step's marker): adds the step's
   * children to `state.pending`, its counts to the progress, and its token to the job's small `settling` set,
   * on condition that the run is still `run` and the token is not there yet (a repeat after a crash does not
   * count twice). The job after it, or undefined when the condition did not hold.
   */
  async applySettle(
    jobId: string,
    run: number,
    token: string,
    delta: { pending: number; total?: number; done?: number; failed?: number },
  ): Promise<FileMoveJob | undefined> {
    return this.fileMove(
      await this.logged({
        Key: jobKey(jobId),
        UpdateExpression:
          'SET #updatedAt = :at ADD #state.#pending :pending, settling :tokens, #progress.#total :total, #progress.#done :done, #progress.#failed :failed',
        ConditionExpression: '#run = :run AND NOT contains(settling, :token)',
        ExpressionAttributeNames: {
          '#updatedAt': 'updatedAt',
          '#state': 'state',
          '#pending': 'pending',
          '#progress': 'progress',
          '#total': 'total',
          '#done': 'done',
          '#failed': 'failed',
          '#run': 'run',
        },
        ExpressionAttributeValues: {
          ':at': this.isoNow(),
          ':pending': delta.pending,
          ':total': delta.total ?? 0,
          ':done': delta.done ?? 0,
          ':failed': delta.failed ?? 0,
          ':tokens': new Set([token]),
          ':token': token,
          ':run': run,
        },
      }),
    );
  }

  /** Phase 3 of settling: the token of a step whose marker says applied leaves the job's `settling` set. */
  async forgetSettling(jobId: string, token: string): Promise<void> {
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: jobKey(jobId),
        UpdateExpression: 'DELETE settling :tokens',
        ExpressionAttributeValues: { ':tokens': new Set([token]) },
      }),
    );
  }

  /** Adds to the progress counters of the current run. */
  async addProgress(jobId: string, run: number, delta: { total?: number; done?: number; failed?: number }): Promise<Job | undefined> {
    const adds: string[] = [];
    const names: Record<string, string> = { '#progress': 'progress', '#run': 'run', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':run': run, ':at': new Date(this.now()).toISOString() };
    for (const key of ['total', 'done', 'failed'] as const) {
      if (delta[key]) {
        names[`#${key}`] = key;
        values[`:${key}`] = delta[key];
        adds.push(`#progress.#${key} :${key}`);
      }
    }
    return this.logged({
      Key: jobKey(jobId),
      UpdateExpression: `SET #updatedAt = :at${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
      ConditionExpression: '#run = :run',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Claims the work of a run (upload copy). Only one claimant wins; the same one (its SQS message redelivered
   * after a crash) may claim again, and a claimant silent for `staleMs` can be replaced, so a crash never leaves
   * a job stuck in "running" with nothing queued.
   */
  async claimPlanning(jobId: string, run: number, planner: string, staleMs: number): Promise<Job | undefined> {
    const now = this.now();
    return this.logged({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #status = :running, #updatedAt = :at, #state = :state',
      ConditionExpression:
        '#run = :run AND (#status = :queued OR (#status = :running AND (#state.#since < :stale OR #state.#planner = :planner)))',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#updatedAt': 'updatedAt',
        '#state': 'state',
        '#run': 'run',
        '#since': 'planStartedAt',
        '#planner': 'planner',
      },
      ExpressionAttributeValues: {
        ':running': 'running',
        ':queued': 'queued',
        ':at': new Date(now).toISOString(),
        ':state': { planner, planStartedAt: now },
        ':planner': planner,
        ':run': run,
        ':stale': now - staleMs,
      },
    });
  }

  ttl(seconds: number): number {
    return Math.floor(this.now() / 1000) + seconds;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  /** The job after a file-move update, refused loudly if the id named another workflow's job. */
  private fileMove(job: Job | undefined): FileMoveJob | undefined {
    return job && jobOf(job, FILE_MOVE_WORKFLOWS);
  }

  /** An update that changes the job's status or progress, logged when it happened. */
  private async logged(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<Job | undefined> {
    return logJobChange(this.log, await this.update(input));
  }

  /** A conditional update of the job item: the job after it, or undefined when the condition did not hold. */
  private async update(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<Job | undefined> {
    const item = await updateIfAllowed(this.ddb, { TableName: this.table, ...input });
    return item && parseJobItem(item);
  }
}

const errorKey = (jobId: string, run: number, e: Pick<JobError, 'fileId' | 'folderId'>) => ({
  pk: jobPartition(jobId),
  sk: `ERR#${run}#${e.fileId ?? (e.folderId !== undefined ? `folder-${e.folderId}` : 'job')}`,
});

/** Generic "first writer wins" marker, for de-duplication keys other than the job's own (e.g. webhook events). */
export async function claimOnce(
  ddb: DynamoDBDocumentClient,
  table: string,
  key: string,
  value: Record<string, unknown>,
  ttlSeconds: number,
  now: () => number = Date.now,
): Promise<{ claimed: true } | { claimed: false; existing: Record<string, unknown> }> {
  const Key = { pk: `CLAIM#${key}`, sk: 'CLAIM' };
  try {
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: { ...Key, ...value, ttl: Math.floor(now() / 1000) + ttlSeconds },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { claimed: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const out = await ddb.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }));
    const { pk: _pk, sk: _sk, ttl: _ttl, ...existing } = out.Item ?? {};
    return { claimed: false, existing };
  }
}
