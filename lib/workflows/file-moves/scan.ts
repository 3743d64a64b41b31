import { PAGE_SIZE } from '../../docspace/paginate';
import type { FileDto, FolderDto } from '../../docspace/schemas';
import { folderStep, type FolderScan, type PlannedFile } from '../../jobs/chunks';
import { planMirrors, treeOwner } from './destination';
import { CHUNK_SIZE, LAST_ATTEMPT, SCAN_ENTRIES, type FileMoveDeps } from './model';
import { describeError, isTransient } from './failures';
import { oneAtATime } from './one-at-a-time';
import { isLive } from './run-state';
import { resendSteps, sendSteps, subfolderSteps } from './steps';

/**
 * Scans one source folder of a run: lists its direct children (every page), finds or creates the mirror of each
 * subfolder under the folder that mirrors this one (so same-titled files from different subfolders never meet),
 * writes the folder's files as chunks of at most 100, then settles and queues the chunks and the subfolders'
 * scans. A room is planned folder by folder, and a big folder batch by batch (SCAN_ENTRIES), so its size never
 * has to fit in one invocation.
 *
 * Nothing here moves a file. The scan is recorded before it settles and settles once; a scan that died before
 * settling is simply done again (its folders are found, not created twice), and one that died after settling
 * re-sends, on its redelivery, whatever it found that has not settled since.
 */
export async function scanFolder(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; sourceFolderId: number; destFolderId: number; startIndex?: number; chunksBefore?: number },
  receiveCount: number,
): Promise<void> {
  const { jobId, run, sourceFolderId } = message;
  const startIndex = message.startIndex ?? 0;
  if (!isLive(await deps.store.get(jobId), run)) return;
  await oneAtATime(deps, `scan:${jobId}:${run}:${sourceFolderId}@${startIndex}`, receiveCount, async () => {
    const step = folderStep(run, sourceFolderId, startIndex);
    if ((await deps.chunks.settledAmong(jobId, [step])).has(step)) {
      const [read, scan] = await Promise.all([deps.store.get(jobId), deps.chunks.getScan(jobId, run, sourceFolderId, startIndex)]);
      // A settler that died after claiming the step's marker may not have counted it: settling again with the
      // recorded scan counts it then (and only then), or finishes the marker's bookkeeping.
      const counted =
        receiveCount > 1 && scan?.files !== undefined
          ? await deps.chunks.settle(jobId, run, step, { pending: subfolderSteps(scan) + scan.chunkCount + (scan.next ? 1 : 0) - 1, total: scan.files })
          : undefined;
      const job = counted ?? read;
      if (receiveCount > 1 && isLive(job, run)) await resendSteps(deps, job, sourceFolderId, scan ?? { folders: [], chunkCount: 0 });
      return;
    }

    let scan: Awaited<ReturnType<typeof scanOnce>>;
    try {
      scan = await scanOnce(deps, { ...message, startIndex, chunksBefore: message.chunksBefore ?? 0 });
      await deps.chunks.writeScan(jobId, run, sourceFolderId, scan, startIndex);
    } catch (error) {
      if (isTransient(error) && receiveCount < LAST_ATTEMPT) throw error;
      // The folder's files stay unplanned; the finalizer finds them in the source, and the job fails saying why.
      deps.log.error('folder could not be scanned', { jobId, run, sourceFolderId, error: describeError(error) });
      await deps.store.recordErrors(jobId, run, [{ folderId: sourceFolderId, reason: `folder ${sourceFolderId} could not be scanned: ${describeError(error)}` }]);
      // The batches before this one wrote their chunks: they are still queued, so that what they planned moves;
      // recorded like any scan, so that a redelivery after a crash before they are sent sends them again.
      scan = { destFolderId: message.destFolderId, folders: [], chunks: [], firstChunk: 0, queued: message.chunksBefore ?? 0 };
      await deps.chunks.writeScan(jobId, run, sourceFolderId, scan, startIndex);
    }

    const files = scan.chunks.reduce((n, c) => n + c.length, 0);
    const pending = subfolderSteps(scan) + scan.queued + (scan.next ? 1 : 0) - 1;
    await deps.chunks.settle(jobId, run, step, { pending, total: files }, (job) =>
      sendSteps(deps, job, sourceFolderId, { folders: scan.folders, chunkCount: scan.queued, destFolderId: scan.destFolderId, ...(scan.next ? { next: scan.next } : {}) }),
    );
  });
}

/**
 * Lists one batch of a folder (SCAN_ENTRIES from `startIndex`; the whole folder when it is smaller) and plans it.
 * A folder listed in batches moves nothing until its last batch is listed (the last batch queues every chunk),
 * so the offsets of the later pages hold; and its subfolders are all mirrored, none moved whole, since moving
 * one would shift them too.
 */
async function scanOnce(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; sourceFolderId: number; destFolderId: number; startIndex: number; chunksBefore: number },
) {
  const listing = await listBatch(deps, message.sourceFolderId, message.startIndex);
  const batched = message.startIndex > 0 || listing.more;
  // In id order, so that a repeated scan pairs same-titled subfolders with the same mirrors.
  const subfolders = listing.folders.sort((a, b) => a.id - b.id);
  // A subfolder whose title no sibling shares, and that finds no folder of its title in the destination, moves
  // whole (move-folder.ts); the others are mirrored and scanned. Same-titled siblings keep a mirror each.
  const titleCount = new Map<string, number>();
  for (const f of subfolders) titleCount.set(f.title.toLowerCase(), (titleCount.get(f.title.toLowerCase()) ?? 0) + 1);
  const whole = (f: { id: number; title: string }) =>
    deps.wholeFolders !== false && !batched && titleCount.get(f.title.toLowerCase()) === 1
      ? treeOwner(message.jobId, message.run, f.id)
      : (false as const);
  const plan = await planMirrors(deps.docspace, deps.leases, message.destFolderId, subfolders.map((f) => ({ title: f.title, whole: whole(f) })));
  const files = listing.files.sort((a, b) => a.id - b.id).map((f) => ({ id: f.id, title: f.title }));
  const chunks: PlannedFile[][] = [];
  for (let i = 0; i < files.length; i += CHUNK_SIZE) chunks.push(files.slice(i, i + CHUNK_SIZE));
  const written = message.chunksBefore + chunks.length;
  return {
    destFolderId: message.destFolderId,
    folders: subfolders.map((f, i) =>
      plan[i]!.destFolderId === undefined
        ? { sourceFolderId: f.id, destFolderId: message.destFolderId, whole: true, title: f.title, weight: 1 + (f.foldersCount ?? 0) }
        : { sourceFolderId: f.id, destFolderId: plan[i]!.destFolderId! },
    ),
    chunks,
    firstChunk: message.chunksBefore,
    queued: listing.more ? 0 : written,
    ...(listing.more ? { next: { startIndex: message.startIndex + SCAN_ENTRIES, chunksBefore: written } } : {}),
  };
}

/** Up to SCAN_ENTRIES entries of a folder from `startIndex`, page by page; `more` when the folder goes on. */
async function listBatch(deps: FileMoveDeps, folderId: number, startIndex: number) {
  const folders: FolderDto[] = [];
  const files: FileDto[] = [];
  let index = startIndex;
  let total = Infinity;
  while (index < startIndex + SCAN_ENTRIES && index < total) {
    const page = await deps.docspace.folderPage(folderId, index);
    folders.push(...page.folders);
    files.push(...page.files);
    const onPage = page.count ?? page.folders.length + page.files.length;
    // Without a total (NOTES 2.2: older servers), a full page means there may be more.
    total = page.total ?? (onPage >= PAGE_SIZE ? Infinity : index + onPage);
    if (onPage === 0) break;
    index += onPage;
  }
  return { folders, files, more: index < total };
}
