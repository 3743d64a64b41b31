import { NotFoundError } from '../errors';
import { dealMoveInput, type DealClosed } from './deal-archive';
import type { FileMovesDocSpace } from './file-moves/docspace-port';
import { previewFileMove, UnreadableFolderError, type FileMovePreview } from './file-moves/preview';
import { taskMoveInput, type TaskEvent } from './task-complete';

export interface PreviewSettings {
  completedFolderId: number;
  archiveRootFolderId: number;
}

/** POST /previews/deals/closed: what archiving this deal would do, read from DocSpace without changing it. */
export function previewDeal(docspace: FileMovesDocSpace, deal: DealClosed, settings: PreviewSettings): Promise<FileMovePreview> {
  return answer(
    previewFileMove(docspace, dealMoveInput(deal, settings), {
      source: 'clientRoomId',
      destination: deal.archiveRootFolderId ? 'archiveRootFolderId' : 'ARCHIVE_ROOT_FOLDER_ID',
    }),
  );
}

/** POST /previews/tasks: what closing this task would move; another status would be ignored by the webhook. */
export async function previewTask(
  docspace: FileMovesDocSpace,
  task: TaskEvent,
  settings: PreviewSettings,
): Promise<FileMovePreview | { ignored: true; reason: string }> {
  if (task.status.toLowerCase() !== 'closed') return { ignored: true, reason: `status "${task.status}" is not closed; the webhook would do nothing` };
  return answer(previewFileMove(docspace, taskMoveInput(task, settings), { source: 'docsFolderId', destination: 'COMPLETED_FOLDER_ID' }));
}

/** A folder the job could not read either is the caller's to fix: a 404 naming the field, not a 500. */
async function answer(preview: Promise<FileMovePreview>): Promise<FileMovePreview> {
  try {
    return await preview;
  } catch (error) {
    if (error instanceof UnreadableFolderError) throw new NotFoundError(error.message, error.field);
    throw error;
  }
}
