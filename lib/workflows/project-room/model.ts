import { z } from 'zod';
import type { Leases } from '../../jobs/lease';
import type { JobStore } from '../../jobs/store';
import type { Log } from '../../log';
import type { Counters } from '../../metrics';
import type { Queue } from '../../queue/send';
import type { RoomsPort } from './rooms-port';
import { LAST_ATTEMPT } from '../../queue/attempts';

/** DocSpace replaces these in titles; a changed title could never be found again, so they are refused up front. */
const titlePart = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((t) => !/[\\/:*?"<>|\u0000-\u001f]/.test(t), {
      message: 'must not contain \\ / : * ? " < > | or control characters',
    });

export const projectEventSchema = z.object({
  // The title ends in "(<projectId>)"; only an id without parentheses makes the title name one project: with
  // them, "A" + "B) (C" and "A (B)" + "C" would share a title, and the title search one project's room.
  projectId: titlePart(40).refine((id) => !/[()]/.test(id), { message: 'must not contain ( or )' }),
  projectType: z.string().trim().min(1).max(100),
  projectName: titlePart(120),
});
export type ProjectEvent = z.infer<typeof projectEventSchema>;

export const projectRoomInputSchema = projectEventSchema.extend({ title: z.string().min(1) });
export type ProjectRoomInput = z.infer<typeof projectRoomInputSchema>;

export const projectRoomMessageSchema = z.object({ jobId: z.string().min(1), run: z.number().int().positive() });
export type ProjectRoomMessage = z.infer<typeof projectRoomMessageSchema>;

export const roomTitle = (project: Pick<ProjectEvent, 'projectId' | 'projectName'>): string =>
  `${project.projectName} (${project.projectId})`;

/** The room a job records in its result (lib/jobs/job.ts): id, exact title and web address. */
export type { ProjectRoomResult } from '../../jobs/job';

export interface ProjectCallbackBody {
  roomId: number;
  title: string;
  webUrl: string;
  projectId: string;
  jobId: string;
}

/** Delivers the result to the project system; throws CallbackRefusedError or CallbackFailedError. */
export type ProjectCallback = (body: ProjectCallbackBody, idempotencyKey: string) => Promise<void>;

export interface ProjectRoomDeps {
  rooms: RoomsPort;
  store: Pick<JobStore, 'createOnce' | 'get' | 'transition' | 'resume' | 'recordErrors'>;
  leases: Pick<Leases, 'acquire' | 'release'>;
  queue: Queue;
  /** Absent when PROJECT_CALLBACK_URL is not set. */
  callback?: ProjectCallback;
  log: Log;
  counters: Counters;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  newOwner?: () => string;
}

export interface ProjectRoomTiming {
  /** The portal lease lapses this long after its holder stops renewing it (a crashed or timed-out Lambda). */
  leaseTtlMs: number;
  /**
   * How long a worker waits for the portal lease before handing its message back to the queue. Longer than
   * leaseTtlMs, so a lease left by a dead worker always lapses within one wait.
   */
  leaseWaitMs: number;
  requeueDelaySeconds: number;
  /**
   * What one delivery may spend creating the room. With the callback's own bound (3 attempts of at most 5 s,
   * lib/runtime.ts) it stays below the worker's Lambda timeout of 180 s.
   */
  budgetMs: number;
  pollInitialMs: number;
  /** Well below the ~60 s after which DocSpace drops an idle status. */
  pollMaxMs: number;
  /** POSTs per delivery; a second one is only made when the status turned out to belong to someone else. */
  maxCreateAttempts: number;
  /**
   * On this delivery a creation or a callback that keeps failing (DocSpace down, the portal busy for minutes,
   * the project system unreachable) fails the job with the reason instead of going to the DLQ; a repeated
   * project event resumes it: the title search then finds a room that was created after all, and a room already
   * recorded is only reported. Below the queue's maxReceiveCount (5).
   */
  lastAttempt: number;
}

export const DEFAULT_TIMING: ProjectRoomTiming = {
  leaseTtlMs: 45_000,
  leaseWaitMs: 60_000,
  requeueDelaySeconds: 15,
  budgetMs: 140_000,
  pollInitialMs: 100,
  pollMaxMs: 1_000,
  maxCreateAttempts: 3,
  lastAttempt: LAST_ATTEMPT,
};

/** A job still "running" this long after its last update has lost its message (DLQ, purge); a repeat resumes it. */
export const STALE_RUNNING_MS = 15 * 60_000;

export interface ProjectRoomSettings {
  /** projectType → template id (TEMPLATE_MAP). */
  templateMap: Record<string, number>;
  /** The portal origin: names the lease (the status is per portal) and builds the room's web URL. */
  portalUrl: string;
  timing?: Partial<ProjectRoomTiming>;
}

/** A delivery that ran out of time or lost its lease; SQS redelivers it and the title search resumes the work. */
export class ProjectRoomRetryableError extends Error {
  override readonly name = 'ProjectRoomRetryableError';
}

/** One delivery's state: its deps and timing, its time budget, and the portal lease it holds. */
export interface Run {
  deps: ProjectRoomDeps;
  timing: ProjectRoomTiming;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  resource: string;
  owner: string;
  deadline: number;
  renewedAt: number;
  jobId: string;
}
