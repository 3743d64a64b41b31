import { setTimeout as realSleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Job } from '../../jobs/store';
import type { MessageContext } from '../../queue/worker';
import { createOrFindRoom, type Outcome } from './create-room';
import {
  DEFAULT_TIMING,
  projectRoomInputSchema,
  type ProjectRoomDeps,
  type ProjectRoomMessage,
  type ProjectRoomSettings,
  type Run,
} from './model';
import { acquirePortalLease, portalLease } from './portal-lease';
import { failJob, recordRoom, report } from './report';
import { messageOf } from '../../errors';

export { acceptProject } from './accept';
export {
  projectEventSchema,
  projectRoomMessageSchema,
  roomTitle,
  type ProjectCallback,
  type ProjectRoomDeps,
  type ProjectRoomMessage,
  type ProjectRoomSettings,
} from './model';
export { portalLease } from './portal-lease';
export { docspaceRooms, type RoomsPort } from './rooms-port';
export { checkTemplateMap, logTemplateMapCheck, type TemplateMapCheck } from './template-check';

/*
 * Workflow 4, `project-room`: a new project in the PM system gets one DocSpace room, created from the template its
 * type maps to, titled `<projectName> (<projectId>)`. One name throughout: functions/project-room/ (functions
 * projectRoomWebhook, POST /webhooks/projects, and projectRoomWorker), this folder, and jobs
 * `project-room-<hash of projectId>`.
 *
 * DocSpace keeps one room-from-template status per portal, without a task id or a title (NOTES 3.6): a POST
 * made while another creation runs is answered with that other creation's status, and a finished status stays
 * until the next start. So creations are serialised per portal with a DynamoDB lease, and no status is trusted
 * until GET files/rooms/{id} shows the exact title we asked for. The title is also the recovery key: before
 * creating, the lease holder looks for a room with that exact title, so a run that died after DocSpace created
 * the room (or while the creation was still going) finds it instead of making a second one.
 */

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
    sleep: deps.sleep ?? ((ms) => realSleep(ms)),
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
    const reason = messageOf(error);
    outcome = { kind: 'failed', reason: `gave up after ${context.receiveCount} attempts: ${reason}` };
  } finally {
    await deps.leases.release(run.resource, run.owner);
  }

  if (outcome.kind === 'failed') return failJob(deps, job, outcome.reason);
  if (withRoom) await report(deps, withRoom, context.receiveCount, timing);
}
