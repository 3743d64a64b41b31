import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { CONSOLE_HEADERS, CONSOLE_HTML } from '../../lib/console/page';
import { lambda } from '../../lib/lambda';
import { log, logger } from '../../lib/log';

/**
 * GET /console: the operations console's page. It is static and holds nothing secret, so it needs no token
 * (the page asks for one and sends it to the API); this function reads no setting, table or queue.
 */
// No metrics and no secrets: a browser may send cookies or an Authorization header of its own, and the page needs none.
export const handler = lambda<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ metrics: false, secrets: false })
  .handler(async (event) => {
    logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.routeKey });
    log.info('request answered', { statusCode: 200 });
    return { statusCode: 200, headers: CONSOLE_HEADERS, body: CONSOLE_HTML };
  }) as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
