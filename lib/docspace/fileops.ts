import { z } from 'zod';
import type { DocSpaceClient } from './client';
import { DocSpaceOperationFailedError, DocSpaceOperationTimeoutError, DocSpaceResponseError } from './errors';
import { FileOperationDto } from './schemas';

export type ConflictPolicy = 'Skip' | 'Overwrite' | 'Duplicate';
export type FileOperationKind = 'move' | 'copy';

export interface FileOperationRequest {
  fileIds: number[];
  folderIds?: number[];
  destFolderId: number;
  conflictResolveType: ConflictPolicy;
}

export type OperationOutcome = { state: 'finished'; op: FileOperationDto } | { state: 'vanished' };

export interface WaitOptions {
  /** Default 45000: well inside the 60 s after which DocSpace drops an idle result (NOTES 3.2). */
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

const OperationList = z.array(FileOperationDto);
/** The PUT answers with a list (one item with returnSingleOperation); a single object is accepted too. */
const OneOrList = z.union([OperationList, FileOperationDto.transform((op) => [op])]);

/**
 * Starts a move or copy. `returnSingleOperation` keeps the answer to our own task (without it DocSpace lists,
 * and dequeues, every finished operation of the key owner), and `deleteAfter: false` makes DocSpace hold the
 * result until we read it (NOTES 3.2). The conflict policy is always explicit: the server default, Skip,
 * silently leaves a same-titled file where it is.
 *
 * Not idempotent: an ambiguous failure is thrown for the caller to check the destination.
 */
export async function startFileOperation(
  client: DocSpaceClient,
  kind: FileOperationKind,
  request: FileOperationRequest,
): Promise<FileOperationDto> {
  const path = `files/fileops/${kind}`;
  const ops = await client.request('PUT', path, {
    body: {
      fileIds: request.fileIds,
      folderIds: request.folderIds ?? [],
      destFolderId: request.destFolderId,
      conflictResolveType: request.conflictResolveType,
      deleteAfter: false,
      returnSingleOperation: true,
    },
    schema: OneOrList,
  });
  const op = ops[0];
  if (!op) throw new DocSpaceResponseError(200, 'no operation in the response (were fileIds and folderIds both empty?)', 'PUT', `/api/2.0/${path}`);
  return op;
}

export function isFinished(op: FileOperationDto): boolean {
  // DistributedTaskStatus 2 Completed, 3 Canceled, 4 Failed: over, even if `finished` was not set.
  return op.finished === true || (op.status ?? 0) >= 2;
}

/**
 * Polls `GET files/fileops?id=` (never `fileops/{type}`: `fileops/move` is routed to the conflict check) until
 * the operation has finished. DocSpace returns a finished result exactly once and then forgets it, so an id that
 * is no longer listed is reported as `vanished`: the caller verifies by reading the destination.
 * A finished operation may carry a non-empty `error`; deciding what that means is the caller's job.
 */
export async function waitForOperation(client: DocSpaceClient, operationId: string, options: WaitOptions = {}): Promise<OperationOutcome> {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const maxDelayMs = options.maxDelayMs ?? 1_500;
  let delayMs = options.initialDelayMs ?? 100;
  const started = Date.now();
  let sleptMs = 0;
  let lastProgress: number | undefined;

  for (;;) {
    await client.sleep(delayMs);
    sleptMs += delayMs;
    const ops = await client.request('GET', 'files/fileops', { query: { id: operationId }, schema: z.array(FileOperationDto).nullish() });
    const op = (ops ?? []).find((candidate) => candidate.id === operationId);
    if (!op) return { state: 'vanished' };
    if (isFinished(op)) return { state: 'finished', op };
    lastProgress = op.progress ?? lastProgress;

    // Time is whichever is larger, the wall clock or what we slept, so an injected (instant) sleep still
    // reaches the deadline in tests.
    const waited = Math.max(Date.now() - started, sleptMs);
    if (waited >= timeoutMs) throw new DocSpaceOperationTimeoutError(operationId, lastProgress, waited);
    delayMs = Math.min(maxDelayMs, Math.ceil(delayMs * 1.5), Math.max(1, timeoutMs - waited));
  }
}

/**
 * Start, wait, and fail loudly: a finished operation with a non-empty `error` becomes a
 * DocSpaceOperationFailedError carrying DocSpace's message. `vanished` is returned, not thrown; the caller
 * must verify the destination then.
 */
export async function runFileOperation(
  client: DocSpaceClient,
  kind: FileOperationKind,
  request: FileOperationRequest,
  waitOptions: WaitOptions = {},
): Promise<OperationOutcome> {
  const started = await startFileOperation(client, kind, request);
  const outcome: OperationOutcome = isFinished(started) ? { state: 'finished', op: started } : await waitForOperation(client, started.id, waitOptions);
  if (outcome.state === 'finished' && outcome.op.error) {
    throw new DocSpaceOperationFailedError(outcome.op.id, outcome.op.error, 'PUT', `/api/2.0/files/fileops/${kind}`, {
      fileIds: (outcome.op.files ?? []).map((f) => f.id),
      folderIds: (outcome.op.folders ?? []).map((f) => f.id),
    });
  }
  return outcome;
}
