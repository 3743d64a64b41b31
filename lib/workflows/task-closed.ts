import { z } from 'zod';
import { acceptFileMove, type Accepted } from './file-moves/accept';
import type { FileMoveDeps, FileMoveInput } from './file-moves/model';

export const taskEventSchema = z.object({
  taskId: z.string().trim().min(1).max(200),
  status: z.string().trim().min(1).max(100),
  docsFolderId: z.number().int().positive(),
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

export type TaskOutcome = Accepted | { ignored: true };

/** Workflow 1: a closed task's folder is moved, files and subfolders alike, into the global Completed folder. */
export async function acceptTaskEvent(
  deps: Pick<FileMoveDeps, 'store' | 'queue' | 'counters' | 'log'>,
  task: TaskEvent,
  settings: { completedFolderId: number },
): Promise<TaskOutcome> {
  if (task.status.toLowerCase() !== 'closed') return { ignored: true };
  return acceptFileMove(deps, 'task-complete', `${task.taskId}\u0000${task.docsFolderId}`, taskMoveInput(task, settings));
}

/** The file move a closed task asks for (also what POST /previews/tasks walks). */
export function taskMoveInput(task: TaskEvent, settings: { completedFolderId: number }): FileMoveInput {
  return {
    sourceFolderId: task.docsFolderId,
    destination: { kind: 'folder', folderId: settings.completedFolderId },
    resultKey: 'completedFolderId',
  };
}
