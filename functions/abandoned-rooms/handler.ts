import type { Context } from 'aws-lambda';
import { lambda } from '../../lib/lambda';
import { abandonedRoomsDeps, abandonedRoomsSettings } from '../../lib/runtime';
import { scanAbandonedRooms, type ScanSummary } from '../../lib/workflows/abandoned-rooms';

/**
 * The EventBridge schedule (serverless.yml `scanSchedule`, daily by default) and `npm run scan`: one scan,
 * the report stored as the latest, a summary returned. The full report is served by GET
 * /reports/abandoned-rooms/latest. On AWS, DOCSPACE_API_KEY comes from Parameter Store (lib/lambda.ts).
 */
export const handler = lambda<unknown, ScanSummary>().handler(
  async () => (await scanAbandonedRooms(abandonedRoomsDeps(), abandonedRoomsSettings())).summary,
) as unknown as (event: unknown, context: Context) => Promise<ScanSummary>;
