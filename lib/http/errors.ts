import { ConfigError } from '../config';
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
  constructor(message = 'missing or invalid credentials') {
    super(401, 'unauthorized', message);
  }
}

export class NotFoundError extends HttpError {
  override readonly name = 'NotFoundError';
  constructor(message = 'not found') {
    super(404, 'not_found', message);
  }
}

/** The request is valid but the resource's state does not allow it (e.g. retrying a job that is running). */
export class ConflictError extends HttpError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super(409, 'conflict', message);
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
export function toErrorResponse(error: unknown, log: Pick<Log, 'error' | 'warn'>): ErrorResponse {
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

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ErrorResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
