import { z } from 'zod';

/*
 * The job item's shape, per workflow: what each workflow keeps in `state` (its private run bookkeeping) and
 * reports in `result` (shown by GET /jobs/{id}). Every job read from DynamoDB passes through `parseJobItem`,
 * so an item that does not hold what its workflow writes fails here, naming the job and the field, instead of
 * surfacing later as an undefined read through a cast. The only writes are JobStore's (lib/jobs/store.ts).
 *
 * The objects are loose: a field this version does not know (one an earlier version wrote) is kept and shown as
 * it was, but a field it knows must have the type it writes.
 */

/** The workflows that run as jobs, by the one name each carries (job ids, functions, files, metrics). */
export const WORKFLOWS = ['task-complete', 'deal-archive', 'upload-copy', 'project-room'] as const;
export type Workflow = (typeof WORKFLOWS)[number];
/** The two workflows that run on the file-move engine (lib/workflows/file-moves). */
export const FILE_MOVE_WORKFLOWS = ['task-complete', 'deal-archive'] as const satisfies readonly Workflow[];
export type FileMoveWorkflow = (typeof FILE_MOVE_WORKFLOWS)[number];
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

const folderId = z.number().int().positive();

/**
 * A file-move run (lib/jobs/chunks.ts, lib/workflows/file-moves): `pending` steps queued and not yet settled,
 * the destination root the run resolved, and the finalizer's claim (JobStore.claimFinalize). All are absent
 * before the run starts (a resume removes the state).
 */
export const fileMoveStateSchema = z.looseObject({
  pending: z.number().int().optional(),
  destRootId: folderId.optional(),
  finalizer: z.string().optional(),
  finalizeStartedAt: z.number().optional(),
});
export type FileMoveState = z.infer<typeof fileMoveStateSchema>;

/** The claim of the worker copying an upload (JobStore.claimPlanning). */
export const planningStateSchema = z.looseObject({ planner: z.string(), planStartedAt: z.number() });
export type PlanningState = z.infer<typeof planningStateSchema>;

/** A project-room job keeps no state of its own: its room in `result` is what a redelivery goes by. */
export const projectRoomStateSchema = z.looseObject({});

export const taskCompleteResultSchema = z.looseObject({ completedFolderId: folderId });
export const dealArchiveResultSchema = z.looseObject({ archiveFolderId: folderId, guestRevoked: z.boolean().optional() });

const copyResultSchema = z.looseObject({ destFolderId: folderId, newFileId: z.number().int().positive(), newTitle: z.string().optional() });
export const uploadCopyResultSchema = z.union([
  /** Nothing to copy, and why (the file is gone, is one of our copies, or no rule applies). */
  z.looseObject({ sourceFileId: z.number().int().positive(), ignored: z.literal(true), reason: z.string() }),
  /** The first copy made (all of them in `copies` when there are several), and the rule destinations the file was already in. */
  copyResultSchema.extend({
    sourceFileId: z.number().int().positive(),
    copies: z.array(copyResultSchema).optional(),
    alreadyIn: z.array(folderId).optional(),
  }),
]);
export const projectRoomResultSchema = z.looseObject({ roomId: folderId, title: z.string(), webUrl: z.string() });

export type TaskCompleteResult = z.infer<typeof taskCompleteResultSchema>;
export type DealArchiveResult = z.infer<typeof dealArchiveResultSchema>;
export type UploadCopyResult = z.infer<typeof uploadCopyResultSchema>;
export type ProjectRoomResult = z.infer<typeof projectRoomResultSchema>;

const SHAPES = {
  'task-complete': { state: fileMoveStateSchema, result: taskCompleteResultSchema },
  'deal-archive': { state: fileMoveStateSchema, result: dealArchiveResultSchema },
  'upload-copy': { state: planningStateSchema, result: uploadCopyResultSchema },
  'project-room': { state: projectRoomStateSchema, result: projectRoomResultSchema },
} as const satisfies Record<Workflow, { state: z.ZodType; result: z.ZodType }>;

export type StateOf<W extends Workflow> = z.infer<(typeof SHAPES)[W]['state']>;
export type ResultOf<W extends Workflow> = z.infer<(typeof SHAPES)[W]['result']>;
export type FileMoveResult = ResultOf<FileMoveWorkflow>;
export type JobResult = ResultOf<Workflow>;

interface JobFields<W extends Workflow> {
  jobId: string;
  workflow: W;
  status: JobStatus;
  businessKey: string;
  input: Record<string, unknown>;
  /** Incremented each time a failed job is resumed by a re-delivery; chunks and errors belong to one run. */
  run: number;
  createdAt: string;
  updatedAt: string;
  progress: { total: number; done: number; failed: number };
  result?: ResultOf<W>;
  /** Workflow-private run bookkeeping (see the schemas above). */
  state?: StateOf<W>;
}

/** A job of workflow W; `Job` is any job, told apart by `workflow`. */
export type JobOf<W extends Workflow> = W extends Workflow ? JobFields<W> : never;
export type Job = JobOf<Workflow>;
export type FileMoveJob = JobOf<FileMoveWorkflow>;

/** A job item that does not hold what its workflow writes: a bug or a hand-edited item, never a transient fault. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
  constructor(
    readonly jobId: string,
    readonly field: string,
    problem: string,
  ) {
    super(`job ${jobId}: ${field} ${problem}`);
  }
}

/**
 * A job item as read from DynamoDB, without its keys and the file-move run's settle bookkeeping (`settling`;
 * `settled` is what jobs written before the step markers carry), its state and result checked against its
 * workflow's schemas.
 */
export function parseJobItem(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, ttl: _ttl, settled: _settled, settling: _settling, ...rest } = item;
  const jobId = typeof rest.jobId === 'string' ? rest.jobId : String(item.pk);
  const workflow = rest.workflow;
  if (!WORKFLOWS.includes(workflow as Workflow)) {
    throw new MalformedJobError(jobId, 'workflow', `is ${JSON.stringify(workflow)}, not one of ${WORKFLOWS.join(', ')}`);
  }
  const shapes = SHAPES[workflow as Workflow];
  for (const field of ['state', 'result'] as const) {
    if (rest[field] === undefined) continue;
    const parsed = shapes[field].safeParse(rest[field]);
    if (!parsed.success) throw new MalformedJobError(jobId, field, `is not what a ${workflow} job writes: ${describeIssues(field, parsed.error)}`);
    // The stored value itself goes on (it matched): GET /jobs/{id} shows it exactly as it was written.
  }
  return rest as unknown as Job;
}

function describeIssues(field: string, error: z.ZodError): string {
  return error.issues.map((issue) => `${[field, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');
}

/** Whether `job` belongs to one of `workflows` (narrows its state and result to theirs). */
export function isJobOf<W extends Workflow>(job: Job, workflows: readonly W[]): job is JobOf<W> {
  return (workflows as readonly Workflow[]).includes(job.workflow);
}

/** `job` as a job of one of `workflows`; any other is a message sent to the wrong workflow, refused loudly. */
export function jobOf<W extends Workflow>(job: Job, workflows: readonly W[]): JobOf<W> {
  if (!isJobOf(job, workflows)) throw new MalformedJobError(job.jobId, 'workflow', `is ${job.workflow}, not ${workflows.join(' or ')}`);
  return job;
}

/** The file-move run's state of a task-complete or deal-archive job (undefined before its run starts). */
export function fileMoveState(job: Job): FileMoveState | undefined {
  return jobOf(job, FILE_MOVE_WORKFLOWS).state;
}

/** The result a file-move job has reported so far (its destination folder; for a deal, whether the guest was revoked). */
export function fileMoveResult(job: Job): FileMoveResult | undefined {
  return jobOf(job, FILE_MOVE_WORKFLOWS).result;
}

/** The room a project-room job recorded, or undefined while it has none. */
export function projectRoomResult(job: Job): ProjectRoomResult | undefined {
  return jobOf(job, ['project-room']).result;
}
