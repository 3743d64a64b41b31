import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config } from '../../lib/config';
import { DOCSPACE_SIGNATURE_HEADER } from '../../lib/docspace/webhook';
import { requireSignature } from '../../lib/http/auth';
import { endpoint, type HttpHandler } from '../../lib/http/endpoint';
import { uploadAcceptDeps } from '../../lib/runtime';
import { acceptUpload, uploadWebhookSchema } from '../../lib/workflows/upload-copy';

/**
 * POST /webhooks/docspace — DocSpace's signed webhook (`x-docspace-signature-256`, uppercase hex over the raw
 * body, DOCSPACE_WEBHOOK_SECRET). Answered as soon as the event is recorded and queued; the copy runs in
 * functions/upload-copy/worker.ts.
 */
const post = endpoint(
  {
    // The same HMAC-SHA256 over the raw bytes as the other senders; DocSpace's uppercase hex is accepted as is.
    authenticate: (req) => requireSignature(req.rawBody, req.headers[DOCSPACE_SIGNATURE_HEADER], config('uploads').DOCSPACE_WEBHOOK_SECRET),
    body: uploadWebhookSchema,
    // DocSpace's delivery id (the same on its retries) on every later log line of this request.
    logKeys: (body) => ({ docspaceEventId: body.event.id, docspaceWebhookId: body.webhook.id }),
  },
  async (req) => {
    const outcome = await acceptUpload(uploadAcceptDeps(), req.body);
    return { statusCode: 'ignored' in outcome ? 200 : 202, body: outcome };
  },
);

/**
 * HEAD /webhooks/docspace answers 200 with no body: DocSpace probes the URL when the webhook is registered
 * (NOTES 4.5). GET is the local stage's stand-in for HEAD (serverless-offline cannot route HEAD).
 */
export const handler: HttpHandler = async (event: APIGatewayProxyEventV2, context) => {
  const method = event.requestContext?.http?.method?.toUpperCase();
  if (method === 'HEAD' || method === 'GET') return { statusCode: 200 };
  return post(event, context);
};
