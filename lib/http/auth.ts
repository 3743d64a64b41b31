import { timingSafeEqual } from 'node:crypto';
import { isSha256SignatureHeader, verifySha256Signature } from '../signature';
import { UnauthorizedError } from './errors';

export function requireSignature(rawBody: Buffer, header: string | undefined, secret: string): void {
  if (verifySha256Signature(rawBody, header, secret)) return;
  const detail = !header
    ? 'no signature header'
    : !isSha256SignatureHeader(header)
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
