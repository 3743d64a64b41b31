import { describe, expect, it } from 'vitest';
import { DocSpaceOperationFailedError, DocSpaceOperationTimeoutError } from '../../../lib/docspace/errors';
import { runFileOperation, startFileOperation, waitForOperation } from '../../../lib/docspace/fileops';
import { caught, harness, ok, tooMany, type FakeRequest } from './fake-docspace';

const running = (id: string, progress = 0) => ({ id, Operation: 0, progress, error: '', processed: '0', finished: false, status: 1 });
const done = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  Operation: 0,
  progress: 100,
  error: '',
  processed: '2',
  finished: true,
  status: 2,
  files: [{ id: 5, title: 'a.docx' }, { id: 6, title: 'b.docx' }],
  ...extra,
});

/**
 * fileops as DocSpace runs them: the PUT starts a task; `GET fileops?id=` reports it running for `pollsUntilDone`
 * polls, then returns the finished result once and dequeues it.
 */
function fileopsServer(options: { pollsUntilDone: number; result?: Record<string, unknown>; others?: unknown[] }) {
  let polls = 0;
  let dequeued = false;
  return (request: FakeRequest): Response => {
    if (request.method === 'PUT') return ok([running('op-1')]);
    if (request.path === 'files/fileops') {
      const others = options.others ?? [];
      if (request.url.searchParams.get('id') !== 'op-1' || dequeued) return ok(others);
      polls += 1;
      if (polls < options.pollsUntilDone) return ok([...others, running('op-1', polls * 10)]);
      dequeued = true;
      return ok([...others, done('op-1', options.result)]);
    }
    throw new Error(`unexpected ${request.method} ${request.path}`);
  };
}

const request = { fileIds: [5, 6], destFolderId: 9, conflictResolveType: 'Duplicate' as const };

describe('startFileOperation', () => {
  it('sends returnSingleOperation, deleteAfter false and the explicit conflict policy', async () => {
    const h = harness(() => ok([running('op-1')]));
    const op = await startFileOperation(h.client, 'move', request);
    expect(op).toMatchObject({ id: 'op-1', finished: false, operation: 0 });
    expect(h.calls[0]).toMatchObject({
      method: 'PUT',
      path: 'files/fileops/move',
      body: { fileIds: [5, 6], folderIds: [], destFolderId: 9, conflictResolveType: 'Duplicate', deleteAfter: false, returnSingleOperation: true },
    });
  });

  it('uses the copy endpoint for copies', async () => {
    const h = harness(() => ok([running('op-2')]));
    await startFileOperation(h.client, 'copy', { ...request, folderIds: [3], conflictResolveType: 'Skip' });
    expect(h.calls[0]).toMatchObject({ path: 'files/fileops/copy', body: { folderIds: [3], conflictResolveType: 'Skip' } });
  });
});

describe('waitForOperation', () => {
  it('awaits the result by id, polling GET files/fileops?id= from 100 ms with backoff until it finishes', async () => {
    const h = harness(fileopsServer({ pollsUntilDone: 6, others: [done('someone-else')] }));
    const outcome = await waitForOperation(h.client, 'op-1');
    expect(outcome).toMatchObject({ state: 'finished', op: { id: 'op-1', error: '', files: [{ id: 5 }, { id: 6 }] } });
    expect(h.calls.map((c) => `${c.method} ${c.path}?${c.url.search.slice(1)}`)).toEqual(Array(6).fill('GET files/fileops?id=op-1'));
    expect(h.sleeps).toEqual([100, 150, 225, 338, 507, 761]);
  });

  it('caps the poll interval', async () => {
    const h = harness(fileopsServer({ pollsUntilDone: 12 }));
    await waitForOperation(h.client, 'op-1', { maxDelayMs: 1000 });
    expect(Math.max(...h.sleeps)).toBe(1000);
    expect(h.sleeps.at(-1)).toBe(1000);
  });

  it('reports an operation whose result is no longer listed as vanished', async () => {
    const h = harness(() => ok([done('another-op')]));
    await expect(waitForOperation(h.client, 'op-1')).resolves.toEqual({ state: 'vanished' });
    expect(h.calls).toHaveLength(1);
  });

  it('reports vanished when the listing has no response at all', async () => {
    const h = harness(() => ok(undefined));
    await expect(waitForOperation(h.client, 'op-1')).resolves.toEqual({ state: 'vanished' });
  });

  it('returns a finished operation with an error as finished, for the caller to judge', async () => {
    const h = harness(fileopsServer({ pollsUntilDone: 2, result: { error: 'Quota exceeded', files: [{ id: 5, title: 'a.docx' }] } }));
    const outcome = await waitForOperation(h.client, 'op-1');
    expect(outcome).toMatchObject({ state: 'finished', op: { error: 'Quota exceeded' } });
  });

  it('treats a completed or failed task status as finished even without the finished flag', async () => {
    const h = harness(() => ok([{ ...running('op-1'), status: 4, error: 'Failted' }]));
    await expect(waitForOperation(h.client, 'op-1')).resolves.toMatchObject({ state: 'finished', op: { status: 4 } });
  });

  it('survives a 429 while polling', async () => {
    let n = 0;
    const server = fileopsServer({ pollsUntilDone: 3 });
    const h = harness((req) => (++n === 2 ? tooMany() : server(req)));
    await expect(waitForOperation(h.client, 'op-1')).resolves.toMatchObject({ state: 'finished' });
  });

  it('gives up after timeoutMs with an operation timeout that carries the last progress', async () => {
    const h = harness(() => ok([running('op-1', 40)]));
    const error = await caught(waitForOperation(h.client, 'op-1', { timeoutMs: 3000 }));
    expect(error).toBeInstanceOf(DocSpaceOperationTimeoutError);
    expect(error).toMatchObject({ operationId: 'op-1', lastProgress: 40, ambiguous: true });
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(3000);
  });
});

describe('runFileOperation', () => {
  it('starts, waits and returns the finished operation', async () => {
    const h = harness(fileopsServer({ pollsUntilDone: 3 }));
    const outcome = await runFileOperation(h.client, 'move', request);
    expect(outcome).toMatchObject({ state: 'finished', op: { id: 'op-1', finished: true } });
    expect(h.calls.map((c) => c.method)).toEqual(['PUT', 'GET', 'GET', 'GET']);
  });

  it('raises a finished operation with an error as DocSpaceOperationFailedError carrying the message', async () => {
    const h = harness(fileopsServer({ pollsUntilDone: 2, result: { error: 'You do not have enough quota', files: [{ id: 5, title: 'a.docx' }] } }));
    const error = await caught(runFileOperation(h.client, 'move', request));
    expect(error).toBeInstanceOf(DocSpaceOperationFailedError);
    expect(error).toMatchObject({
      operationId: 'op-1',
      docspaceMessage: 'You do not have enough quota',
      processed: { fileIds: [5], folderIds: [] },
      retryable: false,
      ambiguous: true,
    });
    expect((error as Error).message).toContain('You do not have enough quota');
  });

  it('returns vanished rather than throwing, so the caller verifies the destination', async () => {
    const h = harness((req) => (req.method === 'PUT' ? ok([running('op-1')]) : ok([])));
    await expect(runFileOperation(h.client, 'copy', request)).resolves.toEqual({ state: 'vanished' });
  });

  it('does not poll when the start response is already finished', async () => {
    const h = harness(() => ok([done('op-1')]));
    await expect(runFileOperation(h.client, 'move', request)).resolves.toMatchObject({ state: 'finished' });
    expect(h.calls).toHaveLength(1);
  });
});
