/*
 * What workflow code says about a caller's request, in its own words: lib/http/errors.ts turns these into HTTP
 * answers (400, 404, 409), so domain code never depends on the HTTP layer.
 */

/** The request names something invalid; `field` is where (e.g. `payload.id`, `cursor`). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Something the request names does not exist (or cannot be read); `field` says which, when it is in the body. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    message = 'not found',
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The request is valid but the resource's state does not allow it (e.g. retrying a job that is running). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The message of anything thrown, for logs and job errors: an Error's message, otherwise its string form. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
