/**
 * Typed DocSpace failures. Every error says which request failed (method + path, never the query string, headers
 * or body) and carries two flags the retry loop and the workflows rely on:
 *
 * - `retryable`: the failure is transient; the same request may succeed later (429, 5xx gateways, timeouts, resets).
 * - `ambiguous`: the server may have applied the request even though we saw a failure (timeout, reset, 500/502/504).
 *   A write that failed ambiguously must be verified by reading state, never blindly repeated: repeating
 *   `POST files/folder/{id}` creates a second folder because DocSpace has no title-uniqueness check.
 *
 * Messages are scrubbed of anything that looks like a credential, because DocSpace or a proxy may echo request
 * details back and errors end up in logs and job reports.
 */

export type DocSpaceMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface DocSpaceErrorExtra {
  docspaceType?: string | undefined;
  retryable?: boolean;
  ambiguous?: boolean;
}

const MAX_MESSAGE_LENGTH = 500;

/** Removes bearer tokens and DocSpace API keys (`sk-<hex>`) from text that may be shown or logged. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\bBearer\s+[^\s"',;]+/gi, 'Bearer [redacted]')
    .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, 'sk-[redacted]')
    .replace(/("?authorization"?\s*[:=]\s*"?)[^"\s,;}]+/gi, '$1[redacted]');
}

function clip(text: string): string {
  const clean = scrubSecrets(text).replace(/\s+/g, ' ').trim();
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH)}…` : clean;
}

export class DocSpaceError extends Error {
  override readonly name: string = 'DocSpaceError';
  /** HTTP status, or undefined when no response arrived (timeout, network). */
  readonly status: number | undefined;
  readonly method: string;
  /** URL path without the query string. */
  readonly path: string;
  /** DocSpace's own (scrubbed) message, without the method/path prefix. */
  readonly docspaceMessage: string;
  /** The server-side exception type from the error envelope, e.g. `System.InvalidOperationException`. */
  readonly docspaceType: string | undefined;
  readonly retryable: boolean;
  readonly ambiguous: boolean;

  constructor(status: number | undefined, message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    const docspaceMessage = clip(message);
    const safePath = clip(path);
    super(`DocSpace ${method} ${safePath} failed (${status ?? 'no response'}): ${docspaceMessage}`);
    this.status = status;
    this.method = method;
    this.path = safePath;
    this.docspaceMessage = docspaceMessage;
    this.docspaceType = extra.docspaceType === undefined ? undefined : clip(extra.docspaceType);
    this.retryable = extra.retryable ?? false;
    this.ambiguous = extra.ambiguous ?? false;
  }

  /** What loggers and job reports serialise: the facts, no stack, nothing request-private. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      docspaceType: this.docspaceType,
      retryable: this.retryable,
      ambiguous: this.ambiguous,
    };
  }
}

export class DocSpaceUnauthorizedError extends DocSpaceError {
  override readonly name = 'DocSpaceUnauthorizedError';
  constructor(message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    super(401, message, method, path, { ...extra, retryable: false, ambiguous: false });
  }
}

export class DocSpaceForbiddenError extends DocSpaceError {
  override readonly name = 'DocSpaceForbiddenError';
  constructor(message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    super(403, message, method, path, { ...extra, retryable: false, ambiguous: false });
  }
}

export class DocSpaceNotFoundError extends DocSpaceError {
  override readonly name = 'DocSpaceNotFoundError';
  constructor(message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    super(404, message, method, path, { ...extra, retryable: false, ambiguous: false });
  }
}

/** 429. The limiter rejects before the action runs, so even a write was certainly not applied. */
export class DocSpaceRateLimitError extends DocSpaceError {
  override readonly name = 'DocSpaceRateLimitError';
  /** From `Retry-After` when the server sent one (only the daily write limiter does; see NOTES 2.4). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, method: string, path: string, extra: DocSpaceErrorExtra & { retryAfterMs?: number | undefined } = {}) {
    super(429, message, method, path, { ...extra, retryable: true, ambiguous: false });
    this.retryAfterMs = extra.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/**
 * 5xx. 503 comes from the reverse proxy or the service being down, so the action did not run; 500 is an
 * exception inside the action and 502/504 lose the upstream mid-request, so for those the write may have happened.
 */
export class DocSpaceServerError extends DocSpaceError {
  override readonly name = 'DocSpaceServerError';
  constructor(status: number, message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    const transient = status === 500 || status === 502 || status === 503 || status === 504;
    super(status, message, method, path, {
      ...extra,
      retryable: extra.retryable ?? transient,
      ambiguous: extra.ambiguous ?? status !== 503,
    });
  }
}

/** No complete response within the per-attempt timeout; the server may still be working on the request. */
export class DocSpaceTimeoutError extends DocSpaceError {
  override readonly name: string = 'DocSpaceTimeoutError';
  constructor(message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    super(undefined, message, method, path, { retryable: true, ambiguous: true, ...extra });
  }
}

/** An asynchronous file operation did not finish before our deadline; its outcome is unknown. */
export class DocSpaceOperationTimeoutError extends DocSpaceTimeoutError {
  override readonly name = 'DocSpaceOperationTimeoutError';
  constructor(
    readonly operationId: string,
    readonly lastProgress: number | undefined,
    waitedMs: number,
  ) {
    super(
      `file operation ${operationId} still running after ${waitedMs} ms (progress ${lastProgress ?? 'unknown'})`,
      'GET',
      '/api/2.0/files/fileops',
      { retryable: false, ambiguous: true },
    );
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), operationId: this.operationId, lastProgress: this.lastProgress };
  }
}

/**
 * Error codes that mean the TCP connection was never established, so nothing reached DocSpace. fetch's own
 * connect timeout (10 s, below our per-attempt timeout) reports UND_ERR_CONNECT_TIMEOUT.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export class DocSpaceNetworkError extends DocSpaceError {
  override readonly name = 'DocSpaceNetworkError';
  /** The system error code (`ECONNRESET`, `ECONNREFUSED`, …) when one was available. */
  readonly code: string | undefined;
  constructor(message: string, method: string, path: string, extra: DocSpaceErrorExtra & { code?: string | undefined } = {}) {
    const notSent = extra.code !== undefined && NOT_SENT_CODES.has(extra.code);
    super(undefined, message, method, path, { retryable: true, ambiguous: !notSent, ...extra });
    this.code = extra.code;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }
}

/** A 2xx whose body is not the envelope we expect (HTML, schema mismatch, a server that ignores paging). */
export class DocSpaceResponseError extends DocSpaceError {
  override readonly name = 'DocSpaceResponseError';
  constructor(status: number | undefined, message: string, method: string, path: string, extra: DocSpaceErrorExtra = {}) {
    super(status, message, method, path, { retryable: false, ambiguous: false, ...extra });
  }
}

/**
 * An asynchronous file operation finished with a non-empty `error`. DocSpace keeps going after a per-item failure
 * and reports only the last error (NOTES 3.2), so other items may have been applied: ambiguous, verify before
 * repeating.
 */
export class DocSpaceOperationFailedError extends DocSpaceError {
  override readonly name = 'DocSpaceOperationFailedError';
  constructor(
    readonly operationId: string,
    message: string,
    method: string,
    path: string,
    /** Files and folders DocSpace reported as processed before or despite the failure. */
    readonly processed: { fileIds: number[]; folderIds: number[] } = { fileIds: [], folderIds: [] },
  ) {
    super(undefined, message, method, path, { retryable: false, ambiguous: true });
    // The request itself succeeded; the generic "failed (no response)" wording would mislead whoever reads the job report.
    this.message = `DocSpace file operation ${operationId} (${method} ${this.path}) finished with an error: ${this.docspaceMessage}`;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), operationId: this.operationId };
  }
}
