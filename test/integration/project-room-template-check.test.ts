import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { DEMO } from '@docspace-flows/simulator';
import { startStack, type Stack } from '../support/stack';

/*
 * Workflow 4's start-up check: the project-room worker, driven by the stack's SQS pollers, compares TEMPLATE_MAP
 * with the portal's templates (searchArea=Templates) once per cold start and logs each mapped type whose template
 * the portal does not have, before any project of that type arrives.
 */
vi.hoisted(() => {
  // Read when lib/log builds the logger, before any import runs; the test setup silences logs otherwise.
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
});

/** An active room of the demo portal: it exists, but it is not a template. */
const NOT_A_TEMPLATE = DEMO.clientRoomId;

let stack: Stack;
let output = '';

function capture(chunk: unknown): boolean {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return true;
}

beforeAll(async () => {
  stack = await startStack({
    simulator: { templateDurationMs: 20 },
    env: { TEMPLATE_MAP: JSON.stringify({ legal: DEMO.templates.legal, construction: NOT_A_TEMPLATE }) },
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
});

describe('the project-room worker at cold start', () => {
  it('logs a mapped type whose template the portal does not have, once for the cold start and not once per message', async () => {
    const projects = ['T-1', 'T-2', 'T-3'].map((projectId) => ({ projectId, projectType: 'legal', projectName: 'Template check' }));
    for (const project of projects) {
      const raw = JSON.stringify(project);
      const answer = await stack.http(projectRoomWebhook, {
        method: 'POST',
        path: '/webhooks/projects',
        headers: stack.signedHeaders(stack.secrets.projects, raw),
        body: raw,
      });
      expect(answer.statusCode).toBe(202);
    }
    await stack.drain({ timeoutMs: 20_000 });

    // Three messages, at least three invocations of the worker (batchSize 1) ...
    const invocations = stack.batches().filter((b) => b.functionKey === 'projectRoomWorker');
    expect(invocations.every((b) => b.received === 1)).toBe(true);
    expect(invocations.length).toBeGreaterThanOrEqual(3);

    // ... and one line naming the type and the id, none for the type whose template exists.
    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const flagged = lines.filter((l) => /TEMPLATE_MAP/.test(String(l.message)));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({
      level: 'ERROR',
      message: 'TEMPLATE_MAP names a template the portal does not have',
      projectType: 'construction',
      templateId: NOT_A_TEMPLATE,
    });
    expect(JSON.stringify(lines)).not.toContain('"projectType":"legal"');
  });
});
