import { z } from 'zod';
import type { DocSpaceClient } from '../../docspace/client';
import type { ChunkStore } from '../../jobs/chunks';
import type { Leases } from '../../jobs/lease';
import type { JobStore, Workflow } from '../../jobs/store';
import type { Log } from '../../log';
import type { Counters } from '../../metrics';
import type { Queue } from '../../queue/send';

/** Where the files go: an existing folder (Completed), or a child folder found or created by title (/Archive/<Client>). */
export const destinationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), folderId: z.number().int().positive() }),
  z.object({ kind: z.literal('named-child'), parentId: z.number().int().positive(), title: z.string().min(1) }),
]);

export const fileMoveInputSchema = z.object({
  sourceFolderId: z.number().int().positive(),
  destination: destinationSchema,
  /** Revoked from the source room only after every file has moved. */
  guest: z.object({ userId: z.string().min(1), roomId: z.number().int().positive() }).optional(),
  /** The name under which the destination folder id is reported in the job result. */
  resultKey: z.enum(['archiveFolderId', 'completedFolderId']),
});
export type FileMoveInput = z.infer<typeof fileMoveInputSchema>;

export const fileMoveMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('plan'),
    jobId: z.string(),
    run: z.number().int().positive(),
    /** Set when a planner hands its work on to a delayed copy of its message, which then plans as the same planner. */
    planner: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('chunk'), jobId: z.string(), run: z.number().int().positive(), index: z.number().int().min(0) }),
  z.object({ kind: z.literal('finalize'), jobId: z.string(), run: z.number().int().positive() }),
]);
export type FileMoveMessage = z.infer<typeof fileMoveMessageSchema>;

export type FileMoveWorkflow = Extract<Workflow, 'task-complete' | 'deal-archive'>;

export interface FileMoveDeps {
  docspace: DocSpaceClient;
  store: JobStore;
  chunks: ChunkStore;
  leases: Leases;
  queue: Queue;
  log: Log;
  counters: Counters;
  now?: () => number;
}

export const CHUNK_SIZE = 100;
/** How long one job holds its source room; renewed by every chunk, so only a dead job lets it lapse. */
export const SOURCE_LEASE_MS = 15 * 60_000;
/** A planner that has not finished after this long is presumed dead and may be replaced. */
export const PLANNER_STALE_MS = 10 * 60_000;
/** Held by one planning invocation; longer than the worker's Lambda timeout (120 s), so only a dead one lapses. */
export const PLAN_LEASE_MS = 3 * 60_000;
/** A plan message that finds another invocation planning the same run looks again after this delay. */
export const PLAN_BUSY_DELAY_SECONDS = 10;
/** A finalizer that has not closed the job after this long is presumed dead and may be replaced. */
export const FINALIZER_STALE_MS = 10 * 60_000;
/** A job "running" without any update for this long is dead (its messages were parked in the DLQ); a repeated
 *  event resumes it. Twice the source lease, so a live job, whose chunks renew the lease, is never taken. */
export const JOB_STALE_MS = 2 * SOURCE_LEASE_MS;
/** The lease that serialises find-or-create of a named destination folder is held for one list and one create. */
export const DESTINATION_LEASE_MS = 60_000;
/** How long a planner waits for another job's find-or-create of the same destination before giving up this try. */
export const DESTINATION_LEASE_WAIT_MS = 20_000;
/**
 * From this delivery on, a step stops handing failures back to SQS and records them instead (a chunk: its
 * unverified files; a planner or finalizer: the job fails with the reason), so the job ends and a repeated event
 * can resume it. It must stay below the queue's maxReceiveCount (5, infra/resources.yml), or the message would
 * be parked in the DLQ first.
 */
export const LAST_CHUNK_ATTEMPT = 4;
/** When another job holds the source room, the plan is retried after this delay instead of burning receives. */
export const LEASE_RETRY_DELAY_SECONDS = 60;

export const sourceLease = (folderId: number) => `source:${folderId}`;
