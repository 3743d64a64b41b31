/*
 * Workflow 3, `upload-copy`: a file uploaded anywhere inside a client room is copied to that room's internal
 * folder. One name throughout: functions/upload-copy/ (functions uploadCopyWebhook, POST /webhooks/docspace, and
 * uploadCopyWorker), this folder, and jobs `upload-copy-<hash of the DocSpace delivery>`.
 *
 * The webhook is only acknowledged on the HTTP path (verify, de-duplicate, enqueue: accept.ts); which room the
 * file is in, and the copy itself, happen in the worker (copy.ts), so DocSpace gets its 2xx without waiting on
 * DocSpace.
 */
export { acceptUpload, acceptUploadJob, type UploadAcceptDeps } from './accept';
export { COPY_SETTLE_MS, LAST_COPY_ATTEMPT, copyUpload, duplicateTitlePattern, type UploadCopyDeps } from './copy';
export { docspaceCopyPort, type CopyOutcome, type DestinationFile, type SourceFile, type UploadCopyDocSpace } from './docspace-port';
export {
  CopyNotSettledError,
  uploadCopyMessageSchema,
  uploadWebhookSchema,
  type CopyRule,
} from './model';
export { RoomResolver } from './rooms';
export { distinctRules } from './rules';
