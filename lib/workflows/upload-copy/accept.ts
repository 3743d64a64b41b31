import { docspaceWebhookSchema } from '../../docspace/webhook';
import { InvalidInputError } from '../../errors';
import { acceptJob, type JobRuns } from '../../jobs/accept';
import { jobIdFor, type JobStore } from '../../jobs/store';
import type { Log } from '../../log';
import type { Counters } from '../../metrics';
import type { Queue } from '../../queue/send';
import type { UploadCopyInput, UploadWebhook } from './model';

const UPLOAD_TRIGGER = 'file.uploaded';
/** FolderType of the active rooms' root; anything else (My documents, Archive, Trash) is never a source room. */
const VIRTUAL_ROOMS = 14;
const FILE_ENTRY_FOLDER = 1;
const DEDUP_TTL_SECONDS = 400 * 86_400;
/** A copy takes seconds (the worker's timeout is 60 s): a job "running" this long without an update lost its message. */
const STALE_RUNNING_MS = 15 * 60_000;

const uploadedFileSchema = docspaceWebhookSchema.shape.payload;

type AcceptOutcome = { jobId: string } | { ignored: true; reason: string };

type ClaimOnce = (
  key: string,
  value: Record<string, unknown>,
  ttlSeconds: number,
) => Promise<{ claimed: true } | { claimed: false; existing: Record<string, unknown> }>;

export interface UploadAcceptDeps {
  store: Pick<JobStore, 'createOnce' | 'resume'>;
  claimOnce: ClaimOnce;
  queue: Queue;
  counters: Counters;
  log: Log;
}

/**
 * Acknowledges one webhook delivery. Automatic retries keep `event.id` (key 1: webhook.id + event.id is the
 * job's business key); a manual re-send gets a new `event.id` but keeps createOn and the payload (key 2, NOTES
 * 4.4), which is claimed first and names the job, so both kinds of repeat land on the one job.
 */
export async function acceptUpload(deps: UploadAcceptDeps, hook: UploadWebhook): Promise<AcceptOutcome> {
  const { event, webhook } = hook;
  if (event.trigger !== UPLOAD_TRIGGER) {
    // Our own copies arrive here as file.copied, never as file.uploaded.
    return { ignored: true, reason: `trigger ${event.trigger} is not ${UPLOAD_TRIGGER}` };
  }
  const parsed = uploadedFileSchema.safeParse(hook.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['payload', ...issue.path].join('.');
    throw new InvalidInputError(`${field}: ${issue.message}`, field);
  }
  const file = parsed.data;
  if (file.fileEntryType === FILE_ENTRY_FOLDER) return { ignored: true, reason: 'the entry is a folder' };
  if (file.rootFolderType != null && file.rootFolderType !== VIRTUAL_ROOMS) {
    return { ignored: true, reason: `the file is not in an active room (rootFolderType ${file.rootFolderType})` };
  }
  if (typeof file.id === 'string') {
    // A room on third-party storage: its files have string ids ("box-5") and are never a rule's source room.
    return { ignored: true, reason: `the file is on third-party storage (id ${file.id}); copy rules name internal rooms only` };
  }
  if (file.id <= 0) throw new InvalidInputError('payload.id: must be a positive id', 'payload.id');

  const businessKey = `${webhook.id}:${event.id}`;
  const folderId = [file.parentId, file.folderId, file.folderIdDisplay].find((id): id is number => typeof id === 'number' && id > 0);
  const input: UploadCopyInput = {
    sourceFileId: file.id,
    ...(file.title ? { title: file.title } : {}),
    ...(folderId ? { folderId } : {}),
    webhookId: webhook.id,
    eventId: event.id,
    createOn: event.createOn,
  };
  const resendKey = `upload-copy:${webhook.id}:${event.trigger}:${event.createOn}:${file.id}`;
  const claim = await deps.claimOnce(resendKey, { jobId: jobIdFor('upload-copy', businessKey), businessKey, input }, DEDUP_TTL_SECONDS);

  let key = businessKey;
  let jobInput: Record<string, unknown> = input;
  if (!claim.claimed) {
    // The first delivery of this event (maybe under another event.id) owns it. Creating its job again is a
    // no-op when it exists, and recovers the case where that delivery died between the claim and the job.
    key = String(claim.existing.businessKey ?? businessKey);
    jobInput = (claim.existing.input as Record<string, unknown> | undefined) ?? input;
  }
  return acceptUploadJob(deps, key, jobInput);
}

/** A run copies the upload to every destination not yet holding its copy (copy attempts outlive runs). */
export const uploadCopyRuns: JobRuns = {
  start: (job) => ({ jobId: job.jobId, run: job.run }),
  staleAfterMs: STALE_RUNNING_MS,
};

/** The job of one upload event, through the one protocol of lib/jobs/accept.ts. */
export async function acceptUploadJob(
  deps: Pick<UploadAcceptDeps, 'store' | 'queue' | 'counters' | 'log'>,
  businessKey: string,
  input: Record<string, unknown>,
): Promise<{ jobId: string }> {
  const { jobId } = await acceptJob(deps, { workflow: 'upload-copy', businessKey, input }, uploadCopyRuns);
  return { jobId };
}
