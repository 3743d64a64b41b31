// Webhook configuration (NOTES 4.5): POST checks the URL with a HEAD request and refuses anything but a 2xx.
import type { SimContext } from '../context';
import { badRequest } from '../envelope';
import { webhookTriggerBits } from '../enums';
import type { Router } from '../router';
import { apiDate } from '../time';
import { triggersFromMask, triggersToMask, type WebhookConfig } from '../webhooks';

export function webhookConfigDto(c: WebhookConfig, tz: number): Record<string, unknown> {
  // The secret is write-only: WebhooksConfigDto has no secretKey.
  const dto: Record<string, unknown> = {
    id: c.id,
    name: c.name,
    uri: c.url,
    enabled: c.enabled,
    ssl: c.ssl,
    triggers: triggersToMask(c.triggers),
    createdBy: c.createdBy,
    createdOn: apiDate(c.createdOn, tz),
  };
  if (c.targetId !== undefined) dto.targetId = c.targetId;
  if (c.lastSuccessOn !== undefined) dto.lastSuccessOn = apiDate(c.lastSuccessOn, tz);
  if (c.lastFailureOn !== undefined) dto.lastFailureOn = apiDate(c.lastFailureOn, tz);
  if (c.lastFailureContent !== undefined) dto.lastFailureContent = c.lastFailureContent;
  return dto;
}

export function registerSettingsRoutes(
  router: Router,
  ctx: SimContext,
  probe: (url: string) => Promise<number>,
): void {
  router.add('GET', 'settings/webhook', () => ({
    response: ctx.webhooks.configsList().map((c) => ({ configs: webhookConfigDto(c, ctx.state.timeZoneOffsetMinutes), status: c.lastFailureOn ? 1 : 0 })),
  }));

  router.add('GET', 'settings/webhook/triggers', () => ({ response: { '*': 0, ...webhookTriggerBits } }));

  router.add('POST', 'settings/webhook', async (req) => {
    const { name, uri, secretKey, enabled, triggers, targetId } = req.body;
    if (typeof name !== 'string' || !name.trim() || name.length > 50) throw badRequest('The Name field is required.');
    if (typeof uri !== 'string' || !/^https?:\/\//i.test(uri)) throw badRequest('The Uri field is required.');
    if (typeof secretKey !== 'string' || secretKey.length < 8 || secretKey.length > 50) {
      throw badRequest('The secret key does not meet the password policy.');
    }
    let status = 0;
    try {
      status = await probe(uri);
    } catch {
      status = 0;
    }
    if (status < 200 || status > 299) throw badRequest('ErrorWebhookUrlNotAvaliable');
    const config = ctx.webhooks.register(
      {
        name,
        url: uri,
        secretKey,
        enabled: enabled === undefined ? true : enabled === true,
        triggers: triggersFromMask(Number(triggers ?? 0) || 0),
        targetId: targetId === undefined || targetId === null || targetId === '' ? undefined : String(targetId),
      },
      req.userId,
    );
    return { response: webhookConfigDto(config, ctx.state.timeZoneOffsetMinutes) };
  });
}
