import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { fullJitterDelay } from '../backoff';
import { signSha256 } from '../signature';

/**
 * Signed outbound callbacks (workflow 4 reports the created room to the project system).
 *
 * The URL is configuration, but the host behind it is whatever DNS says at the moment of the call, so the
 * private-address guard runs inside the connection's own lookup: the address that is checked is the address
 * that is dialled, and a name that resolves to a public address for a pre-check and to 169.254.169.254 a
 * moment later (DNS rebinding) is still refused. Redirects are not followed, so a public endpoint cannot
 * bounce the request inward either.
 */

export class CallbackRefusedError extends Error {
  override readonly name = 'CallbackRefusedError';
  readonly retryable = false;
}

export class CallbackFailedError extends Error {
  override readonly name = 'CallbackFailedError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Addresses a callback must never reach unless the operator allows it (local stacks). */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32],
  ['100::', 64], // discard-only
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** IPv4 embedded in an IPv6 address (mapped, compatible, NAT64) is judged as the IPv4 address it reaches. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  // Not an address at all: refuse rather than guess.
  return true;
}

export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

const systemLookup: LookupAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

export interface SignedPostOptions {
  url: string;
  secret: string;
  /** Allows loopback, private and link-local targets; only for local stacks. */
  allowPrivate: boolean;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Injectable resolver (tests); defaults to dns.lookup with all addresses. */
  lookup?: LookupAll;
  /** Extra headers, e.g. an idempotency key the receiver can use to drop our retries. */
  headers?: Record<string, string>;
}

export interface SignedPostResult {
  status: number;
  attempts: number;
}

/**
 * POSTs `body` as JSON with `X-Signature-256: sha256=<hex>` (HMAC-SHA256 of the exact bytes sent), retrying
 * network failures, timeouts, 408, 429 and 5xx with exponential backoff and full jitter. Other answers are
 * final. Neither the secret nor the URL's query string (which may hold a token) appear in errors.
 */
export async function postSignedJson(options: SignedPostOptions, body: unknown): Promise<SignedPostResult> {
  const url = parseTarget(options.url);
  const payload = JSON.stringify(body);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'docspace-flows',
    ...options.headers,
    'x-signature-256': signSha256(payload, options.secret),
  };
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 8_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const where = `${url.protocol}//${url.host}${url.pathname}`;

  let last: CallbackFailedError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await sleep(fullJitterDelay(attempt - 1, base, cap, random));
    let status: number;
    try {
      status = await sendOnce(url, payload, headers, options);
    } catch (error) {
      if (error instanceof CallbackRefusedError) throw error;
      last = new CallbackFailedError(`callback to ${where} failed: ${describe(error)}`, true, attempt);
      continue;
    }
    if (status >= 200 && status < 300) return { status, attempts: attempt };
    const retryable = status === 408 || status === 429 || status >= 500;
    last = new CallbackFailedError(`callback to ${where} answered ${status}`, retryable, attempt, status);
    if (!retryable) throw last;
  }
  throw last!;
}

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackRefusedError('callback URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallbackRefusedError(`callback URL must be http or https, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new CallbackRefusedError('callback URL must not carry credentials');
  return url;
}

function describe(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code) return code;
  return error instanceof Error ? error.message : 'unknown error';
}

function sendOnce(url: URL, payload: string, headers: Record<string, string>, options: SignedPostOptions): Promise<number> {
  const resolveAll = options.lookup ?? systemLookup;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname) !== 0;
  if (literal && !options.allowPrivate && isPrivateAddress(hostname)) {
    return Promise.reject(
      new CallbackRefusedError(`callback host ${hostname} is a private, loopback or link-local address`),
    );
  }

  // Node calls `lookup` for every connection to a name (never for an IP literal, checked above).
  const guardedLookup = (
    name: string,
    lookupOptions: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolveAll(name)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`${name} did not resolve`), { code: 'ENOTFOUND' });
        const refused = options.allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
        if (refused) {
          throw new CallbackRefusedError(
            `callback host ${name} resolves to ${refused.address}, a private, loopback or link-local address`,
          );
        }
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((error: Error) => callback(error, '', 0));
  };

  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
        lookup: guardedLookup as never,
        timeout: options.timeoutMs ?? 10_000,
        agent: false,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(payload);
  });
}
