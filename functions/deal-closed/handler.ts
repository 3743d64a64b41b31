import { config } from '../../lib/config';
import { requireSignature } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { acceptDeps } from '../../lib/runtime';
import { acceptDealClosed, dealClosedSchema } from '../../lib/workflows/deal-closed';

/** POST /webhooks/deals/closed — signed by the CRM with DEALS_WEBHOOK_SECRET. */
export const handler = endpoint(
  {
    authenticate: (req) => requireSignature(req.rawBody, req.headers['x-signature-256'], config('deals').DEALS_WEBHOOK_SECRET),
    body: dealClosedSchema,
  },
  async (req) => ({
    statusCode: 202,
    body: await acceptDealClosed(acceptDeps(), req.body, { archiveRootFolderId: config('deals').ARCHIVE_ROOT_FOLDER_ID }),
  }),
);
