import type { MessageContext } from '../../queue/worker';
import { finalizeRun } from './finalize';
import { moveChunk } from './move-chunk';
import { moveFolderWhole } from './move-folder';
import type { FileMoveDeps, FileMoveMessage } from './model';
import { planRun } from './plan';
import { scanFolder } from './scan';

export { acceptFileMove } from './accept';
export { docspaceFileMoves, type FileMovesDocSpace } from './docspace-port';
export { fileMoveMessageSchema, type FileMoveDeps, type FileMoveInput } from './model';

/** One SQS queue carries the steps of a file-move job: start, folder scans, whole-folder moves, chunks, and the finalizer. */
export async function handleFileMoveMessage(deps: FileMoveDeps, message: FileMoveMessage, context: MessageContext): Promise<void> {
  switch (message.kind) {
    case 'plan':
      return planRun(deps, message.jobId, message.run, context.receiveCount);
    case 'folder':
      return scanFolder(deps, message, context.receiveCount);
    case 'chunk':
      return moveChunk(deps, message, context.receiveCount);
    case 'tree':
      return moveFolderWhole(deps, message, context.receiveCount);
    case 'finalize':
      return finalizeRun(deps, message, context);
  }
}
