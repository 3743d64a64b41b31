import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CopyStore } from '../../../lib/jobs/copies';
import { JobStore, claimOnce } from '../../../lib/jobs/store';
import type { Log } from '../../../lib/log';
import type { Counters, MetricName } from '../../../lib/metrics';
import type { OutboundMessage, Queue } from '../../../lib/queue/send';
import {
  RoomResolver,
  type CopyOutcome,
  type CopyRule,
  type DestinationFile,
  type SourceFile,
  type UploadAcceptDeps,
  type UploadCopyDeps,
  type UploadCopyDocSpace,
} from '../../../lib/workflows/upload-copy';

export const quietLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export function countingCounters(): Counters & { counts: Partial<Record<MetricName, number>> } {
  const counts: Partial<Record<MetricName, number>> = {};
  return { counts, count: (name, value = 1) => void (counts[name] = (counts[name] ?? 0) + value) };
}

export function recordingQueue(): Queue & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return { sent, send: async (messages) => void sent.push(...messages) };
}

export function acceptDeps(ddb: DynamoDBDocumentClient, table: string): UploadAcceptDeps & { queue: ReturnType<typeof recordingQueue> } {
  return {
    store: new JobStore(ddb, table),
    claimOnce: (key, value, ttl) => claimOnce(ddb, table, key, value, ttl),
    queue: recordingQueue(),
    counters: countingCounters(),
    log: quietLog,
  };
}

/** A webhook body as DocSpace builds it (NOTES 4.1/4.3): default values omitted, the FileEntry as payload. */
export function uploadedHook(input: {
  webhookId?: number;
  eventId: number;
  fileId: number | string;
  parentId?: number;
  title?: string;
  trigger?: string;
  createOn?: string;
  retryCount?: number;
  rootFolderType?: number;
}): Record<string, unknown> {
  const trigger = input.trigger ?? 'file.uploaded';
  return {
    event: { id: input.eventId, createOn: input.createOn ?? '2026-11-30T10:20:30Z', createBy: 'f0000000-0000-0000-0000-000000000001', trigger, triggerId: 256 },
    payload: {
      id: input.fileId,
      parentId: input.parentId ?? 100,
      title: input.title ?? 'contract.docx',
      rootFolderType: input.rootFolderType ?? 14,
      fileEntryType: 2,
    },
    webhook: {
      id: input.webhookId ?? 7,
      name: 'uploads',
      triggers: ['file.uploaded'],
      ...(input.retryCount ? { retryCount: input.retryCount, lastFailureOn: '2026-11-30T10:20:31Z' } : {}),
    },
  };
}

/** Ids stay unique across portals, as the copy records in the shared table outlive one test's portal. */
let nextFileId = 10_000;

interface FakeFolder {
  id: number;
  parentId: number;
  roomType?: number;
}

interface FakeFile extends DestinationFile {
  folderId: number;
  size: number;
  created: number;
}

/**
 * An in-memory portal behind the workflow's DocSpace port, with switches for the failures the worker has to
 * survive: a worker that dies right after DocSpace accepted the copy, results that are consumed or vanish, and
 * operations that finish only later.
 */
export class FakePortal implements UploadCopyDocSpace {
  readonly folders = new Map<number, FakeFolder>();
  readonly files = new Map<number, FakeFile>();
  readonly calls = { getFile: 0, folderPath: 0, filesIn: 0, startCopy: 0, waitForCopy: 0 };
  private readonly ops = new Map<string, { pending: () => FakeFile | undefined; result?: FakeFile; error: string }>();
  /** Throws after DocSpace has accepted the PUT, as if the worker died before it learned the operation id. */
  crashAfterStart = 0;
  /** The first N waits consume the result and then throw, as if the worker died right after reading it. */
  crashAfterResult = 0;
  /** Copies started while this is set do not happen until `completeDeferred()` (an operation still running). */
  deferCopies = false;
  /** The next N startCopy calls fail with this error before reaching DocSpace. */
  failStarts: { count: number; error: () => Error } = { count: 0, error: () => new Error('boom') };
  private deferred: Array<() => void> = [];

  constructor(private readonly now: () => number) {}

  room(id: number): number {
    this.folders.set(id, { id, parentId: 1, roomType: 5 });
    return id;
  }

  folder(id: number, parentId: number): number {
    this.folders.set(id, { id, parentId });
    return id;
  }

  file(folderId: number, title: string, size = 1234, id = nextFileId++): number {
    this.files.set(id, { id, folderId, title, size, created: this.now() });
    return id;
  }

  filesInFolder(folderId: number): FakeFile[] {
    return [...this.files.values()].filter((f) => f.folderId === folderId);
  }

  completeDeferred(): void {
    for (const run of this.deferred.splice(0)) run();
  }

  async getFile(fileId: number): Promise<SourceFile> {
    this.calls.getFile++;
    const file = this.files.get(fileId);
    if (!file) {
      const { DocSpaceNotFoundError } = await import('../../../lib/docspace/errors');
      throw new DocSpaceNotFoundError('file not found', 'GET', `/api/2.0/files/file/${fileId}`);
    }
    return { id: file.id, title: file.title, folderId: file.folderId, size: file.size };
  }

  async folderPath(folderId: number): Promise<Array<{ id: number; roomType?: number | null }>> {
    this.calls.folderPath++;
    const path: Array<{ id: number; roomType?: number | null }> = [];
    for (let f = this.folders.get(folderId); f; f = this.folders.get(f.parentId)) {
      path.unshift({ id: f.id, roomType: f.roomType ?? null });
    }
    return [{ id: 1, roomType: null }, ...path];
  }

  async filesIn(folderId: number): Promise<DestinationFile[]> {
    this.calls.filesIn++;
    return this.filesInFolder(folderId).map(({ id, title, size, created }) => ({ id, title, size, created }));
  }

  async startCopy(fileId: number, destFolderId: number): Promise<string> {
    if (this.failStarts.count > 0) {
      this.failStarts.count--;
      throw this.failStarts.error();
    }
    this.calls.startCopy++;
    const source = this.files.get(fileId)!;
    const opId = `op-${this.calls.startCopy}`;
    const op: { pending: () => FakeFile | undefined; result?: FakeFile; error: string } = { pending: () => undefined, error: '' };
    const copy = (): FakeFile => {
      const id = nextFileId++;
      const file: FakeFile = { id, folderId: destFolderId, title: this.availableTitle(destFolderId, source.title), size: source.size, created: this.now() };
      this.files.set(id, file);
      op.result = file;
      return file;
    };
    if (this.deferCopies) this.deferred.push(() => void copy());
    else copy();
    this.ops.set(opId, op);
    if (this.crashAfterStart > 0) {
      this.crashAfterStart--;
      throw new Error('worker died after the copy request');
    }
    return opId;
  }

  async waitForCopy(operationId: string): Promise<CopyOutcome> {
    this.calls.waitForCopy++;
    const op = this.ops.get(operationId);
    if (!op) return { state: 'vanished' };
    // What waitForOperation throws when an operation does not finish within its timeout.
    if (!op.result) throw new Error(`operation ${operationId} did not finish in time`);
    // DocSpace hands a finished result out once, then forgets the operation.
    this.ops.delete(operationId);
    const outcome: CopyOutcome = { state: 'finished', error: op.error, files: [{ id: op.result.id, title: op.result.title, folderId: op.result.folderId }] };
    if (this.crashAfterResult > 0) {
      this.crashAfterResult--;
      throw new Error('worker died after reading the result');
    }
    return outcome;
  }

  private availableTitle(folderId: number, title: string): string {
    const taken = new Set(this.filesInFolder(folderId).map((f) => f.title));
    if (!taken.has(title)) return title;
    const dot = title.lastIndexOf('.');
    const [base, ext] = dot > 0 ? [title.slice(0, dot), title.slice(dot)] : [title, ''];
    for (let n = 1; ; n++) if (!taken.has(`${base} (${n})${ext}`)) return `${base} (${n})${ext}`;
  }
}

export function workerDeps(
  ddb: DynamoDBDocumentClient,
  table: string,
  portal: FakePortal,
  rules: CopyRule[],
  now: () => number,
): UploadCopyDeps & { counters: ReturnType<typeof countingCounters>; copies: CopyStore; store: JobStore } {
  return {
    docspace: portal,
    rooms: new RoomResolver(portal, { now }),
    rules,
    store: new JobStore(ddb, table, now),
    copies: new CopyStore(ddb, table, now),
    log: quietLog,
    counters: countingCounters(),
    now,
  };
}
