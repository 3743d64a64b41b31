import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requireBearer } from '../../../lib/http/auth';
import { signSha256, verifySha256Signature } from '../../../lib/signature';
import { UnauthorizedError } from '../../../lib/http/errors';

const body = Buffer.from('{"taskId":"TASK-1","status":"closed","docsFolderId":7}');
const hex = createHmac('sha256', 'secret').update(body).digest('hex');

describe('HMAC signatures', () => {
  it('accepts the signature in lowercase and in uppercase hex', () => {
    expect(verifySha256Signature(body, `sha256=${hex}`, 'secret')).toBe(true);
    expect(verifySha256Signature(body, `sha256=${hex.toUpperCase()}`, 'secret')).toBe(true);
  });

  it('ignores the case of the sha256= prefix too, as senders differ there as well', () => {
    expect(verifySha256Signature(body, `SHA256=${hex}`, 'secret')).toBe(true);
    expect(verifySha256Signature(body, `Sha256=${hex.toUpperCase()}`, 'secret')).toBe(true);
    expect(verifySha256Signature(body, `sha1=${hex}`, 'secret')).toBe(false);
  });

  it('rejects a missing, malformed, truncated or wrong-secret signature', () => {
    expect(verifySha256Signature(body, undefined, 'secret')).toBe(false);
    expect(verifySha256Signature(body, hex, 'secret')).toBe(false);
    expect(verifySha256Signature(body, `sha256=${hex.slice(2)}`, 'secret')).toBe(false);
    expect(verifySha256Signature(body, `sha256=${hex.replace(/.$/, 'g')}`, 'secret')).toBe(false);
    expect(verifySha256Signature(body, `sha256=${hex}`, 'other')).toBe(false);
    expect(verifySha256Signature(body, `sha256=${hex}`, '')).toBe(false);
  });

  it('verifies the raw bytes, so a re-serialised body does not match', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifySha256Signature(reserialised, `sha256=${hex}`, 'secret')).toBe(false);
  });

  it('signs in the same format it verifies', () => {
    expect(signSha256(body, 'secret')).toBe(`sha256=${hex}`);
  });
});

describe('bearer tokens', () => {
  it('accepts the exact token and nothing else', () => {
    expect(() => requireBearer('Bearer local-admin-token-123', 'local-admin-token-123')).not.toThrow();
    expect(() => requireBearer('bearer local-admin-token-123', 'local-admin-token-123')).not.toThrow();
    expect(() => requireBearer(undefined, 'local-admin-token-123')).toThrow(UnauthorizedError);
    expect(() => requireBearer('Bearer local-admin-token-12', 'local-admin-token-123')).toThrow(UnauthorizedError);
    expect(() => requireBearer('local-admin-token-123', 'local-admin-token-123')).toThrow(UnauthorizedError);
  });
});
