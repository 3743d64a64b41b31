import { chunkStep, folderStep, treeStep, type FolderScan } from '../../jobs/chunks';
import type { Job } from '../../jobs/store';
import { TREE_GROUP_FOLDERS, TREE_GROUP_WEIGHT, type FileMoveDeps } from './model';
import { isLive, pendingSteps } from './run-state';

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

/** Queues the finalizer when `job` is live in `run` and its last step has settled (the finalizer claims the run
 *  once, so a repeat is harmless). */
export async function finalizeIfLast(deps: Pick<FileMoveDeps, 'queue'>, job: Job | undefined, run: number): Promise<void> {
  if (isLive(job, run) && pendingSteps(job) === 0) await deps.queue.send([{ body: { kind: 'finalize', jobId: job.jobId, run } }]);
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
