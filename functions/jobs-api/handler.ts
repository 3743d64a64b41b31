import { config } from '../../lib/config';
import { requireBearer } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { NotFoundError } from '../../lib/http/errors';
import { getJob, getLatestReport } from '../../lib/workflows/read-api';
import { jobStore, reportStore } from '../../lib/runtime';

/** GET /jobs/{jobId} and GET /reports/abandoned-rooms/latest, for operators holding ADMIN_API_TOKEN. */
export const handler = endpoint(
  { authenticate: (req) => requireBearer(req.headers.authorization, config('admin').ADMIN_API_TOKEN) },
  async (req) => {
    if (req.path.endsWith('/reports/abandoned-rooms/latest')) {
      return { statusCode: 200, body: await getLatestReport(reportStore()) };
    }
    const jobId = req.pathParameters.jobId;
    if (!jobId) throw new NotFoundError();
    return { statusCode: 200, body: await getJob(jobStore(), jobId) };
  },
);
