import { ConfigError } from '../config';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors';
import type { Log } from '../log';

/** An error whose status and message are safe to show the caller. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class BadRequestError extends HttpError {
  override readonly name = 'BadRequestError';
  constructor(message: string, field?: string) {
    super(400, 'bad_request', message, field);
  }
}

export class UnauthorizedError extends HttpError {
  override readonly name = 'UnauthorizedError';
  /** `detail` says which check failed, for the log only: the caller gets the same answer either way. */
  constructor(
    message = 'missing or invalid credentials',
    readonly detail?: string,
  ) {
    super(401, 'unauthorized', message);
  }
}

export class PayloadTooLargeError extends HttpError {
  override readonly name = 'PayloadTooLargeError';
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `request body exceeds ${limitBytes} bytes`);
  }
}

export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one place where errors become HTTP answers. Only HttpErrors say what went wrong; everything else is a
 * generic 500 (or 503 for configuration problems, which name the variable in the log, not to the caller), so
 * no internal message, stack or secret reaches a webhook sender.
 */
export function toErrorResponse(thrown: unknown, log: Pick<Log, 'error' | 'warn'>): ErrorResponse {
  const error = asHttpError(thrown);
  if (error instanceof HttpError) {
    if (error.statusCode >= 500) log.error('request failed', { error });
    return json(error.statusCode, {
      error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
    });
  }
  if (error instanceof ConfigError) {
    // Powertools drops a `message` key in the extra fields (reserved), so the reason must be the line's message.
    log.error(error.message, { variable: error.variable });
    return json(503, { error: { code: 'misconfigured', message: 'the service is not configured correctly' } });
  }
  log.error('unexpected error', { error });
  return json(500, { error: { code: 'internal', message: 'internal error' } });
}

/** Why a request was refused, for its log line: what the caller was told, and for a 401 which check failed. */
export function refusalReason(thrown: unknown): string | undefined {
  const error = asHttpError(thrown);
  if (!(error instanceof HttpError) || error.statusCode >= 500) return undefined;
  const detail = error instanceof UnauthorizedError && error.detail ? ` (${error.detail})` : '';
  return `${error.code}: ${error.message}${detail}`;
}

/** The workflows' own errors about a request (lib/errors.ts), as the statuses they mean; anything else as it is. */
function asHttpError(error: unknown): unknown {
  if (error instanceof InvalidInputError) return new BadRequestError(error.message, error.field);
  if (error instanceof NotFoundError) return new HttpError(404, 'not_found', error.message, error.field);
  if (error instanceof ConflictError) return new HttpError(409, 'conflict', error.message);
  return error;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ErrorResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
