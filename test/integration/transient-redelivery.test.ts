import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { startStack, type Stack } from '../support/stack';

/*
 * On the whole local stack (test/support/stack.ts, queues with a 60 s visibility timeout): a step that fails for a
 * transient reason comes back within seconds. The project system's callback endpoint is down for the first
 * delivery (every one of its in-process attempts answered 503), so the worker's step fails and the message goes
 * back to SQS; the next delivery must not wait out the visibility timeout.
 */

let stack: Stack;
let receiver: Server;
const callbacks: number[] = [];
let failFirst = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      callbacks.push(Date.now());
      res.statusCode = callbacks.length <= failFirst ? 503 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  stack = await startStack({
    visibilityTimeoutSeconds: 60,
    env: { PROJECT_CALLBACK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pm/rooms` },
    simulator: { fileOpDurationMs: 5 },
  });
});
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

describe('a step that fails for a transient reason, on the local stack', () => {
  it('is redelivered within seconds, not after the 60 s visibility timeout, and the job then succeeds', async () => {
    // The callback client tries 5 times in-process; all 5 fail, so the first delivery fails.
    failFirst = 5;
    const body = JSON.stringify({ projectId: 'P-transient', projectType: 'legal', projectName: 'Transient' });
    const answer = await stack.http(projectRoomWebhook, {
      method: 'POST',
      path: '/webhooks/projects',
      body,
      headers: stack.signedHeaders(stack.secrets.projects, body),
    });
    expect(answer.statusCode).toBe(202);
    await stack.drain({ timeoutMs: 50_000 });

    expect(callbacks.length).toBe(6);
    const redeliveredAfterMs = callbacks[5]! - callbacks[4]!;
    expect(redeliveredAfterMs).toBeLessThan(15_000);
    const redelivered = stack.batches().filter((b) => b.functionKey === 'projectRoomWorker' && b.retained > 0);
    expect(redelivered).toHaveLength(1);
    expect(await stack.dlqMessages('ProjectRoomQueue')).toEqual([]);
  }, 60_000);
});
