import { LeaseHeldError } from '../../jobs/lease';
import { ProjectRoomRetryableError, type Run } from './model';

export const portalLease = (portalUrl: string): string => {
  let host = portalUrl;
  try {
    host = new URL(portalUrl).host;
  } catch {
    // not a URL: the string itself still names one portal
  }
  return `room-from-template:${host}`;
};

export async function acquirePortalLease(run: Run): Promise<boolean> {
  const waitUntil = Math.min(run.deadline, run.now() + run.timing.leaseWaitMs);
  let delay = 200;
  for (;;) {
    try {
      await run.deps.leases.acquire(run.resource, run.owner, run.timing.leaseTtlMs);
      run.renewedAt = run.now();
      return true;
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
    }
    const left = waitUntil - run.now();
    if (left <= 0) return false;
    await run.sleep(Math.min(left, Math.max(50, Math.floor(delay * (0.5 + run.random() / 2)))));
    delay = Math.min(2_000, delay * 1.5);
  }
}

/** Extends the lease well before it lapses; a lease lost to someone else ends this delivery. */
async function renewLease(run: Run): Promise<void> {
  if (run.now() - run.renewedAt < run.timing.leaseTtlMs / 3) return;
  try {
    await run.deps.leases.acquire(run.resource, run.owner, run.timing.leaseTtlMs);
    run.renewedAt = run.now();
  } catch (error) {
    if (error instanceof LeaseHeldError) {
      throw new ProjectRoomRetryableError('the portal lease lapsed and was taken by another worker');
    }
    throw error;
  }
}

/** Every wait of a delivery goes through here: it stays within the time budget and keeps the lease alive. */
export async function pause(run: Run, delay: number, what: string): Promise<void> {
  if (run.now() + delay > run.deadline) {
    throw new ProjectRoomRetryableError(`ran out of time while ${what}; the next delivery resumes`);
  }
  await run.sleep(delay);
  await renewLease(run);
}
