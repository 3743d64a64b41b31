import { config } from '../../lib/config';
import { requireSignature } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { projectAcceptDeps } from '../../lib/runtime';
import { acceptProject, projectEventSchema } from '../../lib/workflows/project-room';

/** POST /webhooks/projects — signed by the project system with PROJECTS_WEBHOOK_SECRET. */
export const handler = endpoint(
  {
    authenticate: (req) =>
      requireSignature(req.rawBody, req.headers['x-signature-256'], config('projects').PROJECTS_WEBHOOK_SECRET),
    body: projectEventSchema,
  },
  async (req) => ({ statusCode: 202, body: await acceptProject(projectAcceptDeps(), req.body) }),
);
