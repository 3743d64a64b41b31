// The per-user file-operation queue (NOTES 3.2): operations finish after a delay, a finished result is handed out
// once and then dequeued, and a finished result nobody collects is dropped after the idle window.
import { fileDto, folderDto, type Json } from './dto';
import { FileOperationType, TaskStatus } from './enums';
import { guid } from './ids';
import type { PortalState } from './state';

export type OperationKind = 'move' | 'copy' | 'archive' | 'unarchive';

export interface OperationResult {
  fileIds: number[];
  folderIds: number[];
  error: string;
  processed: number;
}

export interface FileOperation {
  id: string;
  owner: string;
  kind: OperationKind;
  startedAt: number;
  dueAt: number;
  lastModified: number;
  status: number;
  finished: boolean;
  error: string;
  processed: number;
  fileIds: number[];
  folderIds: number[];
  /** `!deleteAfter`: an unheld finished operation is dequeued by the next read without ever being shown. */
  hold: boolean;
  /** The work, run once when the operation is due; absent once it ran or was cancelled. */
  run?: () => OperationResult;
}

export interface FileOperationsDeps {
  now(): number;
  durationMs(): number;
  idleTtlMs(): number;
  /** Asks for a tick() after ms (a timer), so work completes without anyone polling. */
  wake(ms: number): void;
}

export class FileOperations {
  private ops: FileOperation[] = [];
  private seq = 0;

  constructor(private readonly deps: FileOperationsDeps) {}

  start(owner: string, kind: OperationKind, run: () => OperationResult, hold = true): FileOperation {
    const now = this.deps.now();
    const duration = this.deps.durationMs();
    const op: FileOperation = {
      id: guid(0x0f11e0b5, ++this.seq),
      owner,
      kind,
      startedAt: now,
      dueAt: now + duration,
      lastModified: now,
      status: TaskStatus.Running,
      finished: false,
      error: '',
      processed: 0,
      fileIds: [],
      folderIds: [],
      hold,
      run,
    };
    this.ops.push(op);
    this.deps.wake(duration);
    return op;
  }

  /** Runs due operations and drops finished results idle for longer than the retention window. */
  tick(): void {
    const now = this.deps.now();
    for (const op of this.ops) {
      if (op.run && op.dueAt <= now) {
        const run = op.run;
        op.run = undefined;
        const result = run();
        Object.assign(op, result, { status: TaskStatus.Completed, finished: true, lastModified: now });
      }
    }
    const ttl = this.deps.idleTtlMs();
    this.ops = this.ops.filter((op) => !op.finished || now - op.lastModified < ttl);
  }

  /** GET files/fileops: a finished operation is included in this answer and then gone. */
  read(owner: string, id?: string): FileOperation[] {
    const mine = this.ops.filter((op) => op.owner === owner && (id === undefined || op.id === id));
    const done = new Set(mine.filter((op) => op.finished));
    this.ops = this.ops.filter((op) => !done.has(op));
    return mine.filter((op) => !op.finished || op.hold);
  }

  terminate(owner: string, id: string): FileOperation[] {
    const op = this.ops.find((o) => o.owner === owner && o.id === id);
    if (!op) return [];
    if (!op.finished) {
      op.run = undefined;
      Object.assign(op, {
        status: TaskStatus.Canceled,
        finished: true,
        error: 'The operation was canceled',
        lastModified: this.deps.now(),
      });
    }
    return [op];
  }

  all(): readonly FileOperation[] {
    return this.ops;
  }

  clear(): void {
    this.ops = [];
  }

  dto(state: PortalState, op: FileOperation): Json {
    const elapsed = this.deps.now() - op.startedAt;
    const duration = Math.max(1, op.dueAt - op.startedAt);
    const progress = op.finished ? 100 : Math.min(99, Math.floor((elapsed / duration) * 100));
    return {
      id: op.id,
      Operation: op.kind === 'copy' ? FileOperationType.Copy : FileOperationType.Move,
      progress,
      error: op.error,
      processed: String(op.processed),
      finished: op.finished,
      files: op.fileIds.flatMap((id) => {
        const f = state.files.get(id);
        return f ? [fileDto(state, f)] : [];
      }),
      folders: op.folderIds.flatMap((id) => {
        const f = state.folders.get(id);
        return f ? [folderDto(state, f)] : [];
      }),
      status: op.status,
    };
  }
}
