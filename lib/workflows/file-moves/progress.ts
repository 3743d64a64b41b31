import { randomUUID } from 'node:crypto';
import { DocSpaceError } from '../../docspace/errors';
import { chunkStep, folderStep, treeStep, type FolderScan } from '../../jobs/chunks';
import { LeaseHeldError } from '../../jobs/lease';
import type { Job } from '../../jobs/store';
import { INVOCATION_LEASE_MS, TREE_GROUP_FOLDERS, TREE_GROUP_WEIGHT, type FileMoveDeps } from './model';

/** The job is in `run` and that run is under way: the only state in which its steps do anything. */
export function isLive(job: Job | undefined, run: number): job is Job {
  return job !== undefined && job.run === run && job.status === 'running';
}

/** Steps of the run queued and not yet settled (lib/jobs/chunks.ts); 0 once the last one has settled. */
export function pendingSteps(job: Job): number | undefined {
  return (job.state as { pending?: number } | undefined)?.pending;
}

/** Thrown by a redelivered message that finds its step held by another invocation: SQS tries it again later. */
export class StepBusyError extends Error {
  override readonly name = 'StepBusyError';
  constructor(readonly resource: string) {
    super(`${resource} is being worked on by another invocation`);
  }
}

/**
 * Runs a step (a folder scan, a chunk) in one invocation at a time, so that no two invocations list the
 * same folder into two plans or move the same files at once. A first delivery that finds the step held is a
 * duplicate of a message still in flight (a re-send, or SQS delivering twice), whose own message comes back
 * if its invocation dies, so it can go. A redelivery may be that very message, back after its visibility
 * timeout while its first invocation still runs: deleting it could lose the step, so it fails and SQS tries
 * again later.
 */
export async function oneAtATime(
  deps: Pick<FileMoveDeps, 'leases' | 'log'>,
  resource: string,
  receiveCount: number,
  work: () => Promise<void>,
): Promise<void> {
  const owner = randomUUID();
  try {
    await deps.leases.acquire(resource, owner, INVOCATION_LEASE_MS);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    if (receiveCount > 1) throw new StepBusyError(resource);
    deps.log.info('step in progress in another invocation; this duplicate stands back', { resource });
    return;
  }
  try {
    await work();
  } finally {
    await deps.leases.release(resource, owner);
  }
}

/**
 * Queues what a settled folder scan found: its subfolders' scans and its chunks (those that have not settled
 * since, when `settled` is given), or the finalizer when the run has nothing left pending.
 */
export async function sendSteps(
  deps: Pick<FileMoveDeps, 'queue'>,
  job: Job,
  sourceFolderId: number,
  scan: FolderScan & { destFolderId?: number },
  settled?: Set<string>,
): Promise<void> {
  const { jobId, run } = job;
  if (pendingSteps(job) === 0) {
    await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
    return;
  }
  const open = (step: string) => !settled?.has(step);
  const { mirrored, groups } = splitFolders(scan);
  await deps.queue.send([
    ...mirrored
      .filter((f) => open(folderStep(run, f.sourceFolderId)))
      .map((f) => ({ body: { kind: 'folder', jobId, run, sourceFolderId: f.sourceFolderId, destFolderId: f.destFolderId } })),
    ...groups
      .filter((g) => open(treeStep(run, g[0]!.sourceFolderId, g.length)))
      .map((g) => ({ body: treeMessage(jobId, run, g[0]!.destFolderId, g) })),
    ...Array.from({ length: scan.chunkCount }, (_, index) => index)
      .filter((index) => open(chunkStep(run, sourceFolderId, index)))
      .map((index) => ({ body: { kind: 'chunk', jobId, run, sourceFolderId, index } })),
    ...(scan.next && open(folderStep(run, sourceFolderId, scan.next.startIndex))
      ? [{ body: { kind: 'folder', jobId, run, sourceFolderId, destFolderId: destOf(scan, sourceFolderId), ...scan.next } }]
      : []),
  ]);
}

const destOf = (scan: FolderScan & { destFolderId?: number }, sourceFolderId: number): number => {
  if (scan.destFolderId === undefined) throw new Error(`the scan of folder ${sourceFolderId} lost its destination`);
  return scan.destFolderId;
};

/** How many steps a scan's subfolders make: one per mirrored folder, one per group of folders moved whole. */
export function subfolderSteps(scan: Pick<FolderScan, 'folders'>): number {
  const { mirrored, groups } = splitFolders(scan);
  return mirrored.length + groups.length;
}

/**
 * The scan's mirrored subfolders, and its whole-moving ones in groups of siblings moved by one operation
 * (TREE_GROUP_FOLDERS, TREE_GROUP_WEIGHT). Deterministic, so a re-sent scan makes the same groups.
 */
export function splitFolders(scan: Pick<FolderScan, 'folders'>) {
  const mirrored = scan.folders.filter((f) => !f.whole);
  const groups: Array<FolderScan['folders']> = [];
  let weight = 0;
  for (const f of scan.folders.filter((x) => x.whole)) {
    const w = f.weight ?? 1;
    const last = groups[groups.length - 1];
    if (last && last.length < TREE_GROUP_FOLDERS && weight + w <= TREE_GROUP_WEIGHT) {
      last.push(f);
      weight += w;
    } else {
      groups.push([f]);
      weight = w;
    }
  }
  return { mirrored, groups };
}

export function treeMessage(jobId: string, run: number, destFolderId: number, folders: Array<{ sourceFolderId: number; title?: string }>) {
  return {
    kind: 'tree' as const,
    jobId,
    run,
    sourceFolderId: folders[0]!.sourceFolderId,
    destFolderId,
    folders: folders.map((f) => ({ sourceFolderId: f.sourceFolderId, title: f.title ?? '' })),
  };
}

/** Queues again what a settled scan found that has not settled since (its worker died before queuing it). */
export async function resendSteps(
  deps: Pick<FileMoveDeps, 'queue' | 'chunks'>,
  job: Job,
  sourceFolderId: number,
  scan: FolderScan & { destFolderId?: number },
): Promise<void> {
  const { jobId, run } = job;
  const { mirrored, groups } = splitFolders(scan);
  const steps = [
    ...mirrored.map((f) => folderStep(run, f.sourceFolderId)),
    ...groups.map((g) => treeStep(run, g[0]!.sourceFolderId, g.length)),
    ...Array.from({ length: scan.chunkCount }, (_, index) => chunkStep(run, sourceFolderId, index)),
    ...(scan.next ? [folderStep(run, sourceFolderId, scan.next.startIndex)] : []),
  ];
  await sendSteps(deps, job, sourceFolderId, scan, await deps.chunks.settledAmong(jobId, steps));
}

/** A reason fit for a job report: DocSpace errors are already scrubbed of credentials; others give only their message. */
export function describeError(error: unknown): string {
  if (error instanceof DocSpaceError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Transient: the same step may succeed on a later delivery. Unknown errors are treated as transient. */
export function isTransient(error: unknown): boolean {
  return error instanceof DocSpaceError ? error.retryable || error.ambiguous : true;
}
