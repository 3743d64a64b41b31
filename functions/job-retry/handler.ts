import { config } from '../../lib/config';
import { requireBearer } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { NotFoundError } from '../../lib/errors';
import { retryDeps } from '../../lib/runtime';
import { retryJob } from '../../lib/workflows/retry';

/** POST /jobs/{jobId}/retry: a failed job runs again as if its event had been delivered again. */
export const handler = endpoint(
  { authenticate: (req) => requireBearer(req.headers.authorization, config('admin').ADMIN_API_TOKEN) },
  async (req) => {
    const jobId = req.pathParameters.jobId;
    if (!jobId) throw new NotFoundError();
    return { statusCode: 202, body: await retryJob(retryDeps(), jobId) };
  },
);
