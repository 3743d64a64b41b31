import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocSpaceSimulator } from '../src';
import { client, fastSim, waitOp } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

function receiver(statuses: number[] = []) {
  const sent: Sent[] = [];
  const deliver = async (url: string, init: { headers: Record<string, string>; body: string }) => {
    sent.push({ url, ...init });
    return statuses.shift() ?? 200;
  };
  return { sent, deliver };
}

/** What a receiver does: HMAC over the raw body, compared case-insensitively in constant time. */
function verifies(secret: string, body: string, header: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
  const got = Buffer.from(header.replace(/^sha256=/, '').toLowerCase());
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('webhooks', () => {
  it('delivers file.uploaded later (not inside the call), signed in uppercase hex over the exact body', async () => {
    const { sent, deliver } = receiver();
    sim = fastSim({ deliverWebhook: deliver });
    const room = sim.addRoom({ title: 'Uploads' });
    const guest = sim.addUser({ displayName: 'Gina Guest', type: 'guest' });
    const hook = sim.registerWebhook({ url: 'https://hooks.test/docspace', secretKey: 'S3cret-key!', triggers: ['file.uploaded'], name: 'copies' });
    const fileId = sim.uploadFile(room, 'scan.pdf', { createdBy: guest });
    expect(sent).toHaveLength(0);
    await sim.flushWebhooks();
    expect(sent).toHaveLength(1);
    const [d] = sent;
    expect(d!.url).toBe('https://hooks.test/docspace');
    expect(d!.headers['content-type']).toBe('application/json; charset=utf-8');
    const signature = d!.headers['x-docspace-signature-256']!;
    expect(signature).toMatch(/^sha256=[0-9A-F]{64}$/);
    expect(signature).toBe(`sha256=${createHmac('sha256', 'S3cret-key!').update(d!.body).digest('hex').toUpperCase()}`);
    expect(verifies('S3cret-key!', d!.body, signature)).toBe(true);

    const body = JSON.parse(d!.body);
    expect(body.event).toMatchObject({ trigger: 'file.uploaded', triggerId: 256, createBy: guest });
    expect(body.event.createOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.webhook).toEqual({ id: hook, name: 'copies', url: 'https://hooks.test/docspace', triggers: ['file.uploaded'] });
    expect(body.payload).toMatchObject({
      id: fileId,
      parentId: room,
      folderIdDisplay: room,
      rootId: sim.state.roots.rooms,
      title: 'scan.pdf',
      createBy: guest,
      rootFolderType: 14,
      fileEntryType: 2,
    });
    // The internal FileEntry, not the REST FileDto, with default-valued keys omitted.
    expect(body.payload).not.toHaveProperty('access');
    expect(body.payload).not.toHaveProperty('shared');
    expect(body.payload).not.toHaveProperty('folderId');
    expect(sim.deliveries()).toMatchObject([{ webhookId: hook, eventId: body.event.id, attempt: 1, status: 200, trigger: 'file.uploaded' }]);
  });

  it('retries a failed delivery with a re-serialised, re-signed body and the same event.id', async () => {
    const { sent, deliver } = receiver([500, 503, 200]);
    sim = fastSim({ deliverWebhook: deliver, webhookRetryBaseMs: 5 });
    const room = sim.addRoom({ title: 'Uploads' });
    sim.registerWebhook({ url: 'https://hooks.test/', secretKey: 'another-secret' });
    sim.uploadFile(room, 'a.pdf');
    await sim.flushWebhooks();
    expect(sent).toHaveLength(3);
    const bodies = sent.map((s) => JSON.parse(s.body));
    expect(new Set(bodies.map((b) => b.event.id)).size).toBe(1);
    expect(bodies.map((b) => b.webhook.retryCount)).toEqual([undefined, 1, 2]);
    expect(bodies[1].webhook.lastFailureOn).toBeTruthy();
    expect(bodies[2].webhook.retryOn).toBeTruthy();
    expect(new Set(sent.map((s) => s.headers['x-docspace-signature-256'])).size).toBe(3);
    for (const s of sent) expect(verifies('another-secret', s.body, s.headers['x-docspace-signature-256']!)).toBe(true);
    expect(sim.deliveries().map((d) => [d.attempt, d.status])).toEqual([[1, 500], [2, 503], [3, 200]]);
  });

  it('gives up after five retries spaced 1, 2, 4, 8, 16 × base, and drops the config after a final 410', async () => {
    const { sent, deliver } = receiver(Array(6).fill(410));
    sim = fastSim({ deliverWebhook: deliver, webhookRetryBaseMs: 4 });
    const room = sim.addRoom({ title: 'Uploads' });
    sim.registerWebhook({ url: 'https://hooks.test/', secretKey: 'gone-secret' });
    sim.uploadFile(room, 'a.pdf');
    await sim.flushWebhooks();
    expect(sent).toHaveLength(6);
    const gaps = sim.deliveries().map((d, i, all) => (i === 0 ? 0 : d.at - all[i - 1]!.at)).slice(1);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(4 * 2 ** i - 1));
    sim.uploadFile(room, 'b.pdf');
    await sim.flushWebhooks();
    expect(sent).toHaveLength(6);
  });

  it('gives each config its own event.id and only sends the triggers a config subscribed to', async () => {
    const { sent, deliver } = receiver();
    sim = fastSim({ deliverWebhook: deliver });
    const room = sim.addRoom({ title: 'R' });
    const src = sim.addFolder(room, 'src');
    const dest = sim.addFolder(room, 'dest');
    const file = sim.addFile(src, 'a.docx');
    const moves = sim.registerWebhook({ url: 'https://a.test/', secretKey: 'secret-aaa', triggers: ['file.moved', 'file.copied'] });
    const all = sim.registerWebhook({ url: 'https://b.test/', secretKey: 'secret-bbb', triggers: ['*'] });
    sim.registerWebhook({ url: 'https://c.test/', secretKey: 'secret-ccc', triggers: ['room.created'] });
    const api = client(sim);
    const put = await api.put('files/fileops/move', { fileIds: [file], destFolderId: dest, returnSingleOperation: true });
    await waitOp(api, put.json.response[0].id);
    await sim.flushWebhooks();
    const got = sent.map((s) => JSON.parse(s.body));
    expect(got.map((b) => [b.webhook.id, b.event.trigger, b.payload.id, b.payload.parentId])).toEqual(
      expect.arrayContaining([
        [moves, 'file.moved', file, dest],
        [all, 'file.moved', file, dest],
      ]),
    );
    expect(got).toHaveLength(2);
    expect(got[0].event.id).not.toBe(got[1].event.id);
    expect(got.find((b) => b.webhook.id === all).webhook.triggers).toEqual(['*']);
  });

  it('delivers at most 10 at a time', async () => {
    let active = 0;
    let peak = 0;
    sim = fastSim({
      deliverWebhook: async () => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
        return 200;
      },
    });
    const room = sim.addRoom({ title: 'R' });
    sim.registerWebhook({ url: 'https://hooks.test/', secretKey: 'parallel-secret' });
    for (let i = 0; i < 25; i++) sim.uploadFile(room, `f${i}.pdf`);
    await sim.flushWebhooks();
    expect(sim.deliveries()).toHaveLength(25);
    expect(peak).toBe(10);
  });

  it('registers through POST settings/webhook only when a HEAD to the URL answers 2xx', async () => {
    const probed: string[] = [];
    let probeStatus = 405;
    sim = fastSim({ probeWebhookUrl: async (url) => (probed.push(url), probeStatus) });
    const api = client(sim);
    const body = { name: 'copies', uri: 'https://hooks.test/x', secretKey: 'Secret-123', enabled: true, triggers: 256 };
    const refused = await api.post('settings/webhook', body);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toBe('ErrorWebhookUrlNotAvaliable');
    probeStatus = 200;
    const ok = await api.post('settings/webhook', body);
    expect(ok.status).toBe(200);
    expect(ok.json.response).toMatchObject({ name: 'copies', uri: 'https://hooks.test/x', triggers: 256, enabled: true });
    expect(probed).toEqual(['https://hooks.test/x', 'https://hooks.test/x']);
    const list = await api.get('settings/webhook');
    expect(list.json.response).toHaveLength(1);
    expect(list.text).not.toContain('Secret-123');
  });
});
