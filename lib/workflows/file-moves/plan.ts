import { randomUUID } from 'node:crypto';
import { listTree } from '../../docspace/folders';
import { LeaseHeldError } from '../../jobs/lease';
import type { PlannedFile } from '../../jobs/chunks';
import type { Job } from '../../jobs/store';
import { mirrorFolders, resolveDestinationRoot } from './destination';
import {
  CHUNK_SIZE,
  LAST_CHUNK_ATTEMPT,
  LEASE_RETRY_DELAY_SECONDS,
  PLAN_BUSY_DELAY_SECONDS,
  PLAN_LEASE_MS,
  PLANNER_STALE_MS,
  SOURCE_LEASE_MS,
  fileMoveInputSchema,
  sourceLease,
  type FileMoveDeps,
} from './model';
import { describeError, recordedPlan, sendPendingChunks } from './progress';

/**
 * Plans one run of a file-move job: lists the source completely, prepares the destination once, writes chunks
 * of at most 100 files per destination folder, then queues them. Nothing here moves a file, so a planner that
 * dies can simply be run again.
 */
export async function planRun(
  deps: FileMoveDeps,
  jobId: string,
  run: number,
  planner: string,
  receiveCount = 1,
): Promise<void> {
  const job = await deps.store.get(jobId);
  if (!job || job.run !== run || (job.status !== 'queued' && job.status !== 'running')) return;
  const input = fileMoveInputSchema.parse(job.input);

  try {
    await deps.leases.acquire(sourceLease(input.sourceFolderId), jobId, SOURCE_LEASE_MS);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    deps.log.info('source room busy with another job; planning later', { jobId, sourceFolderId: input.sourceFolderId });
    await deps.queue.send([{ body: { kind: 'plan', jobId, run }, delaySeconds: LEASE_RETRY_DELAY_SECONDS }]);
    return;
  }

  const claimed = await deps.store.claimPlanning(jobId, run, planner, PLANNER_STALE_MS);
  if (!claimed) {
    // Another delivery planned (or is planning) this run; make sure its chunks were all queued.
    await resendIfStalled(deps, job, planner);
    return;
  }

  // One planning invocation at a time per run: a message that comes back while its first delivery still runs
  // (a visibility timeout shorter than the planning) must not mirror folders beside it, or each would create
  // its own copy of every subfolder. The lease outlives any Lambda, so a dead planner frees it soon enough.
  const invocation = randomUUID();
  try {
    await deps.leases.acquire(planLease(jobId, run), invocation, PLAN_LEASE_MS);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    // This message is about to be deleted while the first delivery may still fail; the delayed copy carries the
    // planner's identity, so it can take up the claim if that happens.
    await deps.queue.send([{ body: { kind: 'plan', jobId, run, planner }, delaySeconds: PLAN_BUSY_DELAY_SECONDS }]);
    return;
  }
  try {
    await plan(deps, claimed, input);
  } catch (error) {
    if (receiveCount < LAST_CHUNK_ATTEMPT) throw error;
    // Out of retries: end the run failed, so that the job is not left "running" with nothing queued and a
    // repeated event can resume it.
    deps.log.error('planning failed for good', { jobId, run, error: describeError(error) });
    await deps.store.recordErrors(jobId, run, [{ reason: `planning failed: ${describeError(error)}` }]);
    const closed = await deps.store.transition(jobId, ['running'], 'failed', { run });
    await deps.leases.release(sourceLease(input.sourceFolderId), jobId);
    if (closed) deps.counters.count('JobsFailed');
  } finally {
    await deps.leases.release(planLease(jobId, run), invocation);
  }
}

const planLease = (jobId: string, run: number) => `plan:${jobId}:${run}`;

async function plan(
  deps: FileMoveDeps,
  claimed: Job,
  input: ReturnType<typeof fileMoveInputSchema.parse>,
): Promise<void> {
  const { jobId, run } = claimed;
  const destRoot = await resolveDestinationRoot(deps.docspace, deps.leases, jobId, input.destination);
  const tree = await listTree(deps.docspace, input.sourceFolderId);
  const destOf = await mirrorFolders(
    deps.docspace,
    input.sourceFolderId,
    destRoot,
    tree.folders.map((f) => ({ id: f.id, parentId: f.parentId, title: f.title })),
  );

  // Each destination folder mirrors exactly one source folder, so a chunk has one source and one destination:
  // the worker then checks what moved by listing one folder.
  const bySource = new Map<number, PlannedFile[]>();
  for (const file of [...tree.files].sort((a, b) => a.id - b.id)) {
    if (!destOf.has(file.folderId)) throw new Error(`file ${file.id} is in folder ${file.folderId}, which the listing did not return`);
    const list = bySource.get(file.folderId) ?? [];
    list.push({ id: file.id, title: file.title });
    bySource.set(file.folderId, list);
  }
  const chunks: { sourceFolderId: number; destFolderId: number; files: PlannedFile[] }[] = [];
  for (const [sourceFolderId, files] of bySource) {
    const destFolderId = destOf.get(sourceFolderId)!;
    for (let i = 0; i < files.length; i += CHUNK_SIZE) chunks.push({ sourceFolderId, destFolderId, files: files.slice(i, i + CHUNK_SIZE) });
  }

  const token = (claimed.state as { planToken: string }).planToken;
  await deps.chunks.writePlan(jobId, run, token, chunks);
  const planned = await deps.store.finishPlanning(jobId, run, token, {
    chunkCount: chunks.length,
    total: claimed.progress.done + tree.files.length,
    result: { ...(claimed.result ?? {}), [input.resultKey]: destRoot },
  });
  if (!planned) return; // another claim took over; its plan is the one that counts and it queues its own chunks
  deps.log.info('job planned', { jobId, run, files: tree.files.length, chunks: chunks.length, folders: destOf.size });

  if (chunks.length === 0) {
    await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
    return;
  }
  await deps.queue.send(chunks.map((_, index) => ({ body: { kind: 'chunk', jobId, run, index } })));
}

/**
 * A plan whose chunk messages were never all sent (a crash mid-send) is completed by the next plan delivery:
 * at once when it is the same planner's message coming back, otherwise once the plan is old enough that its
 * chunks should long have been picked up. Chunks sent twice are harmless; each counts once.
 */
async function resendIfStalled(deps: FileMoveDeps, job: Job, planner: string): Promise<void> {
  const fresh = await deps.store.get(job.jobId);
  const plan = fresh && recordedPlan(fresh);
  if (!fresh || !plan || fresh.run !== job.run || fresh.status !== 'running') return;
  const state = fresh.state as { plannedAt?: number; planner?: string };
  const now = (deps.now ?? Date.now)();
  const samePlanner = state.planner === planner;
  if (!samePlanner && now - (state.plannedAt ?? now) < PLANNER_STALE_MS) return;
  await sendPendingChunks(deps, job.jobId, job.run, plan.chunkCount);
}
