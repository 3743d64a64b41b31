import { DocSpaceNotFoundError, DocSpaceTimeoutError } from '../../../../lib/docspace/errors';
import { LeaseHeldError } from '../../../../lib/jobs/lease';
import { jobIdFor, type Job, type JobError, type JobResult, type JobStatus, type Workflow } from '../../../../lib/jobs/store';
import type { FolderDto, RoomFromTemplateStatusDto } from '../../../../lib/docspace/schemas';
import type { OutboundMessage } from '../../../../lib/queue/send';
import type { ProjectRoomDeps, RoomsPort } from '../../../../lib/workflows/project-room';

/** Time that only moves when someone sleeps, so waits of minutes run instantly and deterministically. */
export class FakeClock {
  t = Date.UTC(2026, 10, 30, 9, 0, 0);
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.t += ms;
  };
}

interface Task {
  roomId: number;
  title: string;
  doneAt: number;
  fail?: string;
  completed: boolean;
  error: string;
  lastReadAt: number;
}

/**
 * A portal with DocSpace's room-from-template semantics (NOTES 3.6): one status per portal, a POST while a
 * creation runs answers with that creation's status, the room exists from the start and is deleted on failure,
 * a finished status stays until the next start or until it has been idle for a minute.
 */
export class FakePortal implements RoomsPort {
  rooms = new Map<number, { id: number; title: string; rootFolderType: number; roomType: number }>();
  templates = new Map<number, string>([
    [900, 'Legal template'],
    [901, 'Marketing template'],
  ]);
  task: Task | undefined;
  creationMs = 3_000;
  failNext: string | undefined;
  posts: Array<{ templateId: number; title: string }> = [];
  /** Runs on every status read; lets a test look at the world while a creation is in flight. */
  onStatusRead: (() => void) | undefined;
  /** Makes the next POST fail the way a timeout does: `reachServer` says whether DocSpace got it. */
  ambiguousNextPost: { reachServer: boolean } | undefined;
  private nextId = 1000;

  constructor(private readonly clock: FakeClock) {}

  addRoom(title: string, rootFolderType = 14): number {
    const id = this.nextId++;
    this.rooms.set(id, { id, title, rootFolderType, roomType: 5 });
    return id;
  }

  roomsTitled(title: string): number[] {
    return [...this.rooms.values()].filter((r) => r.title === title).map((r) => r.id);
  }

  /** Starts a creation that is not ours (someone in the DocSpace UI, say). */
  startForeignCreation(title: string, ms = this.creationMs): number {
    const roomId = this.addRoom(title);
    this.task = { roomId, title, doneAt: this.clock.now() + ms, completed: false, error: '', lastReadAt: this.clock.now() };
    return roomId;
  }

  async listRooms(options: { searchArea: string; filterValue?: string }): Promise<FolderDto[]> {
    if (options.searchArea === 'Templates') {
      return [...this.templates].map(([id, title]) => ({ id, title, rootFolderType: 30, roomType: 5 }) as FolderDto);
    }
    return [...this.rooms.values()]
      .filter((r) => options.searchArea === 'Any' || (options.searchArea === 'Active' ? r.rootFolderType === 14 : r.rootFolderType === 20))
      .filter((r) => !options.filterValue || r.title.toLowerCase().includes(options.filterValue.toLowerCase()))
      .map((r) => ({ ...r }) as FolderDto);
  }

  async getRoom(roomId: number): Promise<FolderDto> {
    const room = this.rooms.get(roomId);
    if (!room) throw new DocSpaceNotFoundError('Folder not found', 'GET', `/api/2.0/files/rooms/${roomId}`);
    return { ...room } as FolderDto;
  }

  async createFromTemplate(request: { templateId: number; title: string }): Promise<RoomFromTemplateStatusDto | undefined> {
    const ambiguous = this.ambiguousNextPost;
    this.ambiguousNextPost = undefined;
    if (ambiguous && !ambiguous.reachServer) return this.timeout();
    this.advance();
    let status: RoomFromTemplateStatusDto;
    if (this.task && !this.task.completed) {
      status = this.view(this.task)!;
    } else {
      this.posts.push(request);
      const roomId = this.addRoom(request.title);
      const fail = this.failNext;
      this.failNext = undefined;
      this.task = {
        roomId,
        title: request.title,
        doneAt: this.clock.now() + this.creationMs,
        completed: false,
        error: '',
        lastReadAt: this.clock.now(),
        ...(fail ? { fail } : {}),
      };
      status = this.view(this.task)!;
    }
    if (ambiguous) return this.timeout();
    return status;
  }

  async creationStatus(): Promise<RoomFromTemplateStatusDto | undefined> {
    this.onStatusRead?.();
    this.advance();
    if (!this.task) return undefined;
    this.task.lastReadAt = this.clock.now();
    return this.view(this.task);
  }

  private advance(): void {
    const task = this.task;
    if (!task) return;
    if (!task.completed && this.clock.now() >= task.doneAt) {
      task.completed = true;
      if (task.fail) {
        task.error = task.fail;
        this.rooms.delete(task.roomId);
      }
    }
    if (task.completed && this.clock.now() - task.lastReadAt > 60_000) this.task = undefined;
  }

  private view(task: Task): RoomFromTemplateStatusDto {
    return {
      roomId: task.roomId,
      progress: task.completed ? (task.error ? 0.5 : 100) : 0.4,
      error: task.error,
      isCompleted: task.completed,
    };
  }

  private async timeout(): Promise<never> {
    throw new DocSpaceTimeoutError('no response within 15000 ms', 'POST', '/api/2.0/files/rooms/fromtemplate');
  }
}

/** JobStore's conditional semantics, in memory. */
export class FakeJobStore {
  jobs = new Map<string, Job>();
  errorsOf = new Map<string, JobError[]>();
  /** Throws (once) instead of recording the room in the job: a crash between "room created" and "job updated". */
  crashOnRecordingResult = false;

  constructor(private readonly clock: FakeClock) {}

  async createOnce(workflow: Workflow, businessKey: string, input: Record<string, unknown>) {
    const jobId = jobIdFor(workflow, businessKey);
    const existing = this.jobs.get(jobId);
    if (existing) return { job: structuredClone(existing), created: false };
    const at = new Date(this.clock.now()).toISOString();
    const job: Job = { jobId, workflow, status: 'queued', businessKey, input, run: 1, createdAt: at, updatedAt: at, progress: { total: 0, done: 0, failed: 0 } };
    this.jobs.set(jobId, job);
    return { job: structuredClone(job), created: true };
  }

  async get(jobId: string) {
    const job = this.jobs.get(jobId);
    return job ? structuredClone(job) : undefined;
  }

  async transition(jobId: string, from: JobStatus[], to: JobStatus, changes: { run?: number; result?: JobResult } = {}) {
    const job = this.jobs.get(jobId);
    if (!job || !from.includes(job.status) || (changes.run !== undefined && job.run !== changes.run)) return undefined;
    if (this.crashOnRecordingResult && changes.result) {
      this.crashOnRecordingResult = false;
      throw new Error('simulated crash before the job was updated');
    }
    job.status = to;
    job.updatedAt = new Date(this.clock.now()).toISOString();
    // The job is any workflow's here; the real store checks the result against the workflow when it reads it back.
    if (changes.result) Object.assign(job, { result: changes.result });
    return structuredClone(job);
  }

  /** As lib/jobs/store.ts: a failed job, or with `staleBefore` a running one last updated before it. */
  async resume(job: Job, staleBefore?: number) {
    const current = this.jobs.get(job.jobId);
    const stale = staleBefore !== undefined && current?.status === 'running' && Date.parse(current.updatedAt) < staleBefore;
    if (!current || (current.status !== 'failed' && !stale) || current.run !== job.run) return undefined;
    current.status = 'queued';
    current.run += 1;
    delete current.state;
    return structuredClone(current);
  }

  async recordErrors(jobId: string, run: number, errors: JobError[]) {
    const key = `${jobId}#${run}`;
    const list = this.errorsOf.get(key) ?? [];
    for (const e of errors) if (!list.some((x) => x.reason === e.reason && x.fileId === e.fileId)) list.push(e);
    this.errorsOf.set(key, list);
  }

  errors(jobId: string): JobError[] {
    const job = this.jobs.get(jobId)!;
    return this.errorsOf.get(`${jobId}#${job.run}`) ?? [];
  }
}

/** Leases with expiry on the fake clock, like lib/jobs/lease.ts. */
export class FakeLeases {
  held = new Map<string, { owner: string; expiresAt: number }>();
  acquisitions = 0;
  constructor(private readonly clock: FakeClock) {}

  async acquire(resource: string, owner: string, ttlMs: number): Promise<void> {
    const lease = this.held.get(resource);
    if (lease && lease.owner !== owner && lease.expiresAt >= this.clock.now()) throw new LeaseHeldError(resource);
    this.acquisitions++;
    this.held.set(resource, { owner, expiresAt: this.clock.now() + ttlMs });
  }

  async release(resource: string, owner: string): Promise<void> {
    if (this.held.get(resource)?.owner === owner) this.held.delete(resource);
  }
}

export function fakeDeps(clock = new FakeClock()) {
  const portal = new FakePortal(clock);
  const store = new FakeJobStore(clock);
  const leases = new FakeLeases(clock);
  const sent: OutboundMessage[] = [];
  const callbacks: Array<{ body: unknown; key: string }> = [];
  const counted: string[] = [];
  const logged: Array<{ level: string; message: string; extra?: Record<string, unknown> }> = [];
  let owners = 0;
  const deps: ProjectRoomDeps = {
    rooms: portal,
    store: store as unknown as ProjectRoomDeps['store'],
    leases,
    queue: { send: async (messages) => void sent.push(...messages) },
    callback: async (body, key) => void callbacks.push({ body, key }),
    log: {
      debug: (message, extra) => logged.push({ level: 'debug', message, ...(extra ? { extra } : {}) }),
      info: (message, extra) => logged.push({ level: 'info', message, ...(extra ? { extra } : {}) }),
      warn: (message, extra) => logged.push({ level: 'warn', message, ...(extra ? { extra } : {}) }),
      error: (message, extra) => logged.push({ level: 'error', message, ...(extra ? { extra } : {}) }),
    },
    counters: { count: (name) => void counted.push(name) },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    newOwner: () => `owner-${++owners}`,
  };
  return { clock, portal, store, leases, sent, callbacks, counted, logged, deps };
}
