import { createHmac, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { HttpRoute } from '../../infra/local/cfn';

/*
 * API Gateway HTTP API (payload 2.0) events as AWS builds them, so HTTP handlers can be called in-process with
 * what they will receive behind API Gateway: the raw body untouched, lower-cased headers, rawPath, the matched
 * route's path parameters.
 */

export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | object;
  pathParameters?: Record<string, string>;
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when there is none. */
  body: any;
}

function matchRoute(routes: HttpRoute[], method: string, path: string): { route: HttpRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method && route.method !== '*' && route.method !== 'ANY') continue;
    const names: string[] = [];
    const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}+]+)(\+)?\}/g, (_m, name: string, greedy?: string) => {
      names.push(name);
      return greedy ? '(.+)' : '([^/]+)';
    });
    const m = new RegExp(`^${pattern}$`).exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    return { route, params };
  }
  return undefined;
}

export function buildHttpEvent(request: HttpRequest, routes: HttpRoute[] = []): APIGatewayProxyEventV2 {
  const method = (request.method ?? (request.body === undefined ? 'GET' : 'POST')).toUpperCase();
  const [rawPath = '/', rawQueryString = ''] = request.path.split(/\?(.*)/s);
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers: Record<string, string> = { host: 'api.local', 'user-agent': 'docspace-flows-tests' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
  const matched = matchRoute(routes, method, rawPath);
  const pathParameters = { ...matched?.params, ...request.pathParameters };
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of query) queryStringParameters[k] = queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`;
  const now = new Date();
  const routeKey = matched ? `${matched.route.method} ${matched.route.path}` : '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'api.local',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent']! },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

/** What API Gateway would send back, with a JSON body parsed. */
export function readHttpResult(result: APIGatewayProxyResultV2): HttpAnswer {
  // A bare value is API Gateway's shorthand for 200 application/json.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: result };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let text = result.body;
  if (text !== undefined && result.isBase64Encoded) text = Buffer.from(text, 'base64').toString('utf8');
  let body: unknown = text;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else {
    body = undefined;
  }
  return { statusCode: result.statusCode ?? 200, headers, body };
}

/** `X-Signature-256: sha256=<hex>` over the exact body bytes, as the tasks, deals and projects systems sign. */
export function signatureHeaders(secret: string, rawBody: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-signature-256': `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`,
  };
}

/** `x-docspace-signature-256: sha256=<HEX>` (upper case), as DocSpace signs its webhooks. */
export function docspaceSignatureHeaders(secret: string, rawBody: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-docspace-signature-256': `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex').toUpperCase()}`,
  };
}
