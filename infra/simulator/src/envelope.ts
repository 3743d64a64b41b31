// DocSpace's response envelopes and the exception → status mapping of its CustomExceptionHandler.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly hresult: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string): ApiError =>
  new ApiError(400, message, 'System.ArgumentException', -2147024809);
export const unauthorized = (): ApiError =>
  new ApiError(401, 'Unauthorized', 'System.Security.Authentication.AuthenticationException', -2146233087);
export const forbidden = (message = 'Access denied'): ApiError =>
  new ApiError(403, message, 'System.InvalidOperationException', -2146233079);
export const securityDenied = (): ApiError =>
  new ApiError(403, 'Access denied', 'System.Security.SecurityException', -2146233078);
export const notFound = (message: string): ApiError =>
  new ApiError(404, message, 'ASC.Common.Web.ItemNotFoundException', -2146233088);

/** What a route returns: `response` undefined means a void action (no `response` key, count 0). */
export interface RouteResult {
  response?: unknown;
  count?: number;
  total?: number;
}

function links(href: string, method: string): { href: string; action: string }[] {
  return [{ href, action: method }];
}

export function successBody(result: RouteResult, href: string, method: string): string {
  const body: Record<string, unknown> = {};
  if (result.response !== undefined && result.response !== null) body.response = result.response;
  body.count =
    result.count ??
    (result.response === undefined || result.response === null ? 0 : Array.isArray(result.response) ? result.response.length : 1);
  if (result.total !== undefined) body.total = result.total;
  body.links = links(href, method);
  body.status = 0;
  body.statusCode = 200;
  return JSON.stringify(body);
}

export function errorBody(err: ApiError): string {
  return JSON.stringify({
    error: { message: err.message, type: err.type, stack: '', hresult: err.hresult },
    status: 1,
    statusCode: err.status,
  });
}

export function jsonResponse(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** A gateway error page, as a reverse proxy in front of DocSpace answers. */
export function proxyErrorResponse(status: 502 | 503 | 504): Response {
  const reason = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[status];
  const html = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return new Response(html, { status, headers: { 'content-type': 'text/html' } });
}

/** The rate limiter rejects with a status and headers only: no body. */
export function rateLimitResponse(retryAfterSeconds?: number, limit = 1500): Response {
  const headers: Record<string, string> = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return new Response(null, { status: 429, headers });
}
