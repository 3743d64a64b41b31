import { config } from '../../lib/config';
import { requireBearer } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { NotFoundError } from '../../lib/errors';
import { deadLetterQueues, getJob, getLatestReport, listJobs } from '../../lib/workflows/read-api';
import { deadLetterQueueCounts, jobList, jobStore, reportStore } from '../../lib/runtime';

/** The read API for operators holding ADMIN_API_TOKEN: GET /jobs, /jobs/{jobId}, /reports/abandoned-rooms/latest, /dead-letter-queues. */
export const handler = endpoint(
  { authenticate: (req) => requireBearer(req.headers.authorization, config('admin').ADMIN_API_TOKEN) },
  async (req) => {
    const path = req.path.replace(/\/+$/, '');
    if (path.endsWith('/reports/abandoned-rooms/latest')) {
      return { statusCode: 200, body: await getLatestReport(reportStore()) };
    }
    if (path.endsWith('/dead-letter-queues')) return { statusCode: 200, body: await deadLetterQueues(deadLetterQueueCounts()) };
    const jobId = req.pathParameters.jobId;
    if (jobId) return { statusCode: 200, body: await getJob(jobStore(), jobId) };
    if (path.endsWith('/jobs')) return { statusCode: 200, body: await listJobs(jobList(), req.query) };
    throw new NotFoundError();
  },
);
