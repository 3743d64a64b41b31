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

/** GET with the bearer token; the token never appears in an error message. */
export function getJson<T>(target: ApiTarget, path: string): Promise<T> {
  return requestJson<T>(target, 'GET', path);
}

/** POST (no body) with the bearer token, e.g. POST /jobs/{jobId}/retry. */
export function postJson<T>(target: ApiTarget, path: string): Promise<T> {
  return requestJson<T>(target, 'POST', path);
}

async function requestJson<T>(target: ApiTarget, method: 'GET' | 'POST', path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${target.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${target.token}` } });
  } catch {
    throw new ApiError(0, `${target.baseUrl} does not answer; is the stack running (npm start) or DOCSPACE_FLOWS_URL right?`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // Not JSON (e.g. an API Gateway error page): the first bytes are the best description.
    }
    throw new ApiError(response.status, `${method} ${path} answered ${response.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

export function fail(command: string, error: unknown): never {
  process.stderr.write(`${command}: ${messageOf(error)}\n`);
  process.exit(1);
}
