import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CallbackFailedError,
  CallbackRefusedError,
  isPrivateAddress,
  postSignedJson,
} from '../../../lib/callback/client';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;

/** A receiver on 127.0.0.1 that answers with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/rooms?token=abc`, received };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const noWait = { sleep: async () => undefined, random: () => 0.5 };

describe('the private-address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::5', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:a9fe:a9fe', true],
    ['[::1]', true],
    ['172.32.0.1', false],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('classifies %s as private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('refuses a loopback URL unless private targets are allowed, without sending anything', async () => {
    const { url, received } = await receiver([200]);
    await expect(postSignedJson({ url, secret: 's', allowPrivate: false, ...noWait }, { a: 1 })).rejects.toBeInstanceOf(
      CallbackRefusedError,
    );
    expect(received).toEqual([]);
  });

  it('refuses a name that resolves to a link-local address, and says which address', async () => {
    const error = await postSignedJson(
      {
        url: 'https://pm.example.com/hook',
        secret: 's',
        allowPrivate: false,
        lookup: async () => [{ address: '169.254.169.254', family: 4 }],
        ...noWait,
      },
      { a: 1 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbackRefusedError);
    expect((error as Error).message).toContain('169.254.169.254');
  });

  it('refuses a name when any of its addresses is private, even if another is public', async () => {
    const attempt = postSignedJson(
      {
        url: 'http://mixed.example.com/hook',
        secret: 's',
        allowPrivate: false,
        lookup: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ],
        ...noWait,
      },
      {},
    );
    await expect(attempt).rejects.toBeInstanceOf(CallbackRefusedError);
  });

  it('refuses schemes other than http and https', async () => {
    await expect(postSignedJson({ url: 'file:///etc/passwd', secret: 's', allowPrivate: true }, {})).rejects.toBeInstanceOf(
      CallbackRefusedError,
    );
  });
});

describe('the signed POST', () => {
  it('signs the exact bytes it sends with X-Signature-256 and passes the idempotency key', async () => {
    const { url, received } = await receiver([204]);
    const result = await postSignedJson(
      { url, secret: 'projects-secret', allowPrivate: true, headers: { 'idempotency-key': 'job-1' }, ...noWait },
      { projectId: 'P-1', roomId: 42 },
    );
    expect(result).toEqual({ status: 204, attempts: 1 });
    const [only] = received;
    expect(JSON.parse(only!.body)).toEqual({ projectId: 'P-1', roomId: 42 });
    const expected = createHmac('sha256', 'projects-secret').update(only!.body).digest('hex');
    expect(only!.headers['x-signature-256']).toBe(`sha256=${expected}`);
    expect(only!.headers['idempotency-key']).toBe('job-1');
  });

  it('retries 503 and 429 with backoff until the receiver accepts', async () => {
    const { url, received } = await receiver([503, 429, 200]);
    const slept: number[] = [];
    const result = await postSignedJson(
      { url, secret: 's', allowPrivate: true, sleep: async (ms) => void slept.push(ms), random: () => 1, baseDelayMs: 100 },
      {},
    );
    expect(result.attempts).toBe(3);
    expect(received).toHaveLength(3);
    expect(slept).toEqual([100, 200]);
  });

  it('does not retry a 400, and keeps the URL\'s query string out of the error', async () => {
    const { url, received } = await receiver([400]);
    const error = await postSignedJson({ url, secret: 'top-secret', allowPrivate: true, ...noWait }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbackFailedError);
    expect(error).toMatchObject({ retryable: false, status: 400, attempts: 1 });
    expect((error as Error).message).not.toContain('token=abc');
    expect((error as Error).message).not.toContain('top-secret');
    expect(received).toHaveLength(1);
  });

  it('gives up after the last attempt with a retryable error when nothing listens', async () => {
    const { url } = await receiver([200]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await postSignedJson({ url, secret: 's', allowPrivate: true, maxAttempts: 3, ...noWait }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbackFailedError);
    expect(error).toMatchObject({ retryable: true, attempts: 3 });
  });
});
