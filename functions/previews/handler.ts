import { config } from '../../lib/config';
import { requireBearer } from '../../lib/http/auth';
import { endpoint, parseBody } from '../../lib/http/endpoint';
import { fileMovesDocSpace } from '../../lib/runtime';
import { dealClosedSchema } from '../../lib/workflows/deal-archive';
import { previewDeal, previewTask } from '../../lib/workflows/previews';
import { taskEventSchema } from '../../lib/workflows/task-complete';

/**
 * POST /previews/deals/closed and POST /previews/tasks: the webhook's body, validated by the webhook's own
 * schema, answered with what its job would do. Only reads DocSpace.
 */
export const handler = endpoint(
  { authenticate: (req) => requireBearer(req.headers.authorization, config('admin').ADMIN_API_TOKEN) },
  async (req) => {
    const settings = config('previews');
    const folders = { completedFolderId: settings.COMPLETED_FOLDER_ID, archiveRootFolderId: settings.ARCHIVE_ROOT_FOLDER_ID };
    if (req.path.replace(/\/+$/, '').endsWith('/previews/tasks')) {
      return { statusCode: 200, body: await previewTask(fileMovesDocSpace(), parseBody(taskEventSchema, req.rawBody), folders) };
    }
    return { statusCode: 200, body: await previewDeal(fileMovesDocSpace(), parseBody(dealClosedSchema, req.rawBody), folders) };
  },
);
