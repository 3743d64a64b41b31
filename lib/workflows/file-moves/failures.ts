import { DocSpaceError } from '../../docspace/errors';

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
