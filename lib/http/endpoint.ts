import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { log, logger } from '../log';
import { lambda } from '../lambda';
import { BadRequestError, PayloadTooLargeError, json, refusalReason, toErrorResponse } from './errors';

export const MAX_BODY_BYTES = 256 * 1024;

/** What the endpoint code sees: the raw bytes (for signatures) and the parsed, validated body. */
export interface InboundRequest<B = unknown> {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  pathParameters: Record<string, string | undefined>;
  /** Query string parameters (API Gateway joins a repeated one with commas). */
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  body: B;
}

export interface HttpResult {
  statusCode: number;
  body?: unknown;
}

export interface EndpointOptions<S extends z.ZodType | undefined> {
  /** Throws UnauthorizedError; runs on the raw bytes, before anything is parsed. */
  authenticate: (request: InboundRequest<undefined>) => void;
  /** When given, the body must be JSON matching it; otherwise the body is ignored. */
  body?: S;
  /** Ids of the inbound event to put on every later log line (e.g. DocSpace's event.id), once the body is valid. */
  logKeys?: (body: BodyOf<S>) => Record<string, string | number | undefined>;
}

type BodyOf<S> = S extends z.ZodType ? z.infer<S> : undefined;
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The middy chain every HTTP function uses: size limit → authentication → JSON + zod → one call into the
 * workflow → JSON answer. Errors from any step go through the one mapper in ./errors.
 */
export function endpoint<S extends z.ZodType | undefined>(
  options: EndpointOptions<S>,
  run: (request: InboundRequest<BodyOf<S>>) => Promise<HttpResult>,
): HttpHandler {
  const core = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    // API Gateway's request id is the inbound event's id on every line; headers (signatures, tokens) never are.
    logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.routeKey });
    const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
    if (rawBody.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
    const request: InboundRequest<undefined> = {
      method: event.requestContext?.http?.method ?? 'POST',
      path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
      headers: event.headers ?? {},
      pathParameters: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      rawBody,
      body: undefined,
    };
    options.authenticate(request);
    const body = options.body ? parseBody(options.body, rawBody) : undefined;
    if (options.logKeys) logger.appendKeys(options.logKeys(body as BodyOf<S>));
    const result = await run({ ...request, body: body as BodyOf<S> });
    const jobId = (result.body as { jobId?: unknown } | undefined)?.jobId;
    if (typeof jobId === 'string') logger.appendKeys({ jobId });
    answered(event, result.statusCode);
    return result.body === undefined ? { statusCode: result.statusCode } : json(result.statusCode, result.body);
  };

  return lambda<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpHeaderNormalizer())
    .use({
      onError: (request) => {
        request.response = toErrorResponse(request.error, log);
        answered(request.event, request.response.statusCode, refusalReason(request.error));
      },
    })
    .handler(core) as unknown as HttpHandler;
}

/** One line per request, refused ones included, so a sender can see why it got a 4xx. */
function answered(event: APIGatewayProxyEventV2, statusCode: number, reason?: string): void {
  const method = event.requestContext?.http?.method;
  const path = event.rawPath ?? event.requestContext?.http?.path;
  log.info('request answered', { method, path, statusCode, ...(reason ? { reason } : {}) });
}

export function parseBody<S extends z.ZodType>(schema: S, rawBody: Buffer): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new BadRequestError('body must be valid JSON', 'body');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : 'body';
  throw new BadRequestError(`${field}: ${issue.message}`, field);
}
