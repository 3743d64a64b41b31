/*
 * Workflow 1, `task-complete`: a closed task's folder is moved, files and subfolders alike, into the global
 * Completed folder. One name throughout: functions/task-complete/handler.ts (function taskCompleteWebhook,
 * POST /webhooks/tasks), this module, and jobs `task-complete-<hash of taskId and docsFolderId>`.
 *
 * The whole path of a task:
 *   1. accept (here): a closed task becomes one job keyed by taskId and docsFolderId, and its first message on the
 *      file-move queue (lib/jobs/accept.ts: create once, resume a failed or stale job); another status is ignored;
 *   2. `taskMoveInput` (here) is all a task asks of the engine: its folder as source, COMPLETED_FOLDER_ID as
 *      destination, `completedFolderId` as result;
 *   3. the file-move engine, shared with workflow 2 (deal-archive.ts), runs the job in functions/file-moves/worker.ts:
 *      lib/workflows/file-moves/index.ts lists its steps (plan, scans, chunks of moves, finalize).
 */
import { z } from 'zod';
import { acceptFileMove, type Accepted } from './file-moves/accept';
import type { FileMoveDeps, FileMoveInput } from './file-moves/model';

/** The event: the task tracker reports a task's status (the body of POST /webhooks/tasks and POST /previews/tasks). */
export const taskEventSchema = z.object({
  taskId: z.string().trim().min(1).max(200),
  status: z.string().trim().min(1).max(100),
  docsFolderId: z.number().int().positive(),
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

export type TaskOutcome = Accepted | { ignored: true };

/** Starts (once) the task-complete job of a closed task; any other status is acknowledged and ignored. */
export async function acceptTaskComplete(
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
