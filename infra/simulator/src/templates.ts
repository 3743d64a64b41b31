// Room-from-template creation (NOTES 3.6). DocSpace tracks these per portal, not per task: while one runs, a new
// request gets the running one's status; progress goes 0..0.9 while copying and jumps to 100 on success; a failure
// deletes the room but leaves its id in the status; a finished status vanishes after the idle window.
import type { Json } from './dto';

export interface TemplateTask {
  templateId: number;
  title: string;
  startedAt: number;
  /** The room appears a little after the request, so the POST answer carries no room id yet. */
  roomAt: number;
  dueAt: number;
  lastModified: number;
  roomId: number;
  progress: number;
  error: string;
  isCompleted: boolean;
  fails: boolean;
  /** Entries to copy, for the 0..0.9 progress. */
  total: number;
}

export interface TemplateDeps {
  now(): number;
  durationMs(): number;
  idleTtlMs(): number;
  wake(ms: number): void;
  createRoom(task: TemplateTask): number;
  fillRoom(task: TemplateTask): void;
  deleteRoom(roomId: number): void;
}

export class TemplateCreations {
  private task: TemplateTask | undefined;

  constructor(private readonly deps: TemplateDeps) {}

  /** Returns the task whose status the POST answers with: the running one if any, else a new one. */
  start(templateId: number, title: string, total: number, fails: boolean): { task: TemplateTask; started: boolean } {
    this.tick();
    if (this.task && !this.task.isCompleted) return { task: this.task, started: false };
    const now = this.deps.now();
    const duration = this.deps.durationMs();
    this.task = {
      templateId,
      title,
      startedAt: now,
      roomAt: now + Math.floor(duration / 10),
      dueAt: now + duration,
      lastModified: now,
      roomId: 0,
      progress: 0,
      error: '',
      isCompleted: false,
      fails,
      total,
    };
    this.deps.wake(Math.floor(duration / 10));
    this.deps.wake(duration);
    return { task: this.task, started: true };
  }

  tick(): void {
    const t = this.task;
    if (!t) return;
    const now = this.deps.now();
    if (!t.isCompleted) {
      if (t.roomId === 0 && now >= t.roomAt) {
        t.roomId = this.deps.createRoom(t);
        t.lastModified = now;
      }
      if (t.roomId !== 0 && !t.isCompleted) {
        const span = Math.max(1, t.dueAt - t.roomAt);
        const copied = Math.min(t.total, Math.floor((t.total * (now - t.roomAt)) / span));
        // count * 0.9 / total: the server's own (0..0.9, not 0..90) progress while copying.
        const progress = t.total === 0 ? 0 : (copied * 0.9) / t.total;
        if (progress !== t.progress) {
          t.progress = Math.min(0.9, progress);
          t.lastModified = now;
        }
      }
      if (now >= t.dueAt) {
        if (t.roomId === 0) t.roomId = this.deps.createRoom(t);
        if (t.fails) {
          this.deps.deleteRoom(t.roomId);
          t.error = `Failed to create the room "${t.title}" from the template: simulated failure`;
        } else {
          this.deps.fillRoom(t);
          t.progress = 100;
        }
        t.isCompleted = true;
        t.lastModified = now;
        this.deps.wake(this.deps.idleTtlMs());
      }
    } else if (now - t.lastModified >= this.deps.idleTtlMs()) {
      this.task = undefined;
    }
  }

  /** undefined when there is no task: the envelope then has no `response` key. */
  status(): Json | undefined {
    this.tick();
    return this.task ? statusDto(this.task) : undefined;
  }

  current(): TemplateTask | undefined {
    return this.task;
  }

  clear(): void {
    this.task = undefined;
  }
}

export function statusDto(t: TemplateTask): Json {
  return { roomId: t.roomId, progress: t.progress, error: t.error, isCompleted: t.isCompleted };
}
