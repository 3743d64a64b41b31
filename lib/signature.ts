import { createHmac, timingSafeEqual } from 'node:crypto';

/* The HMAC-SHA256 body signature every sender uses: the external systems and DocSpace sign what they send us
 * (verified in lib/http/auth.ts), and we sign the project callback (lib/callback/client.ts). */

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
