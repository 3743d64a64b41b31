// Matches /api/2.0 routes. Literal segments compare case-insensitively, as ASP.NET routing does.
import type { RouteResult } from './envelope';

export interface RouteRequest {
  method: string;
  url: URL;
  query: URLSearchParams;
  /** Captured path groups, in order. */
  params: string[];
  body: Record<string, unknown>;
  /** The key owner the call acts as. */
  userId: string;
}

export type RouteHandler = (req: RouteRequest) => RouteResult | Promise<RouteResult>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `path` is relative to /api/2.0/ and may hold `{int}` / `{str}` / `{id}` placeholders (`{id}`: a number or a
   *  third-party id such as `box-5`). Earlier routes win. */
  add(method: string, path: string, handler: RouteHandler): this {
    const source = path
      .split('/')
      .map((seg) => (seg === '{int}' ? '(-?\\d+)' : seg === '{id}' ? '(-?\\d+|[A-Za-z]+-\\d+)' : seg === '{str}' ? '([^/]+)' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`, 'i'), handler });
    return this;
  }

  match(method: string, relativePath: string): { handler: RouteHandler; params: string[] } | undefined {
    const path = relativePath.replace(/\/+$/, '');
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (m) return { handler: r.handler, params: m.slice(1).map(decodeURIComponent) };
    }
    return undefined;
  }
}
