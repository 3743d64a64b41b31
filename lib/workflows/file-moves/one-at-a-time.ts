import { randomUUID } from 'node:crypto';
import { LeaseHeldError } from '../../jobs/lease';
import { INVOCATION_LEASE_MS, type FileMoveDeps } from './model';

/** Thrown by a redelivered message that finds its step held by another invocation: SQS tries it again later. */
export class StepBusyError extends Error {
  override readonly name = 'StepBusyError';
  constructor(readonly resource: string) {
    super(`${resource} is being worked on by another invocation`);
  }
}

/**
 * Runs a step (a folder scan, a chunk) in one invocation at a time, so that no two invocations list the
 * same folder into two plans or move the same files at once. A first delivery that finds the step held is a
 * duplicate of a message still in flight (a re-send, or SQS delivering twice), whose own message comes back
 * if its invocation dies, so it can go. A redelivery may be that very message, back after its visibility
 * timeout while its first invocation still runs: deleting it could lose the step, so it fails and SQS tries
 * again later.
 */
export async function oneAtATime(
  deps: Pick<FileMoveDeps, 'leases' | 'log'>,
  resource: string,
  receiveCount: number,
  work: () => Promise<void>,
): Promise<void> {
  const owner = randomUUID();
  try {
    await deps.leases.acquire(resource, owner, INVOCATION_LEASE_MS);
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    if (receiveCount > 1) throw new StepBusyError(resource);
    deps.log.info('step in progress in another invocation; this duplicate stands back', { resource });
    return;
  }
  try {
    await work();
  } finally {
    await deps.leases.release(resource, owner);
  }
}
