import { sqsWorker } from '../../lib/queue/worker';
import { uploadCopyDeps } from '../../lib/runtime';
import { copyUpload, uploadCopyMessageSchema } from '../../lib/workflows/upload-copy';

/** Copies one uploaded file per message to the internal folder(s) of its room's rule(s). */
export const handler = sqsWorker(uploadCopyMessageSchema, (message, context) => copyUpload(uploadCopyDeps(), message, context));
