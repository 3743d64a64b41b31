import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * The moment by which the work in this async context must have given up (an SQS record's share of its Lambda's
 * remaining time). The DocSpace client reads it so that riding out trouble never runs into the Lambda timeout:
 * a step that gives up in time fails cleanly and is redelivered within seconds (lib/queue/redelivery.ts); a step
 * killed by the timeout waits out the queue's whole visibility timeout.
 */
const deadlines = new AsyncLocalStorage<number>();

export function withDeadline<T>(at: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(at, work);
}

/** Epoch ms, or undefined outside any deadline (a CLI, a test, an HTTP handler). */
export function currentDeadline(): number | undefined {
  return deadlines.getStore();
}
