import { setTimeout as realSleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  DocSpaceError,
  DocSpaceForbiddenError,
  DocSpaceNetworkError,
  DocSpaceNotFoundError,
  DocSpaceRateLimitError,
  DocSpaceResponseError,
  DocSpaceServerError,
  DocSpaceTimeoutError,
  DocSpaceUnauthorizedError,
  scrubSecrets,
  type DocSpaceMethod,
} from './errors';
import { AdaptiveLimit, type Outcome } from './limiter';
import { fullJitterDelay } from '../backoff';
import { currentDeadline } from '../deadline';

export interface RetryInfo {
  method: string;
  path: string;
  attempt: number;
  status?: number;
  delayMs: number;
}

export interface DocSpaceClientOptions {
  /** Portal origin, no /api/2.0. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; never logged, never in an error. */
  apiKey: string;
  /** Per attempt, default 15000. */
  timeoutMs?: number;
  /** Per process, the ceilings of the adaptive caps (lib/docspace/limiter.ts), default 20 / 5. `adaptive: false`
   *  keeps them fixed (the behaviour before, for comparisons). */
  concurrency?: { reads: number; writes: number; adaptive?: boolean };
  /**
   * budgetMs bounds a write's retries; readBudgetMs bounds a read's, and a 429's on any method (DocSpace did
   * nothing, so repeating it is always safe). maxAttempts and readMaxAttempts likewise.
   */
  retry?: {
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    budgetMs?: number;
    readMaxAttempts?: number;
    readBudgetMs?: number;
  };
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: {
    debug(message: string, extra?: Record<string, unknown>): void;
    warn(message: string, extra?: Record<string, unknown>): void;
  };
  onRetry?: (info: RetryInfo) => void;
  /** Every 429, retried or not. */
  onRateLimited?: (info: { method: string; path: string }) => void;
  /** The give-up deadline of the current work (default: lib/deadline.ts's, set per SQS record by the worker). */
  deadline?: () => number | undefined;
}

export type Query = Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined>;

export interface RequestOptions<S extends z.ZodType> {
  query?: Query;
  body?: unknown;
  schema?: S;
  /** The write may be repeated safely, so an ambiguous failure (timeout, reset, 500/502/504) is retried. */
  idempotent?: boolean;
}

const DEFAULTS = {
  timeoutMs: 15_000,
  reads: 20,
  writes: 5,
  // A write: 8 attempts with full jitter from 250 ms, capped at 10 s, within 30 s. A read, or any request answered
  // 429: up to 20 attempts within 60 s, so trouble that passes in a minute (NOTES 2.4: back off up to about 60 s,
  // no Retry-After) costs a minute in-process instead of a step's redelivery. Whatever the budget, a request
  // gives up before the current deadline (the record's share of its Lambda's time), so riding out trouble never
  // turns into a timed-out invocation; the step then fails cleanly and SQS brings it back within seconds.
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  budgetMs: 30_000,
  readMaxAttempts: 20,
  readBudgetMs: 60_000,
};
/** An attempt is not started with less time than this before the deadline; it could not finish anyway. */
const MIN_ATTEMPT_MS = 1_000;


/** The envelope of NOTES 2.1; only the keys we read. */
const SuccessEnvelope = z.looseObject({ response: z.unknown().optional(), count: z.number().nullish(), total: z.number().nullish() });
const ErrorEnvelope = z.looseObject({
  error: z.looseObject({ message: z.string().nullish(), type: z.string().nullish() }),
  statusCode: z.number().nullish(),
});

/**
 * The one DocSpace client: envelope in, typed errors out, retries with backoff and a budget, a timeout per
 * attempt, and per-process caps on concurrent reads and writes so every Lambda stays below the key owner's
 * shared limits (NOTES 2.4) instead of being rejected by them.
 */
export class DocSpaceClient {
  readonly stats = { requests: 0, retries: 0, rateLimited: 0 };
  /** The concurrency caps, so callers that fan out (listTree) size their pools to match. */
  readonly limits: { readonly reads: number; readonly writes: number };
  /** The injected sleep, so pollers built on the client (waitForOperation) are as fast in tests as its retries. */
  readonly sleep: (ms: number) => Promise<void>;

  readonly #apiBase: string;
  readonly #authorization: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #retry: Required<NonNullable<DocSpaceClientOptions['retry']>>;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;
  readonly #logger: DocSpaceClientOptions['logger'];
  readonly #onRetry: ((info: RetryInfo) => void) | undefined;
  readonly #onRateLimited: DocSpaceClientOptions['onRateLimited'];
  readonly #deadline: () => number | undefined;
  readonly #reads: AdaptiveLimit;
  readonly #writes: AdaptiveLimit;

  constructor(options: DocSpaceClientOptions) {
    this.#apiBase = `${options.baseUrl.replace(/\/+$/, '')}/api/2.0/`;
    // Kept only inside this header string; nothing else in the client ever sees the key.
    this.#authorization = `Bearer ${options.apiKey}`;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#retry = {
      maxAttempts: Math.max(1, options.retry?.maxAttempts ?? DEFAULTS.maxAttempts),
      baseDelayMs: options.retry?.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
      budgetMs: options.retry?.budgetMs ?? DEFAULTS.budgetMs,
      readMaxAttempts: Math.max(1, options.retry?.readMaxAttempts ?? DEFAULTS.readMaxAttempts),
      readBudgetMs: options.retry?.readBudgetMs ?? DEFAULTS.readBudgetMs,
    };
    this.limits = { reads: options.concurrency?.reads ?? DEFAULTS.reads, writes: options.concurrency?.writes ?? DEFAULTS.writes };
    const fixed = options.concurrency?.adaptive === false;
    this.#reads = new AdaptiveLimit(this.limits.reads, fixed ? { min: this.limits.reads } : {});
    this.#writes = new AdaptiveLimit(this.limits.writes, fixed ? { min: this.limits.writes } : {});
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    this.#onRetry = options.onRetry;
    this.#onRateLimited = options.onRateLimited;
    this.#deadline = options.deadline ?? currentDeadline;
  }

  /** How many times each adaptive cap was halved by a 429 (diagnostics, benchmarks). */
  get adaptiveDecreases(): { reads: number; writes: number } {
    return { reads: this.#reads.decreases, writes: this.#writes.decreases };
  }

  /** The adaptive caps as they stand now (each at most its ceiling in `limits`). */
  get currentLimits(): { reads: number; writes: number } {
    return { reads: this.#reads.limit, writes: this.#writes.limit };
  }

  /** Highest number of requests that were in flight at once, per kind (diagnostics and tests). */
  get maxConcurrent(): { reads: number; writes: number } {
    return { reads: this.#reads.maxObserved, writes: this.#writes.maxObserved };
  }

  /**
   * `path` is relative to /api/2.0/, e.g. 'files/123'. Returns `envelope.response` parsed by `schema`
   * (undefined when the envelope has no `response` key).
   */
  async request<S extends z.ZodType = z.ZodUnknown>(
    method: DocSpaceMethod,
    path: string,
    options: RequestOptions<S> = {},
  ): Promise<z.infer<S>> {
    const relative = path.replace(/^\/+/, '');
    const url = this.#url(relative, options.query);
    // Errors and logs carry the path only: the query may hold user-supplied filter text.
    const errorPath = `/api/2.0/${relative.split('?')[0]}`;
    const mayRepeatAmbiguous = method === 'GET' || options.idempotent === true;
    const limit = method === 'GET' ? this.#reads : this.#writes;
    const deadline = this.#deadline();

    let spentMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      let outcome: { ok: true; value: unknown } | { ok: false; error: DocSpaceError };
      // The budget counts time on the wire and in backoff, not time queued behind our own concurrency cap,
      // so a busy process does not lose its retries before it has even sent the request.
      const release = await limit.acquire();
      let result: Outcome = 'failed';
      const started = Date.now();
      try {
        const timeoutMs = deadline === undefined ? this.#timeoutMs : Math.max(MIN_ATTEMPT_MS, Math.min(this.#timeoutMs, deadline - started));
        const value = await this.#attempt(method, url, errorPath, options, timeoutMs);
        outcome = { ok: true, value };
        result = 'ok';
      } catch (error) {
        outcome = { ok: false, error: this.#asDocSpaceError(error, method, errorPath) };
        if (outcome.error instanceof DocSpaceRateLimitError) result = 'rate-limited';
      } finally {
        spentMs += Date.now() - started;
        release(result);
      }
      if (outcome.ok) return this.#parse(outcome.value, options.schema, method, errorPath) as z.infer<S>;

      const error = outcome.error;
      if (error instanceof DocSpaceRateLimitError) {
        this.stats.rateLimited += 1;
        this.#onRateLimited?.({ method, path: errorPath });
      }
      const repeatable = error.retryable && (!error.ambiguous || mayRepeatAmbiguous);
      if (!repeatable) throw error;
      const delayMs = this.#delay(attempt, error);
      const long = method === 'GET' || error instanceof DocSpaceRateLimitError;
      const maxAttempts = long ? this.#retry.readMaxAttempts : this.#retry.maxAttempts;
      const budgetMs = long ? this.#retry.readBudgetMs : this.#retry.budgetMs;
      const pastDeadline = deadline !== undefined && Date.now() + delayMs + MIN_ATTEMPT_MS > deadline;
      if (attempt >= maxAttempts || spentMs + delayMs > budgetMs || pastDeadline) {
        this.#logger?.warn('DocSpace request gave up after retries', {
          method,
          path: errorPath,
          attempts: attempt,
          spentMs,
          ...(pastDeadline ? { reason: 'the invocation deadline is near' } : {}),
          error: error.message,
        });
        throw error;
      }

      this.stats.retries += 1;
      const info: RetryInfo = { method, path: errorPath, attempt, delayMs };
      if (error.status !== undefined) info.status = error.status;
      this.#logger?.debug('DocSpace request will be retried', { ...info, error: error.message });
      this.#onRetry?.(info);
      await this.sleep(delayMs);
      spentMs += delayMs;
    }
  }

  /** One attempt, holding a concurrency slot. Resolves with the parsed envelope body, or throws. */
  async #attempt(method: DocSpaceMethod, url: string, errorPath: string, options: RequestOptions<z.ZodType>, timeoutMs: number): Promise<unknown> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      this.stats.requests += 1;
      const headers: Record<string, string> = { authorization: this.#authorization, accept: 'application/json' };
      const init: RequestInit = { method, headers, signal: controller.signal, redirect: 'manual' };
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(options.body);
      }
      // The timer also covers reading the body: a server that sends headers and then stalls is still a timeout.
      const response = await this.#fetch(url, init);
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) return this.#successEnvelope(text, response.status, method, errorPath);
      throw this.#httpError(response, text, method, errorPath);
    } catch (error) {
      if (error instanceof DocSpaceError) throw error;
      if (timedOut) throw new DocSpaceTimeoutError(`no response within ${timeoutMs} ms`, method, errorPath);
      throw networkError(error, method, errorPath, this.#redact);
    } finally {
      clearTimeout(timer);
    }
  }

  #successEnvelope(text: string, status: number, method: string, errorPath: string): unknown {
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw new DocSpaceResponseError(status, this.#redact(`expected a JSON envelope, got ${describeBody(text)}`), method, errorPath);
    }
    const envelope = SuccessEnvelope.safeParse(body);
    if (!envelope.success) throw new DocSpaceResponseError(status, 'the response is not a DocSpace envelope', method, errorPath);
    return envelope.data.response;
  }

  #httpError(response: Response, text: string, method: string, errorPath: string): DocSpaceError {
    const status = response.status;
    let message = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
    let docspaceType: string | undefined;
    try {
      const parsed = ErrorEnvelope.safeParse(JSON.parse(text));
      if (parsed.success) {
        message = parsed.data.error.message || message;
        docspaceType = parsed.data.error.type ?? undefined;
      }
    } catch {
      // 429 has no body and a proxy's 502/503 is HTML (NOTES 2.1); the status says enough.
      if (text.trim().length > 0) message = `${message} (${describeBody(text)})`;
    }
    message = this.#redact(message);
    const extra = { docspaceType: docspaceType === undefined ? undefined : this.#redact(docspaceType) };
    if (status === 429) {
      return new DocSpaceRateLimitError(message, method, errorPath, { ...extra, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) });
    }
    if (status === 401) return new DocSpaceUnauthorizedError(message, method, errorPath, extra);
    if (status === 403) return new DocSpaceForbiddenError(message, method, errorPath, extra);
    if (status === 404) return new DocSpaceNotFoundError(message, method, errorPath, extra);
    if (status >= 500) return new DocSpaceServerError(status, message, method, errorPath, extra);
    return new DocSpaceError(status, message, method, errorPath, { ...extra, retryable: false, ambiguous: false });
  }

  #parse(value: unknown, schema: z.ZodType | undefined, method: string, errorPath: string): unknown {
    if (!schema) return value;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new DocSpaceResponseError(200, `unexpected response shape: ${issues}`, method, errorPath);
  }

  /** Retry-After when the server sent one (NOTES 2.4: only the daily limiter does), else full jitter. */
  #delay(attempt: number, error: DocSpaceError): number {
    if (error instanceof DocSpaceRateLimitError && error.retryAfterMs !== undefined) return error.retryAfterMs;
    return fullJitterDelay(attempt, this.#retry.baseDelayMs, this.#retry.maxDelayMs, this.#random);
  }

  #asDocSpaceError(error: unknown, method: string, errorPath: string): DocSpaceError {
    return error instanceof DocSpaceError ? error : networkError(error, method, errorPath, this.#redact);
  }

  /**
   * scrubSecrets catches `sk-…` keys and bearer tokens; this also catches the literal key in any other form
   * (a personal access token, or a proxy echoing the bare header value into its error page).
   */
  readonly #redact = (text: string): string =>
    this.#apiKey.length >= 4 ? text.split(this.#apiKey).join('[redacted]') : text;

  #url(relative: string, query: Query | undefined): string {
    const url = new URL(relative, this.#apiBase);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}

/** fetch rejects with `TypeError('fetch failed', { cause })`; the system error code is on the cause. */
function networkError(error: unknown, method: string, errorPath: string, redact: (text: string) => string): DocSpaceNetworkError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = errorCode(cause) ?? errorCode(error);
  const message = cause instanceof Error ? cause.message : String(cause);
  return new DocSpaceNetworkError(redact(scrubSecrets(message || 'network error')), method, errorPath, { code });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** A short, scrubbed hint at a non-JSON body: the HTML title of a proxy page, or its first characters. */
function describeBody(text: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  if (title) return `HTML: ${title}`;
  const compact = text.replace(/\s+/g, ' ').trim();
  return compact.length === 0 ? 'an empty body' : `non-JSON body: ${compact.slice(0, 80)}`;
}
