import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger } from './log';
import { metrics } from './metrics';
import { secretsMiddleware } from './secrets';

/**
 * The start of every function's middy chain: the Lambda context on each log line, metrics flushed after each
 * invocation, and on AWS the function's secrets read from Parameter Store before the handler runs. HTTP
 * endpoints (lib/http/endpoint.ts), queue workers (lib/queue/worker.ts) and the schedule add their own after it.
 */
export function lambda<E, R>(options: { metrics?: boolean; secrets?: boolean } = {}): middy.MiddyfiedHandler<E, R> {
  // timeoutEarlyInMillis 0: the workers keep their own deadline (lib/deadline.ts) and must not be cut short.
  const chain = middy<E, R>({ timeoutEarlyInMillis: 0 })
    // logEvent: false wins over POWERTOOLS_LOGGER_LOG_EVENT: events hold signatures, tokens and user content.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }));
  if (options.metrics !== false) chain.use(logMetrics(metrics));
  if (options.secrets !== false) chain.use(secretsMiddleware());
  return chain;
}
