import { DocSpaceError } from '../../docspace/errors';
import type { Job } from '../../jobs/store';
import type { FileMoveDeps } from './model';

/** (Re)sends every chunk of the recorded plan that is not yet counted, or the finalizer when none is left. */
export async function sendPendingChunks(
  deps: Pick<FileMoveDeps, 'chunks' | 'queue'>,
  jobId: string,
  run: number,
  chunkCount: number,
): Promise<void> {
  const pending = await deps.chunks.uncountedIndexes(jobId, run, chunkCount);
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

/** The recorded plan of the job's current run: how many chunks, and the token their items are keyed by. */
export function recordedPlan(job: Job): { chunkCount: number; token: string } | undefined {
  const state = job.state as { chunkCount?: number; planToken?: string } | undefined;
  if (state?.chunkCount === undefined || state.planToken === undefined) return undefined;
  return { chunkCount: state.chunkCount, token: state.planToken };
}

/** A reason fit for a job report: DocSpace errors are already scrubbed of credentials; others give only their message. */
export function describeError(error: unknown): string {
  if (error instanceof DocSpaceError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Transient: the same step may succeed on a later delivery. Unknown errors are treated as transient. */
export function isTransient(error: unknown): boolean {
  return error instanceof DocSpaceError ? error.retryable || error.ambiguous : true;
}
