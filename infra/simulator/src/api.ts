// The /api/2.0 pipeline, in the order a request meets it: network latency, the reverse proxy (5xx HTML, nothing
// processed), authentication, the rate limiter (429 without a body), then the application, whose answer may still
// be held back by a hang after the work is done.
import type { SimContext } from './context';
import { ApiError, errorBody, jsonResponse, proxyErrorResponse, rateLimitResponse, successBody, unauthorized } from './envelope';
import type { FaultInjector } from './faults';
import type { Router } from './router';
import { sleep } from './time';
import type { MutationLog } from './types';

export const apiPrefix = '/api/2.0/';

export interface ApiDeps {
  apiKey: string;
  ctx: SimContext;
  router: Router;
  faults: FaultInjector;
  tick(): void;
  onRequest(entry: { method: string; path: string; status: number }): void;
  onMutation(entry: Omit<MutationLog, 'seq' | 'at'>): void;
}

export interface ApiStats {
  requests: number;
  maxConcurrentGets: number;
  maxConcurrentWrites: number;
}

export class ApiPipeline {
  readonly stats: ApiStats = { requests: 0, maxConcurrentGets: 0, maxConcurrentWrites: 0 };
  private gets = 0;
  private writes = 0;

  constructor(private readonly deps: ApiDeps) {}

  resetStats(): void {
    Object.assign(this.stats, { requests: 0, maxConcurrentGets: 0, maxConcurrentWrites: 0 });
  }

  async handle(req: Request, url: URL): Promise<Response> {
    const method = req.method.toUpperCase();
    const isGet = method === 'GET' || method === 'HEAD';
    const latency = this.deps.faults.faults.latencyMs;
    if (latency > 0) await sleep(latency);
    this.stats.requests++;
    if (isGet) this.stats.maxConcurrentGets = Math.max(this.stats.maxConcurrentGets, ++this.gets);
    else this.stats.maxConcurrentWrites = Math.max(this.stats.maxConcurrentWrites, ++this.writes);
    let status = 0;
    try {
      const res = await this.process(req, url, method, isGet);
      status = res.status;
      return res;
    } finally {
      if (isGet) this.gets--;
      else this.writes--;
      this.deps.onRequest({ method, path: url.pathname + url.search, status });
    }
  }

  private async process(req: Request, url: URL, method: string, isGet: boolean): Promise<Response> {
    const { faults, ctx } = this.deps;
    const draw = faults.draw();
    if (draw.proxyError) return proxyErrorResponse(draw.proxyError);
    const auth = req.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (!match || match[1] !== this.deps.apiKey) return jsonResponse(401, errorBody(unauthorized()));
    const userId = ctx.state.selfUserId;
    const f = faults.faults;
    if (draw.rateLimited) return rateLimitResponse(f.retryAfter429);
    const admission = faults.admit(userId, isGet, ctx.now());
    // The sliding-window and concurrency limiters never send Retry-After (NOTES 2.4), whatever retryAfter429 says.
    if (!admission.ok) return rateLimitResponse(undefined, admission.limit);
    try {
      if (draw.hang && f.hangBeforeHandling) await sleep(f.hangMs);
      const res = await this.dispatch(req, url, method, isGet, userId);
      if (draw.hang && !f.hangBeforeHandling) await sleep(f.hangMs);
      return res;
    } finally {
      admission.release();
    }
  }

  private async dispatch(req: Request, url: URL, method: string, isGet: boolean, userId: string): Promise<Response> {
    const relative = url.pathname.slice(apiPrefix.length);
    const route = this.deps.router.match(method, relative);
    if (!route) {
      return jsonResponse(404, errorBody(new ApiError(404, 'Not found', 'ASC.Common.Web.ItemNotFoundException', -2146233088)));
    }
    let body: Record<string, unknown> = {};
    let response: Response;
    try {
      if (!isGet) {
        const text = await req.text();
        if (text.trim()) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new ApiError(400, 'The request body is not valid JSON.', 'System.ArgumentException', -2147024809);
          }
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new ApiError(400, 'The request body must be a JSON object.', 'System.ArgumentException', -2147024809);
          }
          body = parsed as Record<string, unknown>;
        }
      }
      this.deps.tick();
      const result = await route.handler({ method, url, query: url.searchParams, params: route.params, body, userId });
      response = jsonResponse(200, successBody(result, url.href, method));
    } catch (err) {
      const apiErr =
        err instanceof ApiError ? err : new ApiError(500, 'Internal server error', 'System.Exception', -2146233088);
      response = jsonResponse(apiErr.status, errorBody(apiErr));
    }
    if (!isGet) this.deps.onMutation({ method, path: url.pathname + url.search, body, status: response.status });
    return response;
  }
}
