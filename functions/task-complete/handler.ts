import { config } from '../../lib/config';
import { requireSignature } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { acceptDeps } from '../../lib/runtime';
import { acceptTaskComplete, taskEventSchema } from '../../lib/workflows/task-complete';

/** POST /webhooks/tasks — signed by the task tracker with TASKS_WEBHOOK_SECRET. The workflow: lib/workflows/task-complete.ts. */
export const handler = endpoint(
  {
    authenticate: (req) => requireSignature(req.rawBody, req.headers['x-signature-256'], config('tasks').TASKS_WEBHOOK_SECRET),
    body: taskEventSchema,
  },
  async (req) => {
    const outcome = await acceptTaskComplete(acceptDeps(), req.body, { completedFolderId: config('tasks').COMPLETED_FOLDER_ID });
    return { statusCode: 'ignored' in outcome ? 200 : 202, body: outcome };
  },
);
