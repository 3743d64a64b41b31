import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../../lib/log';
import { metrics } from '../../lib/metrics';
import { secretsMiddleware } from '../../lib/secrets';
import { abandonedRoomsDeps, abandonedRoomsSettings } from '../../lib/runtime';
import { scanAbandonedRooms, type ScanSummary } from '../../lib/workflows/abandoned-rooms';

/**
 * The EventBridge schedule (serverless.yml `scanSchedule`, daily by default) and `npm run scan`: one scan,
 * the report stored as the latest, a summary returned. The full report is served by GET
 * /reports/abandoned-rooms/latest.
 */
export const handler = middy<unknown, ScanSummary>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics))
  // On AWS, DOCSPACE_API_KEY comes from Parameter Store (lib/secrets.ts).
  .use(secretsMiddleware())
  .handler(async () => (await scanAbandonedRooms(abandonedRoomsDeps(), abandonedRoomsSettings())).summary) as unknown as (
  event: unknown,
  context: Context,
) => Promise<ScanSummary>;
