import { workflowOfJob } from '../../lib/jobs/store';
import { fileMoveDeps } from '../../lib/runtime';
import { sqsWorker } from '../../lib/queue/worker';
import { fileMoveMessageSchema, handleFileMoveMessage } from '../../lib/workflows/file-moves';

/** Plans, moves chunks of, and finalizes the file-move jobs of workflows 1 and 2. */
export const handler = sqsWorker(fileMoveMessageSchema, (message, context) =>
  handleFileMoveMessage(fileMoveDeps(workflowOfJob(message.jobId)), message, context),
);
