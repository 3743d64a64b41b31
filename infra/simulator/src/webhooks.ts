// Webhook configs and delivery as DocSpace's WebhookSender does it (NOTES 4): one log entry (event.id) per event
// per config, delivered in the background up to 10 at a time, HMAC-SHA256 over the exact body in UPPERCASE hex,
// up to 5 automatic retries after 1, 2, 4, 8, 16 × base, each re-serialising the body with the retry fields and
// re-signing it while keeping event.id. A final 410 deletes the config.
import { createHmac } from 'node:crypto';
import { webhookTriggerBits } from './enums';
import { omitDefaults, type EntryPayload } from './entry';
import { jsonDate, secondsDate, sleep } from './time';
import type { WebhookConfigInput, WebhookDelivery } from './types';

export interface WebhookConfig {
  id: number;
  name: string;
  url: string;
  secretKey: string;
  /** `['*']` for all triggers. */
  triggers: string[];
  targetId?: string;
  enabled: boolean;
  ssl: boolean;
  createdBy: string;
  createdOn: number;
  lastSuccessOn?: number;
  lastFailureOn?: number;
  lastFailureContent?: string;
}

/** Resolves to the receiver's status, or to the status and the answer's text (kept like DocSpace's responsePayload). */
export type DeliverFn = (
  url: string,
  init: { headers: Record<string, string>; body: string },
) => Promise<number | { status: number; body?: string }>;

/** DocSpace keeps the receiver's answer in its webhook log, cut to a sane length. */
const maxResponseBody = 4096;

export interface WebhookDeps {
  now(): number;
  deliver: DeliverFn;
  retryBaseMs(): number;
}

const maxRetries = 5;
const parallelism = 10;
const trustedDaysMs = 3 * 24 * 3600 * 1000;

export function signBody(secretKey: string, body: string): string {
  return `sha256=${createHmac('sha256', secretKey).update(body, 'utf8').digest('hex').toUpperCase()}`;
}

export function normaliseTriggers(triggers: readonly string[] | undefined): string[] {
  if (!triggers || triggers.length === 0 || triggers.includes('*')) return ['*'];
  for (const t of triggers) {
    if (!(t in webhookTriggerBits)) throw new Error(`unknown webhook trigger "${t}"`);
  }
  return [...triggers];
}

/** The `triggers` bitmask of POST settings/webhook (0 = all) as names. */
export function triggersFromMask(mask: number): string[] {
  if (!mask) return ['*'];
  return Object.entries(webhookTriggerBits)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([name]) => name);
}

export function triggersToMask(triggers: readonly string[]): number {
  if (triggers.includes('*')) return 0;
  return triggers.reduce((m, t) => m | (webhookTriggerBits[t] ?? 0), 0);
}

interface PendingEvent {
  config: WebhookConfig;
  eventId: number;
  createOn: number;
  createBy: string;
  trigger: string;
  payload: EntryPayload;
}

export class Webhooks {
  private configs = new Map<number, WebhookConfig>();
  private log: WebhookDelivery[] = [];
  private pending = new Set<Promise<void>>();
  private nextConfigId = 1;
  private nextLogId = 1;
  private active = 0;
  private waiters: Array<() => void> = [];
  private abort = new AbortController();
  private stopped = false;

  constructor(private readonly deps: WebhookDeps) {}

  register(input: WebhookConfigInput, createdBy: string): WebhookConfig {
    const config: WebhookConfig = {
      id: this.nextConfigId++,
      name: input.name ?? `webhook ${this.nextConfigId - 1}`,
      url: input.url,
      secretKey: input.secretKey,
      triggers: normaliseTriggers(input.triggers),
      targetId: input.targetId,
      enabled: input.enabled ?? true,
      ssl: true,
      createdBy,
      createdOn: this.deps.now(),
    };
    this.configs.set(config.id, config);
    return config;
  }

  configsList(): WebhookConfig[] {
    return [...this.configs.values()];
  }

  /** Queues one delivery per matching config; never delivers inside the caller. */
  publish(trigger: string, payload: EntryPayload, actor: string): void {
    if (this.stopped) return;
    const entityId = String(payload.id ?? '');
    for (const config of this.configs.values()) {
      if (!config.enabled) continue;
      if (!config.triggers.includes('*') && !config.triggers.includes(trigger)) continue;
      if (config.targetId !== undefined && config.targetId !== entityId) continue;
      const event: PendingEvent = {
        config,
        eventId: this.nextLogId++,
        createOn: this.deps.now(),
        createBy: actor,
        trigger,
        payload,
      };
      const p = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.deliver(event))
        .catch(() => undefined)
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** For close(): abandons sleeping retries and accepts no new events. */
  stop(): void {
    this.stopped = true;
    this.abort.abort(new Error('simulator closed'));
  }

  /** Drops configs and history; retries still sleeping are abandoned. */
  clear(): void {
    this.abort.abort(new Error('simulator reset'));
    this.abort = new AbortController();
    this.configs.clear();
    this.log = [];
    this.nextConfigId = 1;
    this.nextLogId = 1;
  }

  private async deliver(ev: PendingEvent): Promise<void> {
    const signal = this.abort.signal;
    let lastFailureOn: number | undefined;
    let lastFailureContent: string | undefined;
    for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
      if (signal.aborted) return;
      const retryOn = attempt > 1 ? this.deps.now() : undefined;
      const body = JSON.stringify({
        event: omitDefaults({
          id: ev.eventId,
          createOn: secondsDate(ev.createOn),
          createBy: ev.createBy,
          trigger: ev.trigger,
          triggerId: webhookTriggerBits[ev.trigger] ?? 0,
        }),
        payload: ev.payload,
        webhook: omitDefaults({
          id: ev.config.id,
          name: ev.config.name,
          url: ev.config.url,
          triggers: ev.config.triggers,
          target: ev.config.targetId
            ? { id: ev.config.targetId, type: ev.trigger.split('.')[0] }
            : undefined,
          lastFailureOn: lastFailureOn === undefined ? undefined : jsonDate(lastFailureOn),
          lastFailureContent,
          lastSuccessOn: ev.config.lastSuccessOn === undefined ? undefined : jsonDate(ev.config.lastSuccessOn),
          retryCount: attempt - 1,
          retryOn: retryOn === undefined ? undefined : jsonDate(retryOn),
        }),
      });
      const signature = signBody(ev.config.secretKey, body);
      let status = 0;
      let responseBody: string | undefined;
      let failure = '';
      await this.acquire();
      try {
        const answer = await this.deps.deliver(ev.config.url, {
          headers: {
            accept: '*/*',
            'content-type': 'application/json; charset=utf-8',
            'x-docspace-signature-256': signature,
          },
          body,
        });
        status = typeof answer === 'number' ? answer : answer.status;
        responseBody = typeof answer === 'number' ? undefined : answer.body?.slice(0, maxResponseBody);
        if (status < 200 || status > 299) failure = `Response status code does not indicate success: ${status}`;
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err);
      } finally {
        this.release();
      }
      const at = this.deps.now();
      this.log.push({
        webhookId: ev.config.id,
        eventId: ev.eventId,
        trigger: ev.trigger,
        attempt,
        status,
        body,
        signature,
        at,
        ...(responseBody === undefined ? {} : { responseBody }),
      });
      if (!failure) {
        ev.config.lastSuccessOn = at;
        return;
      }
      lastFailureOn = at;
      lastFailureContent = failure.slice(0, 200);
      ev.config.lastFailureOn = at;
      ev.config.lastFailureContent = lastFailureContent;
      if (attempt <= maxRetries) {
        try {
          await sleep(this.deps.retryBaseMs() * 2 ** (attempt - 1), signal);
        } catch {
          return;
        }
      } else if (status === 410) {
        this.configs.delete(ev.config.id);
      } else if (at - (ev.config.lastSuccessOn ?? ev.config.createdOn) > trustedDaysMs) {
        ev.config.enabled = false;
      }
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < parallelism) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

export async function defaultDeliver(
  url: string,
  init: { headers: Record<string, string>; body: string },
): Promise<{ status: number; body?: string }> {
  // Redirects are not followed by DocSpace, so a 3xx counts as a failure.
  const res = await fetch(url, {
    method: 'POST',
    headers: init.headers,
    body: init.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(100_000),
  });
  const body = await res.text().catch(() => undefined);
  return { status: res.status, ...(body === undefined ? {} : { body }) };
}

export async function defaultProbe(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}
