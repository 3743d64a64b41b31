import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './errors';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * `sha256=<hex>` where hex is HMAC-SHA256(secret, raw body). Hex case is ignored (DocSpace sends uppercase,
 * most other senders lowercase), and the digests are compared as bytes in constant time.
 */
export function verifySha256Signature(rawBody: Buffer | string, header: string | undefined, secret: string): boolean {
  if (!secret || !header) return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match) return false;
  const received = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

export function signSha256(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function requireSignature(rawBody: Buffer, header: string | undefined, secret: string): void {
  if (verifySha256Signature(rawBody, header, secret)) return;
  const detail = !header
    ? 'no signature header'
    : !SIGNATURE.test(header.trim())
      ? 'the signature header is not sha256=<64 hex digits>'
      : 'the signature does not match the body: another secret, or the body changed after it was signed';
  throw new UnauthorizedError('missing or invalid signature', detail);
}

/** Bearer token check for the read endpoints, constant time so the token cannot be guessed byte by byte. */
export function requireBearer(authorization: string | undefined, token: string): void {
  const presented = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  if (!token || a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new UnauthorizedError(undefined, presented ? 'not the admin token' : 'no bearer token');
  }
}
