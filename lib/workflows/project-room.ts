import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DocSpaceClient } from '../docspace/client';
import { DocSpaceError, DocSpaceNotFoundError } from '../docspace/errors';
import {
  createRoomFromTemplate,
  getRoom,
  getRoomFromTemplateStatus,
  listRooms,
  type RoomSearchArea,
} from '../docspace/rooms';
import type { FolderDto, RoomFromTemplateStatusDto } from '../docspace/schemas';
import { CallbackFailedError, CallbackRefusedError } from '../http/callback';
import { LeaseHeldError, type Leases } from '../jobs/lease';
import type { Job, JobStore } from '../jobs/store';
import type { Log } from '../log';
import type { Counters } from '../metrics';
import type { Queue } from '../queue/send';
import type { MessageContext } from '../queue/worker';

/*
 * Workflow 4: a new project in the PM system gets one DocSpace room, created from the template its type maps
 * to, titled `<projectName> (<projectId>)`.
 *
 * DocSpace keeps one room-from-template status per portal, without a task id or a title (NOTES 3.6): a POST
 * made while another creation runs is answered with that other creation's status, and a finished status stays
 * until the next start. So creations are serialised per portal with a DynamoDB lease, and no status is trusted
 * until GET files/rooms/{id} shows the exact title we asked for. The title is also the recovery key: before
 * creating, the lease holder looks for a room with that exact title, so a run that died after DocSpace created
 * the room (or while the creation was still going) finds it instead of making a second one.
 */

// ---------------------------------------------------------------------------------------------- input

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

export interface ProjectRoomResult {
  roomId: number;
  title: string;
  webUrl: string;
}

export interface ProjectCallbackBody extends ProjectRoomResult {
  projectId: string;
  jobId: string;
}

// ---------------------------------------------------------------------------------------------- ports

/** The DocSpace calls this workflow makes; `docspaceRooms` binds them to the real client. */
export interface RoomsPort {
  listRooms(options: { searchArea: RoomSearchArea; filterValue?: string }): Promise<FolderDto[]>;
  getRoom(roomId: number): Promise<FolderDto>;
  createFromTemplate(request: { templateId: number; title: string }): Promise<RoomFromTemplateStatusDto | undefined>;
  creationStatus(): Promise<RoomFromTemplateStatusDto | undefined>;
}

export function docspaceRooms(client: DocSpaceClient): RoomsPort {
  return {
    listRooms: (options) => listRooms(client, options),
    getRoom: (roomId) => getRoom(client, roomId),
    createFromTemplate: (request) => createRoomFromTemplate(client, request),
    creationStatus: () => getRoomFromTemplateStatus(client),
  };
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
  lastAttempt: 4,
};

/** A job still "running" this long after its last update has lost its message (DLQ, purge); a repeat re-queues it. */
export const STALE_RUNNING_MS = 15 * 60_000;

export interface ProjectRoomSettings {
  /** projectType → template id (TEMPLATE_MAP). */
  templateMap: Record<string, number>;
  /** The portal origin: names the lease (the status is per portal) and builds the room's web URL. */
  portalUrl: string;
  timing?: Partial<ProjectRoomTiming>;
}

// ---------------------------------------------------------------------------------------------- errors

/** A delivery that ran out of time or lost its lease; SQS redelivers it and the title search resumes the work. */
export class ProjectRoomRetryableError extends Error {
  override readonly name = 'ProjectRoomRetryableError';
}

// ---------------------------------------------------------------------------------------------- accept

/**
 * Creates the job for a project once (keyed by projectId) and queues it. A repeated event gets the same job;
 * a failed job is resumed (its new run reports the room an earlier run recorded, or looks for the room by title
 * before creating one, so it never makes a second one), a queued one is queued again (covering a crash between
 * "created" and "queued").
 */
export async function acceptProject(
  deps: Pick<ProjectRoomDeps, 'store' | 'queue' | 'counters' | 'log' | 'now'>,
  event: ProjectEvent,
): Promise<{ jobId: string }> {
  const input: ProjectRoomInput = { ...event, title: roomTitle(event) };
  const { job, created } = await deps.store.createOnce('project-room', event.projectId, input);
  if (created) {
    deps.counters.count('JobsStarted');
    await deps.queue.send([{ body: { jobId: job.jobId, run: job.run } satisfies ProjectRoomMessage }]);
    deps.log.info('project room job created', { jobId: job.jobId, projectId: event.projectId });
    return { jobId: job.jobId };
  }
  deps.counters.count('DuplicateDeliveries');
  if (job.status === 'failed') {
    const resumed = await deps.store.resume(job);
    if (resumed) {
      deps.log.info('failed project room job resumed by a repeated event', { jobId: job.jobId, run: resumed.run });
      await deps.queue.send([{ body: { jobId: job.jobId, run: resumed.run } satisfies ProjectRoomMessage }]);
    }
  } else if (
    job.status === 'queued' ||
    (job.status === 'running' && (deps.now ?? Date.now)() - Date.parse(job.updatedAt) > STALE_RUNNING_MS)
  ) {
    // The worker tolerates extra messages: the lease, the job status and the title search make them no-ops.
    await deps.queue.send([{ body: { jobId: job.jobId, run: job.run } satisfies ProjectRoomMessage }]);
  }
  return { jobId: job.jobId };
}

// ---------------------------------------------------------------------------------------------- worker

export const portalLease = (portalUrl: string): string => {
  let host = portalUrl;
  try {
    host = new URL(portalUrl).host;
  } catch {
    // not a URL: the string itself still names one portal
  }
  return `room-from-template:${host}`;
};

export function roomWebUrl(portalUrl: string, room: FolderDto): string {
  const given = (room as { webUrl?: unknown }).webUrl;
  if (typeof given === 'string' && given) return given;
  return `${portalUrl.replace(/\/+$/, '')}/rooms/shared/${room.id}/filter?folder=${room.id}`;
}

type Outcome = { kind: 'room'; room: FolderDto; created: boolean } | { kind: 'failed'; reason: string };

interface Run {
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

/** One delivery of a project-room message. */
export async function handleProjectRoomMessage(
  deps: ProjectRoomDeps,
  settings: ProjectRoomSettings,
  message: ProjectRoomMessage,
  context: Pick<MessageContext, 'receiveCount'>,
): Promise<void> {
  const timing = { ...DEFAULT_TIMING, ...settings.timing };
  const now = deps.now ?? Date.now;
  const job = await deps.store.get(message.jobId);
  if (!job || job.run !== message.run || job.status === 'succeeded' || job.status === 'failed') return;
  // The room is known (this run recorded it, or an earlier run whose report failed did): only the report is
  // left, and it is reported by id, so a room renamed since can never lead to a second one.
  if (job.result) {
    const running = await deps.store.transition(job.jobId, ['queued', 'running'], 'running', { run: job.run });
    if (running) await report(deps, running, context.receiveCount, timing);
    return;
  }

  const input = projectRoomInputSchema.parse(job.input);
  const templateId = Object.hasOwn(settings.templateMap, input.projectType) ? settings.templateMap[input.projectType] : undefined;
  if (templateId === undefined) {
    const known = Object.keys(settings.templateMap).sort().join(', ') || 'none';
    return failJob(deps, job, `projectType "${input.projectType}" has no room template in TEMPLATE_MAP (mapped types: ${known})`);
  }

  const run: Run = {
    deps,
    timing,
    now,
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    random: deps.random ?? Math.random,
    resource: portalLease(settings.portalUrl),
    owner: (deps.newOwner ?? randomUUID)(),
    deadline: now() + timing.budgetMs,
    renewedAt: 0,
    jobId: job.jobId,
  };

  if (!(await acquirePortalLease(run))) {
    deps.log.info('portal busy with another room creation; message handed back', { jobId: job.jobId });
    await deps.queue.send([{ body: message, delaySeconds: timing.requeueDelaySeconds }]);
    return;
  }
  let outcome: Outcome;
  let withRoom: Job | undefined;
  try {
    const running = await deps.store.transition(job.jobId, ['queued', 'running'], 'running', { run: job.run });
    // Another delivery of this run may have found the room while we waited for the lease; that one reports it.
    if (!running || running.result) return;
    outcome = await createOrFindRoom(run, input.title, templateId, input.projectType);
    // Recorded while the lease is held, so a delivery that was waiting for it sees the room and stands back.
    if (outcome.kind === 'room') withRoom = await recordRoom(deps, settings, job, outcome);
  } catch (error) {
    if (context.receiveCount < timing.lastAttempt) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    outcome = { kind: 'failed', reason: `gave up after ${context.receiveCount} attempts: ${reason}` };
  } finally {
    await deps.leases.release(run.resource, run.owner);
  }

  if (outcome.kind === 'failed') return failJob(deps, job, outcome.reason);
  if (withRoom) await report(deps, withRoom, context.receiveCount, timing);
}

async function recordRoom(
  deps: ProjectRoomDeps,
  settings: ProjectRoomSettings,
  job: Job,
  outcome: Extract<Outcome, { kind: 'room' }>,
): Promise<Job | undefined> {
  const result: ProjectRoomResult = {
    roomId: outcome.room.id,
    title: outcome.room.title,
    webUrl: roomWebUrl(settings.portalUrl, outcome.room),
  };
  const recorded = await deps.store.transition(job.jobId, ['running'], 'running', { run: job.run, result: { ...result } });
  if (recorded) {
    if (outcome.created) deps.counters.count('RoomsCreated');
    deps.log.info('project room ready', { jobId: job.jobId, roomId: result.roomId, created: outcome.created });
  }
  return recorded;
}

async function failJob(deps: ProjectRoomDeps, job: Job, reason: string): Promise<void> {
  await deps.store.recordErrors(job.jobId, job.run, [{ reason }]);
  // One unit of work, the room and its report: progress reads like every other job's.
  const failed = await deps.store.transition(job.jobId, ['queued', 'running'], 'failed', {
    run: job.run,
    progress: { total: 1, done: 0, failed: 1 },
  });
  if (failed) {
    deps.counters.count('JobsFailed');
    deps.log.warn('project room job failed', { jobId: job.jobId, reason });
  }
}

async function acquirePortalLease(run: Run): Promise<boolean> {
  const waitUntil = Math.min(run.deadline, run.now() + run.timing.leaseWaitMs);
  let delay = 200;
  for (;;) {
    try {
      await run.deps.leases.acquire(run.resource, run.owner, run.timing.leaseTtlMs);
      run.renewedAt = run.now();
      return true;
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
    }
    const left = waitUntil - run.now();
    if (left <= 0) return false;
    await run.sleep(Math.min(left, Math.max(50, Math.floor(delay * (0.5 + run.random() / 2)))));
    delay = Math.min(2_000, delay * 1.5);
  }
}

/** Extends the lease well before it lapses; a lease lost to someone else ends this delivery. */
async function renewLease(run: Run): Promise<void> {
  if (run.now() - run.renewedAt < run.timing.leaseTtlMs / 3) return;
  try {
    await run.deps.leases.acquire(run.resource, run.owner, run.timing.leaseTtlMs);
    run.renewedAt = run.now();
  } catch (error) {
    if (error instanceof LeaseHeldError) {
      throw new ProjectRoomRetryableError('the portal lease lapsed and was taken by another worker');
    }
    throw error;
  }
}

async function pause(run: Run, delay: number, what: string): Promise<void> {
  if (run.now() + delay > run.deadline) {
    throw new ProjectRoomRetryableError(`ran out of time while ${what}; the next delivery resumes`);
  }
  await run.sleep(delay);
  await renewLease(run);
}

/** Rooms (active or archived, never templates) whose title is exactly ours; the oldest first. */
async function findRoomByTitle(run: Run, title: string): Promise<FolderDto | undefined> {
  const candidates = await run.deps.rooms.listRooms({ searchArea: 'Any', filterValue: title });
  const exact = candidates.filter((r) => r.title === title && r.rootFolderType !== 30).sort((a, b) => a.id - b.id);
  if (exact.length > 1) {
    run.deps.log.warn('several rooms carry the same project title; reporting the oldest', {
      jobId: run.jobId,
      roomIds: exact.map((r) => r.id),
    });
  }
  return exact[0];
}

/** The room a status names, only if it is the one we asked for. */
async function confirmRoom(run: Run, roomId: number, title: string): Promise<FolderDto | undefined> {
  let room: FolderDto;
  try {
    room = await run.deps.rooms.getRoom(roomId);
  } catch (error) {
    if (error instanceof DocSpaceNotFoundError) return undefined;
    throw error;
  }
  return room.title === title && room.rootFolderType !== 30 ? room : undefined;
}

/** Waits until no creation is running in the portal; returns the finished status left behind, if any. */
async function waitForIdlePortal(run: Run): Promise<RoomFromTemplateStatusDto | undefined> {
  let delay = run.timing.pollInitialMs;
  for (;;) {
    const status = await run.deps.rooms.creationStatus();
    if (!status || status.isCompleted) return status;
    await pause(run, delay, 'waiting for a room creation already running in the portal');
    delay = Math.min(run.timing.pollMaxMs, Math.ceil(delay * 1.5));
  }
}

type Polled =
  | { kind: 'completed'; roomId: number }
  | { kind: 'failed'; error: string; roomId: number | undefined }
  | { kind: 'vanished' };

/**
 * Polls the portal's status until it is completed. Per NOTES 3.6 only `isCompleted` and `error` count:
 * progress runs 0..0.9 and then jumps to 100, and on failure `roomId` may name a room already deleted.
 */
async function pollCreation(run: Run, first: RoomFromTemplateStatusDto | undefined): Promise<Polled> {
  let status = first;
  let polled = false;
  let delay = run.timing.pollInitialMs;
  for (;;) {
    if (status?.isCompleted) {
      if (status.error) return { kind: 'failed', error: status.error, roomId: status.roomId ?? undefined };
      if (status.roomId !== undefined && status.roomId !== null) return { kind: 'completed', roomId: status.roomId };
      return { kind: 'vanished' };
    }
    if (!status && polled) return { kind: 'vanished' };
    await pause(run, delay, 'waiting for DocSpace to create the room');
    delay = Math.min(run.timing.pollMaxMs, Math.ceil(delay * 1.5));
    status = await run.deps.rooms.creationStatus();
    polled = true;
  }
}

async function createOrFindRoom(run: Run, title: string, templateId: number, projectType: string): Promise<Outcome> {
  const { deps } = run;
  let templateChecked = false;
  for (let attempt = 1; attempt <= run.timing.maxCreateAttempts; attempt++) {
    // A creation still running may be ours from a delivery that died; its room only counts once it is done.
    const before = await waitForIdlePortal(run);
    const existing = await findRoomByTitle(run, title);
    if (existing) {
      deps.log.info('found the project room already created', { jobId: run.jobId, roomId: existing.id });
      return { kind: 'room', room: existing, created: false };
    }
    if (!templateChecked) {
      const templates = await deps.rooms.listRooms({ searchArea: 'Templates' });
      if (!templates.some((t) => t.id === templateId)) {
        return {
          kind: 'failed',
          reason: `template ${templateId} (TEMPLATE_MAP for projectType "${projectType}") is not a room template on the portal`,
        };
      }
      templateChecked = true;
    }

    let started: RoomFromTemplateStatusDto | undefined;
    try {
      started = await deps.rooms.createFromTemplate({ templateId, title });
    } catch (error) {
      if (!(error instanceof DocSpaceError)) throw error;
      // Ambiguous: DocSpace may have started it. The status and the title search below tell.
      if (!error.ambiguous) {
        if (error.retryable) throw error;
        return { kind: 'failed', reason: `DocSpace refused to create the room: ${error.docspaceMessage}` };
      }
      deps.log.warn('room creation request failed ambiguously; checking what DocSpace did', { jobId: run.jobId });
    }

    const polled = await pollCreation(run, started);
    if (polled.kind === 'completed') {
      const room = await confirmRoom(run, polled.roomId, title);
      if (room) return { kind: 'room', room, created: true };
      // A status left over from, or belonging to, another creation. Never reported as ours.
      deps.log.warn('the portal status named a room that is not this project\'s', { jobId: run.jobId, roomId: polled.roomId });
    } else {
      const found = await findRoomByTitle(run, title);
      if (found) return { kind: 'room', room: found, created: true };
      if (polled.kind === 'failed') {
        const stale = before?.isCompleted && before.error === polled.error && (before.roomId ?? undefined) === polled.roomId;
        if (!stale) {
          return { kind: 'failed', reason: `DocSpace could not create the room from template ${templateId}: ${polled.error}` };
        }
        deps.log.warn('the portal still shows an earlier failed creation; starting ours again', { jobId: run.jobId });
      }
    }
  }
  throw new ProjectRoomRetryableError(`no room titled as requested appeared after ${run.timing.maxCreateAttempts} attempts`);
}

// ---------------------------------------------------------------------------------------------- callback

/**
 * Reports the room to the project system and only then ends the job `succeeded`: the report is part of the
 * work. A failure the callback port could not get past is retried by SQS redelivering the message (the job stays
 * running, its room in the result). A refused URL, a rejecting answer, or a failure on the last delivery fails
 * the job with the reason; the room stays in the result, and the same project event sent again resumes the job,
 * which then only reports.
 */
async function report(deps: ProjectRoomDeps, job: Job, receiveCount: number, timing: ProjectRoomTiming): Promise<void> {
  if (deps.callback) {
    const input = projectRoomInputSchema.parse(job.input);
    const { roomId, title, webUrl } = job.result as unknown as ProjectRoomResult;
    try {
      await deps.callback({ projectId: input.projectId, jobId: job.jobId, roomId, title, webUrl }, job.jobId);
    } catch (error) {
      // Anything unexpected (not a typed callback error) is presumed transient.
      const retryable = error instanceof CallbackFailedError ? error.retryable : !(error instanceof CallbackRefusedError);
      const message = error instanceof Error ? error.message : String(error);
      if (retryable && receiveCount < timing.lastAttempt) {
        deps.log.warn('callback not delivered yet; SQS will redeliver', { jobId: job.jobId, receiveCount, reason: message });
        throw error;
      }
      return failJob(deps, job, `callback to PROJECT_CALLBACK_URL not delivered: ${message}`);
    }
  }
  const done = await deps.store.transition(job.jobId, ['running'], 'succeeded', { run: job.run, progress: { total: 1, done: 1, failed: 0 } });
  if (done) deps.counters.count('JobsSucceeded');
}

// ---------------------------------------------------------------------------------------------- start-up check

/**
 * Logs what the start-up check finds, so a mapping to a template the portal does not have shows before a
 * project hits it. It only reports: each job still verifies its own template before creating a room, and a
 * portal that cannot be asked must not stop the worker.
 */
export async function logTemplateMapCheck(deps: Pick<ProjectRoomDeps, 'rooms' | 'log'>, templateMap: Record<string, number>): Promise<void> {
  try {
    const check = await checkTemplateMap(deps.rooms, templateMap);
    for (const m of check.missing) {
      deps.log.error('TEMPLATE_MAP names a template the portal does not have', { projectType: m.projectType, templateId: m.templateId });
    }
    if (check.unmapped.length) deps.log.info('portal templates no project type maps to', { templates: check.unmapped });
  } catch (error) {
    deps.log.warn('could not check TEMPLATE_MAP against the portal templates', { error: error instanceof Error ? error.message : String(error) });
  }
}

export interface TemplateMapCheck {
  /** Mapped project types whose template is not a room template on the portal. */
  missing: Array<{ projectType: string; templateId: number }>;
  /** Portal templates no project type maps to (informational). */
  unmapped: Array<{ id: number; title: string }>;
}

/** Compares TEMPLATE_MAP with the portal's templates (searchArea=Templates); run once per cold start. */
export async function checkTemplateMap(rooms: Pick<RoomsPort, 'listRooms'>, templateMap: Record<string, number>): Promise<TemplateMapCheck> {
  const templates = await rooms.listRooms({ searchArea: 'Templates' });
  const ids = new Set(templates.map((t) => t.id));
  const mapped = new Set(Object.values(templateMap));
  return {
    missing: Object.entries(templateMap)
      .filter(([, id]) => !ids.has(id))
      .map(([projectType, templateId]) => ({ projectType, templateId })),
    unmapped: templates.filter((t) => !mapped.has(t.id)).map((t) => ({ id: t.id, title: t.title })),
  };
}
