import { DocSpaceError, DocSpaceNotFoundError } from '../../docspace/errors';
import type { CopyAttempt, CopyStore } from '../../jobs/copies';
import type { UploadCopyResult } from '../../jobs/job';
import type { JobError, JobStore } from '../../jobs/store';
import type { Log } from '../../log';
import type { Counters } from '../../metrics';
import type { MessageContext } from '../../queue/worker';
import type { SourceFile, UploadCopyDocSpace } from './docspace-port';
import {
  CopyFailedError,
  CopyNotSettledError,
  PermanentCopyError,
  uploadCopyInputSchema,
  type CopyRule,
  type UploadCopyMessage,
} from './model';
import type { RoomResolver } from './rooms';
import { messageOf } from '../../errors';
import { MAX_RECEIVE_COUNT } from '../../queue/attempts';

/** The very last delivery (lib/queue/attempts.ts): a copy that still fails on it records the failure and goes on to
 *  the DLQ, whose alarm calls an operator; a permanent failure ends the job earlier. */
export const LAST_COPY_ATTEMPT = MAX_RECEIVE_COUNT;
/** A claimed copy whose worker has been silent this long (well over the worker's 60 s timeout) is presumed dead. */
const CLAIM_STALE_MS = 120_000;
/**
 * A copy request whose outcome we never learned may still be running in DocSpace. Only after this long (DocSpace
 * forgets results after 60 s idle, and one file copies in far less) is "not in the destination" taken to mean
 * "never happened" and the copy sent again.
 */
export const COPY_SETTLE_MS = 90_000;
/** How soon a delivery that found an earlier copy unsettled looks for it again, at the earliest. */
export const COPY_RECHECK_SECONDS = 10;
/** Destination files created this much before our copy request still count (clock skew between us and DocSpace). */
const CLOCK_SKEW_MS = 5_000;

export interface UploadCopyDeps {
  docspace: UploadCopyDocSpace;
  rooms: RoomResolver;
  rules: CopyRule[];
  store: Pick<JobStore, 'get' | 'claimPlanning' | 'transition' | 'resume' | 'recordErrors' | 'addProgress'>;
  copies: CopyStore;
  log: Log;
  counters: Counters;
  now?: () => number;
}

/** One copy made; the job's result lists them (UploadCopyResult). A type, not an interface, so it fits the result's loose shape. */
type CopyResult = {
  destFolderId: number;
  newFileId: number;
  newTitle?: string;
};

/**
 * Copies the uploaded file of one job to every destination its room has a rule for, each exactly once.
 *
 * Only one worker works on a job at a time (a conditional claim on the job; a redelivery of the same SQS
 * message may take it back, anyone may after CLAIM_STALE_MS). Per destination, the crash window between
 * "copy requested" and "new file id recorded" is closed like this:
 * - `startedAt` is written before the PUT and the operation id right after it;
 * - a worker that finds an operation id asks DocSpace for that operation's result;
 * - when the result is gone (DocSpace hands it out once, and forgets it after 60 s) or there is no operation id
 *   (the worker died during the PUT), the destination is read: a file with the source's title (or DocSpace's
 *   `title (n).ext` for Duplicate), the same size, created after `startedAt` and not already claimed as another
 *   job's copy is this job's copy. FileDto does not say which file a copy came from (DocSpace's `originId` is set
 *   for Trash and Recent, not for copies, and the simulator does not send it), so title + size + time is the
 *   evidence we have; the claim on the new file id keeps two jobs from adopting the same file.
 * - nothing found and the request is younger than COPY_SETTLE_MS: the copy may still be running, so the
 *   message is retried later; older: the request never took effect, and the copy is sent again.
 */
export async function copyUpload(deps: UploadCopyDeps, message: UploadCopyMessage, context: MessageContext): Promise<void> {
  const now = deps.now ?? Date.now;
  let job = await deps.store.get(message.jobId);
  if (!job) {
    deps.log.warn('upload copy message for an unknown job', { jobId: message.jobId });
    return;
  }
  if (job.status === 'succeeded' || job.run > message.run) return;
  if (job.status === 'failed') {
    // Only a message that SQS gave up on comes back for a failed job: the DLQ being redriven after a fix.
    const resumed = await deps.store.resume(job);
    if (!resumed) return;
    job = resumed;
  }
  const claimed = await deps.store.claimPlanning(job.jobId, job.run, context.messageId, CLAIM_STALE_MS);
  // Someone else is copying this job right now; their message comes back if they die, so this one can go.
  if (!claimed) return;
  const { jobId, run } = claimed;
  const input = uploadCopyInputSchema.parse(claimed.input);

  try {
    const source = await readSource(deps, input.sourceFileId);
    if (!source) return await finish(deps, jobId, run, { sourceFileId: input.sourceFileId, ignored: true, reason: 'the file no longer exists' });

    const madeBy = await deps.copies.copiedBy(source.id);
    if (madeBy) {
      return await finish(deps, jobId, run, {
        sourceFileId: source.id,
        ignored: true,
        reason: `the file is a copy made by job ${madeBy.jobId}`,
      });
    }

    const sourceRooms = new Set(deps.rules.map((r) => r.sourceRoomId));
    const { roomId, path } = await deps.rooms.locate(source.folderId, sourceRooms);
    const ruled = [...new Set(deps.rules.filter((r) => r.sourceRoomId === roomId).map((r) => r.destFolderId))];
    // A destination may lie inside its own rule's source room; a file uploaded into that destination (or below
    // it) is already where the rule would put it, and a copy beside it would be a second one.
    const destinations = ruled.filter((dest) => !path.includes(dest));
    if (destinations.length === 0) {
      return await finish(deps, jobId, run, {
        sourceFileId: source.id,
        ignored: true,
        reason:
          roomId === null
            ? 'the file is not in a room'
            : ruled.length === 0
              ? `no copy rule for room ${roomId}`
              : `the file was uploaded into destination folder ${ruled.join(', ')} of room ${roomId}'s rules, where a copy would stand beside it`,
      });
    }
    if (claimed.progress.total !== destinations.length) {
      await deps.store.transition(jobId, ['running'], 'running', { run, total: destinations.length });
    }

    const results: CopyResult[] = [];
    for (const dest of destinations) {
      results.push(await copyTo(deps, jobId, source, dest, now));
    }
    deps.counters.count('FilesCopied', results.length);
    const first = results[0]!;
    await finish(deps, jobId, run, {
      sourceFileId: source.id,
      destFolderId: first.destFolderId,
      newFileId: first.newFileId,
      ...(first.newTitle ? { newTitle: first.newTitle } : {}),
      ...(results.length > 1 ? { copies: results } : {}),
      ...(destinations.length < ruled.length ? { alreadyIn: ruled.filter((d) => !destinations.includes(d)) } : {}),
    }, Math.max(0, results.length - claimed.progress.done));
  } catch (error) {
    const permanent = error instanceof PermanentCopyError;
    if (!permanent && context.receiveCount < LAST_COPY_ATTEMPT) {
      deps.log.warn('upload copy attempt failed; SQS will retry', { jobId, attempt: context.receiveCount, error: describe(error) });
      throw error;
    }
    const reason = describe(error);
    const errors: JobError[] = [{ fileId: input.sourceFileId, ...(input.title ? { title: input.title } : {}), reason }];
    await deps.store.recordErrors(jobId, run, errors);
    // Counters are additive; an attempt that died after counting must not count again.
    if (claimed.progress.failed === 0) await deps.store.addProgress(jobId, run, { failed: 1 });
    await deps.store.transition(jobId, ['running'], 'failed', { run });
    deps.counters.count('JobsFailed');
    deps.log.error('upload copy failed', { jobId, sourceFileId: input.sourceFileId, reason, permanent });
    // A transient failure on the last attempt goes on to the DLQ (its alarm); a permanent one ends here.
    if (!permanent) throw error;
  }
}

async function readSource(deps: UploadCopyDeps, fileId: number): Promise<SourceFile | undefined> {
  try {
    return await deps.docspace.getFile(fileId);
  } catch (error) {
    if (error instanceof DocSpaceNotFoundError) return undefined;
    throw error;
  }
}

async function finish(
  deps: UploadCopyDeps,
  jobId: string,
  run: number,
  result: UploadCopyResult,
  done = 0,
): Promise<void> {
  if (done) await deps.store.addProgress(jobId, run, { done });
  const job = await deps.store.transition(jobId, ['running'], 'succeeded', { run, result });
  if (job) deps.counters.count('JobsSucceeded');
}

async function copyTo(deps: UploadCopyDeps, jobId: string, source: SourceFile, dest: number, now: () => number): Promise<CopyResult> {
  let attempt: CopyAttempt | undefined = await deps.copies.get(jobId, dest);
  if (attempt?.newFileId) return { destFolderId: dest, newFileId: attempt.newFileId, ...(attempt.newTitle ? { newTitle: attempt.newTitle } : {}) };

  if (attempt?.startedAt !== undefined) {
    const found = await recoverEarlierCopy(deps, jobId, source, dest, attempt);
    if (found) return record(deps, jobId, source, dest, found);
    if (now() - attempt.startedAt < COPY_SETTLE_MS) {
      // Most lost answers hide a copy that lands within seconds: look again soon (then by the growing backoff of
      // lib/queue/redelivery.ts) to adopt it, and only once COPY_SETTLE_MS has passed send the copy again.
      const settlesInSeconds = Math.ceil((COPY_SETTLE_MS - (now() - attempt.startedAt)) / 1000);
      throw new CopyNotSettledError(
        `an earlier copy of file ${source.id} to folder ${dest} may still be running`,
        Math.min(settlesInSeconds, COPY_RECHECK_SECONDS),
      );
    }
    deps.log.warn('an earlier copy request left no file; copying again', { jobId, sourceFileId: source.id, destFolderId: dest });
  }

  if (!(await deps.copies.markStarted(jobId, dest, now() - COPY_SETTLE_MS))) {
    attempt = await deps.copies.get(jobId, dest);
    if (attempt?.newFileId) return { destFolderId: dest, newFileId: attempt.newFileId, ...(attempt.newTitle ? { newTitle: attempt.newTitle } : {}) };
    // Another worker has just sent this copy (the same message delivered twice at once): its result is verified
    // on the next delivery, never copied a second time.
    throw new CopyNotSettledError(`another worker is copying file ${source.id} to folder ${dest} right now`);
  }
  let operationId: string;
  try {
    operationId = await deps.docspace.startCopy(source.id, dest);
  } catch (error) {
    // A failure DocSpace answered without doing anything (429, 503, 4xx) certainly copied nothing, so the next
    // attempt need not wait for the settle time; a timeout or a 5xx mid-request keeps `startedAt` and is verified.
    if (error instanceof DocSpaceError && !error.ambiguous) await deps.copies.clearStarted(jobId, dest);
    if (error instanceof DocSpaceNotFoundError) {
      throw new PermanentCopyError(`DocSpace could not find file ${source.id} or folder ${dest}: ${error.docspaceMessage}`);
    }
    throw error;
  }
  await deps.copies.recordOperation(jobId, dest, operationId);
  const found = await awaitCopy(deps, jobId, source, dest, operationId, now());
  if (!found) throw new CopyFailedError(`DocSpace finished copying file ${source.id} to folder ${dest} but the copy is not there`);
  return record(deps, jobId, source, dest, found);
}

async function recoverEarlierCopy(
  deps: UploadCopyDeps,
  jobId: string,
  source: SourceFile,
  dest: number,
  attempt: CopyAttempt,
): Promise<{ id: number; title: string } | undefined> {
  if (attempt.operationId) {
    return awaitCopy(deps, jobId, source, dest, attempt.operationId, attempt.startedAt!);
  }
  return findCopyInDestination(deps, jobId, source, dest, attempt.startedAt!);
}

/** The new file from the operation's result; when the result is gone, from the destination. */
async function awaitCopy(
  deps: UploadCopyDeps,
  jobId: string,
  source: SourceFile,
  dest: number,
  operationId: string,
  startedAt: number,
): Promise<{ id: number; title: string } | undefined> {
  const outcome = await deps.docspace.waitForCopy(operationId);
  if (outcome.state === 'vanished') return findCopyInDestination(deps, jobId, source, dest, startedAt);
  const copy = outcome.files.find((f) => f.id !== source.id && (f.folderId === undefined || f.folderId === dest));
  if (copy) return copy;
  const found = await findCopyInDestination(deps, jobId, source, dest, startedAt);
  if (found) return found;
  // The operation is over and left nothing: the next attempt may copy again without waiting for it to settle.
  await deps.copies.clearStarted(jobId, dest);
  throw new CopyFailedError(
    `DocSpace could not copy file ${source.id} to folder ${dest}: ${outcome.error || 'the operation finished without a copy'}`,
  );
}

async function findCopyInDestination(
  deps: UploadCopyDeps,
  jobId: string,
  source: SourceFile,
  dest: number,
  startedAt: number,
): Promise<{ id: number; title: string } | undefined> {
  const sameName = duplicateTitlePattern(source.title);
  const candidates = (await deps.docspace.filesIn(dest))
    .filter((f) => sameName.test(f.title))
    .filter((f) => source.size === undefined || f.size === undefined || f.size === source.size)
    .filter((f) => f.created === undefined || f.created >= startedAt - CLOCK_SKEW_MS)
    .sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || a.id - b.id);
  for (const candidate of candidates) {
    const owner = await deps.copies.copiedBy(candidate.id);
    if (owner && owner.jobId !== jobId) continue;
    if (await deps.copies.claimNewFile(candidate.id, jobId, source.id)) {
      deps.log.info('found the copy of an interrupted attempt in the destination', { jobId, newFileId: candidate.id });
      return candidate;
    }
  }
  return undefined;
}

async function record(
  deps: UploadCopyDeps,
  jobId: string,
  source: SourceFile,
  dest: number,
  file: { id: number; title: string },
): Promise<CopyResult> {
  if (!(await deps.copies.claimNewFile(file.id, jobId, source.id))) {
    deps.log.warn('the new file was already claimed by another job', { jobId, newFileId: file.id });
  }
  await deps.copies.recordResult({ jobId, destFolderId: dest, newFileId: file.id, newTitle: file.title });
  return { destFolderId: dest, newFileId: file.id, newTitle: file.title };
}

/** `title` itself or DocSpace's Duplicate name for it, `name (n).ext`. */
export function duplicateTitlePattern(title: string): RegExp {
  const dot = title.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [title.slice(0, dot), title.slice(dot)] : [title, ''];
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(base)}( \\(\\d+\\))?${escape(ext)}$`);
}

function describe(error: unknown): string {
  return messageOf(error);
}
