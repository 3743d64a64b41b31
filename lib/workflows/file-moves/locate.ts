import { DocSpaceNotFoundError } from '../../docspace/errors';
import type { OperationOutcome } from './docspace-port';
import type { FileMoveDeps } from './model';

/**
 * How long one invocation follows a DocSpace operation. Past it the step goes back to the queue with the
 * operation's id recorded, and the next delivery follows the same operation instead of starting another; well
 * inside the minute after which DocSpace forgets an idle result (NOTES 3.2), and inside the worker's 120 s.
 */
export const OPERATION_WAIT_MS = 45_000;

/**
 * Waits for an operation by its id (never starting it again). The first look comes after 300 ms, about what a
 * move of a hundred files or a folder takes, so most operations are read finished at the first poll.
 */
export function followOperation(deps: Pick<FileMoveDeps, 'docspace' | 'operationWaitMs'>, operationId: string): Promise<OperationOutcome> {
  return deps.docspace.waitForOperation(operationId, { timeoutMs: deps.operationWaitMs ?? OPERATION_WAIT_MS, initialDelayMs: 300 });
}

/**
 * The folder each file is in now, one `GET files/file/{id}` per file (the client caps how many run at once); a
 * file that no longer exists is absent from the map. Costs one read per file asked about, whatever the size of
 * the folders around it.
 */
export async function locateFiles(deps: Pick<FileMoveDeps, 'docspace'>, fileIds: number[]): Promise<Map<number, number>> {
  const where = new Map<number, number>();
  await Promise.all(
    fileIds.map(async (id) => {
      try {
        const file = await deps.docspace.getFile(id);
        if (file.folderId !== undefined && file.folderId !== null) where.set(id, Number(file.folderId));
      } catch (error) {
        if (!(error instanceof DocSpaceNotFoundError)) throw error;
      }
    }),
  );
  return where;
}
