import { config } from '../../lib/config';
import { requireSignature } from '../../lib/http/auth';
import { endpoint } from '../../lib/http/endpoint';
import { acceptDeps } from '../../lib/runtime';
import { acceptDealArchive, dealClosedSchema } from '../../lib/workflows/deal-archive';

/** POST /webhooks/deals/closed — signed by the CRM with DEALS_WEBHOOK_SECRET. The workflow: lib/workflows/deal-archive.ts. */
export const handler = endpoint(
  {
    authenticate: (req) => requireSignature(req.rawBody, req.headers['x-signature-256'], config('deals').DEALS_WEBHOOK_SECRET),
    body: dealClosedSchema,
  },
  async (req) => ({
    statusCode: 202,
    body: await acceptDealArchive(acceptDeps(), req.body, { archiveRootFolderId: config('deals').ARCHIVE_ROOT_FOLDER_ID }),
  }),
);
