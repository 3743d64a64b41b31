import type { Job } from '../../jobs/store';
import type { FileMoveDeps } from './model';

export async function sendPendingChunks(deps: Pick<FileMoveDeps, 'chunks' | 'queue'>, jobId: string, run: number): Promise<void> {
  const pending = await deps.chunks.pendingIndexes(jobId, run);
  if (pending.length === 0) {
    await deps.queue.send([{ body: { kind: 'finalize', jobId, run } }]);
    return;
  }
  await deps.queue.send(pending.map((index) => ({ body: { kind: 'chunk', jobId, run, index } })));
}

/** True when every chunk of the job's current run has been counted. */
export function allChunksCounted(job: Job): boolean {
  const state = job.state as { chunkCount?: number; chunksDone?: number } | undefined;
  return state?.chunkCount !== undefined && (state.chunksDone ?? 0) >= state.chunkCount;
}
