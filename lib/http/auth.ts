import { timingSafeEqual } from 'node:crypto';
import { verifySha256Signature } from '../signature';
import { UnauthorizedError } from './errors';

export function requireSignature(rawBody: Buffer, header: string | undefined, secret: string): void {
  if (!verifySha256Signature(rawBody, header, secret)) throw new UnauthorizedError('missing or invalid signature');
}

/** Bearer token check for the read endpoints, constant time so the token cannot be guessed byte by byte. */
export function requireBearer(authorization: string | undefined, token: string): void {
  const presented = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  if (!token || a.length !== b.length || !timingSafeEqual(a, b)) throw new UnauthorizedError();
}
