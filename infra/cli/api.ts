import type { z } from 'zod';
import { readStackState } from '../local/stack-state';
import { messageOf } from '../../lib/errors';

/*
 * Where the operator CLIs send their requests: DOCSPACE_FLOWS_URL (on AWS, the stack's HttpApiUrl output) with
 * ADMIN_API_TOKEN, or else the local stack `npm start` is running in this checkout.
 */
export interface ApiTarget {
  baseUrl: string;
  token: string;
}

export function apiTarget(env: NodeJS.ProcessEnv = process.env): ApiTarget {
  let baseUrl = env.DOCSPACE_FLOWS_URL?.replace(/\/+$/, '');
  let token = env.ADMIN_API_TOKEN;
  if (!baseUrl || !token) {
    let local: ReturnType<typeof readStackState> | undefined;
    try {
      local = readStackState(env);
    } catch (error) {
      if (!baseUrl) {
        throw new Error(`${(error as Error).message} Or set DOCSPACE_FLOWS_URL (the HttpApiUrl stack output) and ADMIN_API_TOKEN.`);
      }
    }
    baseUrl ??= local?.httpUrl;
    token ||= local?.adminToken;
  }
  if (!token) throw new Error('ADMIN_API_TOKEN is not set (README "Operations" shows how to read it from Parameter Store)');
  return { baseUrl: baseUrl!, token };
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** What an answer must be for the command to use it: a zod schema, and its name for the message ("a job"). */
export interface Expected<S extends z.ZodType> {
  schema: S;
  what: string;
}

/**
 * GET with the bearer token, and the answer checked before anyone uses it: an answer that is not the JSON the
 * command expects (a proxy's HTML page, a 5xx, a body that breaks off) becomes an ApiError saying what came back,
 * never a TypeError further on. The token never appears in an error message.
 */
export async function getJson<S extends z.ZodType>(target: ApiTarget, path: string, expected: Expected<S>): Promise<z.infer<S>>;
/** Unchecked beyond "it is JSON": for answers no schema describes yet. */
export async function getJson<T = unknown>(target: ApiTarget, path: string): Promise<T>;
export async function getJson(target: ApiTarget, path: string, expected?: Expected<z.ZodType>): Promise<unknown> {
  return requestJson(target, 'GET', path, { expected });
}

/** POST (no body) with the bearer token, e.g. POST /jobs/{jobId}/retry; the answer is checked as getJson's is. */
export async function postJson<S extends z.ZodType>(target: ApiTarget, path: string, expected: Expected<S>): Promise<z.infer<S>> {
  return (await requestJson(target, 'POST', path, { expected })) as z.infer<S>;
}

/** Any method, with an optional JSON body; the answer is checked as getJson's is. */
export async function requestJson(
  target: ApiTarget,
  method: string,
  path: string,
  options: { body?: unknown; expected?: Expected<z.ZodType> } = {},
): Promise<unknown> {
  const request = `${method} ${path}`;
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${target.baseUrl}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    throw new ApiError(0, `${target.baseUrl} does not answer; is the stack running (npm start) or DOCSPACE_FLOWS_URL right?`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new ApiError(response.status, `${request}: the answer (${response.status}) broke off before its end; try again`);
  }
  if (!response.ok) throw new ApiError(response.status, `${request} answered ${response.status}: ${errorMessage(text)}`);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(response.status, `${request} answered ${response.status} with ${notJson(text, response.headers.get('content-type'))}; ${wrongApi(target)}`);
  }
  const expected = options.expected;
  if (!expected) return value;
  const checked = expected.schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ApiError(response.status, `${request} answered ${response.status} with JSON that is not ${expected.what} (${where}${issue.message}); ${wrongApi(target)}`);
  }
  // The answer as sent (--json prints it whole), now known to have the expected shape.
  return value;
}

const wrongApi = (target: ApiTarget) => `is ${target.baseUrl} the docspace-flows API (DOCSPACE_FLOWS_URL), and the same version as this checkout?`;

/** The API's own {error:{message}}, or else the first bytes of whatever answered (an API Gateway or proxy page). */
function errorMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: described below.
  }
  return firstBytes(text) || '(empty body)';
}

function notJson(text: string, contentType: string | null): string {
  if (!text.trim()) return 'an empty body instead of JSON';
  const trimmed = text.trim();
  if (/^[[{]/.test(trimmed) && /json/i.test(contentType ?? 'json')) {
    return `JSON that breaks off after ${Buffer.byteLength(text)} bytes (…${trimmed.slice(-40)})`;
  }
  return `${contentType ?? 'a body'} instead of JSON (${firstBytes(text)})`;
}

/** Enough of a body to recognise it, on one line: an HTML page shows its title or text, not its markup. */
function firstBytes(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
  const plain = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

export function fail(command: string, error: unknown): never {
  process.stderr.write(`${command}: ${messageOf(error)}\n`);
  process.exit(1);
}
