import { randomUUID } from 'node:crypto';
import { DocSpaceResponseError } from '../../docspace/errors';
import { PAGE_SIZE, totalOrGuess } from '../../docspace/paginate';
import { fileMoveResult } from '../../jobs/job';
import type { JobError } from '../../jobs/store';
import { FINALIZER_STALE_MS, FINALIZE_BUDGET, LAST_ATTEMPT, fileMoveInputSchema, sourceLease, type FileMoveDeps } from './model';
import { locateFiles } from './locate';
import { describeError, isTransient } from './failures';
import { isLive, pendingSteps } from './run-state';
import { revokeGuest } from './revoke-guest';

/** A folder page still to read: the folder and the index of its next page. */
type Page = [folderId: number, startIndex: number];
interface Sweep {
  /** The claim (claimFinalize) the sweep works under: the message id of the finalizer that started it. */
  claim: string;
  /** This sweep's own id, written on every file error it finds in the source, so that a file error no sweep
   *  found this time is known to have left the source. A sweep started again gets a new one. */
  id: string;
  frontier: Page[];
}

/**
 * Closes a run once every step has settled, exactly once (a conditional claim; the steps may send several
 * finalize messages). It first settles the per-file report against DocSpace itself: a file still in the source
 * did not move, whatever a chunk concluded; a file a chunk gave up on that has left the source and is in its
 * destination did move. Only when no file is left behind is the guest's access revoked, and the job ends
 * succeeded; otherwise it ends failed with the reasons, keeps the guest, and a repeated event resumes it.
 *
 * The source is swept page by page within a budget (FINALIZE_BUDGET); what is left of it goes on in a message
 * of its own, under the same claim, so a room of any size is checked, and the guest removed, however many
 * invocations that takes. What a sweep finds is written to the run's error items, never to the job item.
 */
export async function finalizeRun(
  deps: FileMoveDeps,
  message: { jobId: string; run: number; sweep?: Sweep },
  context: { messageId: string; receiveCount: number },
): Promise<void> {
  const { jobId, run } = message;
  const job = await deps.store.get(jobId);
  if (!isLive(job, run) || pendingSteps(job) !== 0) return;
  // A part of a sweep renews its claim, so a long sweep is never taken for a dead one.
  const claim = message.sweep?.claim ?? context.messageId;
  const claimed = await deps.store.claimFinalize(jobId, run, claim, FINALIZER_STALE_MS);
  if (!claimed) return;
  const input = fileMoveInputSchema.parse(job.input);
  const sweep: Sweep = message.sweep ?? { claim, id: randomUUID(), frontier: [[input.sourceFolderId, 0]] };
  const lastChance = context.receiveCount >= LAST_ATTEMPT;
  const jobErrors: JobError[] = [];
  let progress = claimed.progress;
  let unscanned = 0;

  try {
    const frontier = await sweepSource(deps, jobId, run, sweep);
    if (frontier.length) {
      await deps.queue.send([{ body: { kind: 'finalize', jobId, run, sweep: { ...sweep, frontier } } }]);
      return;
    }
    ({ progress, unscanned } = await settleFileErrors(deps, jobId, run, sweep.id, claimed.progress));
  } catch (error) {
    if (isTransient(error) && !lastChance) throw error;
    // The counts the chunks reported stand; the job cannot be called clean without the check.
    jobErrors.push({ reason: `could not check the source for files left behind: ${describeError(error)}` });
  }

  let clean = progress.failed === 0 && unscanned === 0 && jobErrors.length === 0;
  let guestRevoked = false;
  if (clean && input.guest) {
    try {
      const revocation = await revokeGuest(deps.docspace, input.guest.roomId, input.guest.userId);
      guestRevoked = revocation.revoked;
      if (!revocation.revoked) jobErrors.push({ reason: revocation.reason });
    } catch (error) {
      if (isTransient(error) && !lastChance) throw error;
      jobErrors.push({ reason: `could not revoke guest ${input.guest.userId}: ${describeError(error)}` });
    }
    clean = guestRevoked;
  }

  if (jobErrors.length) await deps.store.recordErrors(jobId, run, jobErrors);
  // The run's start recorded the destination; a deal adds whether its guest lost access.
  const reported = fileMoveResult(claimed);
  const result = reported && { ...reported, ...(input.guest ? { guestRevoked } : {}) };
  const closed = await deps.store.transition(jobId, ['running'], clean ? 'succeeded' : 'failed', { run, result, progress });
  await deps.leases.release(sourceLease(input.sourceFolderId), jobId);
  if (!closed) return;
  deps.counters.count(clean ? 'JobsSucceeded' : 'JobsFailed');
  deps.log.info('job finished', { jobId, run, status: closed.status, progress: closed.progress });
}

/**
 * Reads the source's folders page by page, as many at once as the client's read cap allows and the most
 * recently found first (so the pages still to read stay about as many as the tree is deep times a page's
 * subfolders), until the frontier is empty or the invocation's budget is spent; returns what is left to read.
 * Each file found is written down under the sweep's id: one a chunk gave up on is marked as still here, one
 * nothing knows of (added to the room while the job ran; the plan never saw it) is recorded as left behind.
 * Repeating a part after a crash writes the same items again.
 */
async function sweepSource(deps: FileMoveDeps, jobId: string, run: number, sweep: Sweep): Promise<Page[]> {
  const budget = deps.finalizeBudget ?? FINALIZE_BUDGET;
  const now = deps.now ?? Date.now;
  const deadline = now() + budget.ms;
  const frontier: Page[] = [...sweep.frontier];
  const found: Array<{ id: number; title: string }> = [];
  const width = deps.docspace.readWidth;
  let pages = 0;
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      const spent = pages >= budget.pages || now() >= deadline;
      if ((frontier.length === 0 || spent) && active === 0) return resolve();
      while (!spent && active < width && frontier.length > 0 && pages < budget.pages) {
        const [folderId, startIndex] = frontier.pop()!;
        active += 1;
        pages += 1;
        deps.docspace.folderPage(folderId, startIndex).then(
          (page) => {
            active -= 1;
            if (page.skipped.length) {
              // The check decides that nothing is left behind: an entry it cannot read must not vanish from it.
              failed = true;
              const named = page.skipped.map((e) => `${e.id ?? '?'}${e.title ? ` "${e.title}"` : ''} (${e.reason})`).join(', ');
              reject(new DocSpaceResponseError(200, `folder ${folderId} holds entries that are not internal files or folders: ${named}`, 'GET', `/api/2.0/files/${folderId}`));
              return;
            }
            const onPage = page.count ?? page.folders.length + page.files.length;
            if (onPage > 0 && startIndex + onPage < totalOrGuess(page.total, startIndex, onPage, PAGE_SIZE)) frontier.push([folderId, startIndex + onPage]);
            for (const folder of page.folders) frontier.push([folder.id, 0]);
            for (const file of page.files) found.push({ id: file.id, title: file.title });
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
  if (found.length) {
    const recorded = new Map((await deps.store.errors(jobId, run)).filter((e) => e.fileId !== undefined).map((e) => [e.fileId!, e]));
    await deps.store.recordErrors(
      jobId,
      run,
      found.map((f) => {
        const known = recorded.get(f.id);
        // Chunks record where a file was meant to go; one without that is the finalizer's own, and is rewritten.
        return known?.destFolderId !== undefined
          ? { ...known, sweep: sweep.id }
          : { fileId: f.id, title: f.title, reason: 'still in the source after the move (added while the job ran?)', sweep: sweep.id };
      }),
    );
  }
  return frontier;
}

/**
 * Reconciles the recorded per-file errors with where the files really are, once the sweep `sweepId` has read
 * the whole source, and returns the run's final counts and how many folders could not be scanned. Every planned
 * file was counted by its chunk as done or failed, so `total - failed` is what moved. The numbers are absolute,
 * so a finalizer that repeats this after a crash writes the same ones.
 */
async function settleFileErrors(
  deps: FileMoveDeps,
  jobId: string,
  run: number,
  sweepId: string,
  counted: { total: number; done: number; failed: number },
): Promise<{ progress: { total: number; done: number; failed: number }; unscanned: number }> {
  const errors = await deps.store.errors(jobId, run);
  const fileErrors = errors.filter((e) => e.fileId !== undefined);
  const inSource = (e: JobError) => e.sweep === sweepId;
  const recorded = fileErrors.filter((e) => e.destFolderId !== undefined);
  // The finalizer's own entries that this sweep did not find again: from an earlier sweep, and gone since.
  const stale = fileErrors.filter((e) => e.destFolderId === undefined && !inSource(e)).map((e) => e.fileId!);
  if (stale.length) await deps.store.deleteErrors(jobId, run, stale);

  // Gave up on, yet gone from the source: look where it was meant to go.
  const gone = recorded.filter((e) => !inSource(e));
  const movedAfterAll: number[] = [];
  const where = await locateFiles(deps, gone.map((e) => e.fileId!));
  for (const e of gone) if (where.get(e.fileId!) === e.destFolderId) movedAfterAll.push(e.fileId!);
  if (movedAfterAll.length) {
    await deps.store.deleteErrors(jobId, run, movedAfterAll);
    deps.log.info('files reported as failed had moved after all', { jobId, run, files: movedAfterAll.length });
  }

  // Still in the source without a recorded reason: added to the room while the job ran (the plan never saw them).
  const unplanned = fileErrors.filter((e) => e.destFolderId === undefined && inSource(e)).length;
  const failed = recorded.length - movedAfterAll.length + unplanned;
  const total = counted.total + unplanned;
  return { progress: { total, done: total - failed, failed }, unscanned: errors.filter((e) => e.folderId !== undefined).length };
}
