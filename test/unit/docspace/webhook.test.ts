import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOCSPACE_SIGNATURE_HEADER, docspaceWebhookSchema } from '../../../lib/docspace/webhook';
import { verifySha256Signature } from '../../../lib/signature';

const secret = 'webhook-Secret-1!';
const body = JSON.stringify({
  event: { id: 1234, createOn: '2026-05-01T10:20:30Z', createBy: 'f0e1d2c3-0000-0000-0000-000000000001', trigger: 'file.uploaded', triggerId: 256 },
  payload: { id: 4567, parentId: 77, rootId: 70, title: 'Invoice.pdf', fileEntryType: 2, createBy: 'f0e1d2c3-0000-0000-0000-000000000001', rootFolderType: 14, somethingNew: [1] },
  webhook: { id: 7, name: 'copies', url: 'https://example.com/hook', triggers: ['file.uploaded'], retryCount: 2, retryOn: '2026-05-01T10:20:32Z' },
});
/** DocSpace signs with Convert.ToHexString: uppercase (NOTES 4.1). */
const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex').toUpperCase()}`;

describe('DocSpace webhook signatures', () => {
  it('accepts DocSpace’s uppercase-hex signature over the exact body', () => {
    expect(DOCSPACE_SIGNATURE_HEADER).toBe('x-docspace-signature-256');
    expect(verifySha256Signature(body, signature, secret)).toBe(true);
    expect(verifySha256Signature(Buffer.from(body), signature.toLowerCase(), secret)).toBe(true);
  });

  it('rejects a re-serialised body, another secret, or a missing header', () => {
    expect(verifySha256Signature(JSON.stringify(JSON.parse(body), null, 2), signature, secret)).toBe(false);
    expect(verifySha256Signature(body, signature, 'other')).toBe(false);
    expect(verifySha256Signature(body, undefined, secret)).toBe(false);
  });
});

describe('docspaceWebhookSchema', () => {
  it('parses a delivery and keeps unknown keys', () => {
    const parsed = docspaceWebhookSchema.parse(JSON.parse(body));
    expect(parsed.event).toMatchObject({ id: 1234, trigger: 'file.uploaded', createOn: '2026-05-01T10:20:30Z' });
    expect(parsed.payload).toMatchObject({ id: 4567, parentId: 77, rootId: 70, title: 'Invoice.pdf', fileEntryType: 2, somethingNew: [1] });
    expect(parsed.webhook).toMatchObject({ id: 7, retryCount: 2 });
  });

  it('accepts a numeric-string payload id and omitted defaults', () => {
    const parsed = docspaceWebhookSchema.parse({
      event: { id: 1, createOn: '2026-05-01T10:20:30Z', trigger: 'folder.created' },
      payload: { id: '88', folderId: '12' },
      webhook: { id: 3 },
    });
    expect(parsed.payload.id).toBe(88);
    expect(parsed.payload.folderId).toBe(12);
  });

  it('rejects a delivery without event id, trigger or webhook id', () => {
    const good = JSON.parse(body);
    expect(docspaceWebhookSchema.safeParse({ ...good, event: { ...good.event, id: undefined } }).success).toBe(false);
    expect(docspaceWebhookSchema.safeParse({ ...good, event: { ...good.event, trigger: undefined } }).success).toBe(false);
    expect(docspaceWebhookSchema.safeParse({ ...good, webhook: {} }).success).toBe(false);
    expect(docspaceWebhookSchema.safeParse({ ...good, payload: { id: 'abc' } }).success).toBe(false);
  });
});
