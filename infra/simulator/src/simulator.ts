// DocSpaceSimulator: composes the portal state, the API pipeline and routes, background work (file operations,
// template creations, webhook delivery), the control API, and the two ways in: an in-process fetch and a socket.
import { ApiPipeline, apiPrefix } from './api';
import type { SimContext } from './context';
import { handleControl } from './control';
import { defaultFixture } from './demo';
import { fileEntryPayload } from './entry';
import { folderTypeOfRoom, isRoomType } from './enums';
import { FaultInjector } from './faults';
import { FileOperations } from './fileops';
import { guid } from './ids';
import { Router } from './router';
import { registerFileOpRoutes } from './routes/fileops';
import { registerFileRoutes } from './routes/files';
import { registerPeopleRoutes } from './routes/people';
import { registerRoomRoutes } from './routes/rooms';
import { registerSettingsRoutes } from './routes/settings';
import { listen as listenHttp, type RunningServer } from './server';
import { PortalState } from './state';
import { TemplateCreations, type TemplateTask } from './templates';
import type {
  Faults,
  FileInput,
  Fixture,
  MutationLog,
  RoomInput,
  SimFile,
  SimFolder,
  SimulatorOptions,
  UserType,
  WebhookConfigInput,
  WebhookDelivery,
} from './types';
import { Webhooks, defaultDeliver, defaultProbe } from './webhooks';

/** `providerKey` and id prefix of the third-party storages a room can be connected to. */
const THIRD_PARTY = {
  box: { key: 'Box', prefix: 'box' },
  dropbox: { key: 'DropboxV2', prefix: 'dropbox' },
  gdrive: { key: 'GoogleDrive', prefix: 'gdrive' },
  onedrive: { key: 'OneDrive', prefix: 'onedrive' },
} as const;

export class DocSpaceSimulator {
  readonly apiKey: string;
  readonly fetch: typeof fetch;

  private portal: PortalState;
  private readonly now: () => number;
  private readonly faultInjector: FaultInjector;
  private readonly ops: FileOperations;
  private readonly templates: TemplateCreations;
  private readonly hooks: Webhooks;
  private readonly api: ApiPipeline;
  private readonly ctx: SimContext;
  private mutationLog: MutationLog[] = [];
  private mutationSeq = 0;
  private requests: Array<{ method: string; path: string; status: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly servers = new Set<RunningServer>();
  private closed = false;
  private userSeq = 0;
  private providerSeq = 0;

  constructor(private readonly options: SimulatorOptions = {}) {
    this.apiKey = options.apiKey ?? 'sk-local0123456789abcdef';
    this.now = options.now ?? Date.now;
    this.portal = this.newPortal(options.fixture ?? defaultFixture());
    this.faultInjector = new FaultInjector(options.seed ?? 1);
    this.faultInjector.reset(options.faults);
    const wake = (ms: number): void => this.wake(ms);
    this.ops = new FileOperations({
      now: this.now,
      durationMs: () => options.fileOpDurationMs ?? 200,
      idleTtlMs: () => options.resultIdleTtlMs ?? 60_000,
      wake,
    });
    this.templates = new TemplateCreations({
      now: this.now,
      durationMs: () => options.templateDurationMs ?? 500,
      idleTtlMs: () => options.resultIdleTtlMs ?? 60_000,
      wake,
      createRoom: (task) => this.createRoomFromTemplate(task),
      fillRoom: (task) => this.fillRoomFromTemplate(task),
      deleteRoom: (roomId) => this.portal.deleteFolderTree(roomId),
    });
    this.hooks = new Webhooks({
      now: this.now,
      deliver: options.deliverWebhook ?? defaultDeliver,
      retryBaseMs: () => options.webhookRetryBaseMs ?? 1000,
    });
    const sim = this;
    this.ctx = {
      get state() {
        return sim.portal;
      },
      now: this.now,
      ops: this.ops,
      templates: this.templates,
      webhooks: this.hooks,
      faults: this.faultInjector,
      emit: (trigger, entry, actor) => this.hooks.publish(trigger, fileEntryPayload(this.portal, entry), actor),
    };
    const router = new Router();
    registerFileOpRoutes(router, this.ctx);
    registerRoomRoutes(router, this.ctx);
    registerFileRoutes(router, this.ctx);
    registerPeopleRoutes(router, this.ctx);
    registerSettingsRoutes(router, this.ctx, options.probeWebhookUrl ?? defaultProbe);
    this.api = new ApiPipeline({
      apiKey: this.apiKey,
      ctx: this.ctx,
      router,
      faults: this.faultInjector,
      tick: () => this.tick(),
      onRequest: (entry) => this.requests.push(entry),
      onMutation: (entry) => this.mutationLog.push({ seq: ++this.mutationSeq, at: this.now(), ...entry }),
    });
    this.fetch = ((input: string | URL | Request, init?: RequestInit) => this.inProcessFetch(input, init)) as typeof fetch;
  }

  get state(): PortalState {
    return this.portal;
  }

  get stats(): { requests: number; maxConcurrentGets: number; maxConcurrentWrites: number } {
    return this.api.stats;
  }

  /** Answers any request: /__sim/ control calls, /api/2.0 API calls, 404 otherwise. */
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/__sim' || url.pathname.startsWith('/__sim/')) return handleControl(this, req, url);
    if (url.pathname.startsWith(apiPrefix)) return this.api.handle(req, url);
    return new Response(JSON.stringify({ error: 'not found' }), {
      status: 404,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
    const server = await listenHttp((req) => this.handle(req), port, host);
    this.servers.add(server);
    return {
      url: server.url,
      close: async () => {
        this.servers.delete(server);
        await server.close();
      },
    };
  }

  reset(fixture?: Fixture): void {
    this.portal = this.newPortal(fixture ?? this.options.fixture ?? defaultFixture());
    this.ops.clear();
    this.templates.clear();
    this.hooks.clear();
    this.faultInjector.reset(this.options.faults);
    this.mutationLog = [];
    this.requests = [];
    this.api.resetStats();
  }

  // ---- builders ------------------------------------------------------------------------------------------------

  addUser(input: { displayName: string; email?: string; type: UserType; invitedBy?: string[] }): string {
    let id: string;
    do id = guid(0x05e2f000, ++this.userSeq);
    while (this.portal.users.has(id));
    const email = input.email ?? `${input.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@docspace.local`;
    this.portal.users.set(id, {
      id,
      displayName: input.displayName,
      email,
      type: input.type,
      invitedBy: input.invitedBy ? [...input.invitedBy] : input.type === 'guest' ? [this.portal.selfUserId] : undefined,
    });
    return id;
  }

  addRoom(input: RoomInput): number {
    const roomType = input.roomType ?? 5;
    if (!isRoomType(roomType)) throw new Error(`unknown roomType ${roomType}`);
    const roots = this.portal.roots;
    const parent = input.area === 'archive' ? roots.archive : input.area === 'templates' ? roots.templates : roots.rooms;
    const created = input.created ?? this.now();
    return this.portal.createFolder(parent, input.title, this.portal.selfUserId, created, {
      folderType: folderTypeOfRoom(roomType),
      roomType,
      updated: input.updated ?? created,
      tags: input.tags ? [...input.tags] : undefined,
      ...(input.provider ? { provider: { ...THIRD_PARTY[input.provider], providerId: ++this.providerSeq } } : {}),
    }).id;
  }

  /** The id the API shows for a folder or room: `box-5` inside a third-party room, the number otherwise. */
  publicId(folderId: number): number | string {
    return this.portal.folderPublicId(folderId);
  }

  /** Gives a user a role in a form of the room (the user fills it in): DocSpace then refuses to remove the user
   *  from the room without `force` (NOTES 3.4). */
  assignFormRole(roomId: number, userId: string): void {
    const room = this.portal.folders.get(roomId);
    if (!room || !this.portal.isRoom(room)) throw new Error(`${roomId} is not a room`);
    let roles = this.portal.formRoles.get(roomId);
    if (!roles) this.portal.formRoles.set(roomId, (roles = new Set()));
    roles.add(userId);
  }

  addFolder(parentId: number, title: string, input: { created?: number; updated?: number } = {}): number {
    if (!this.portal.folders.has(parentId)) throw new Error(`folder ${parentId} does not exist`);
    const created = input.created ?? this.now();
    return this.portal.createFolder(parentId, title, this.portal.selfUserId, created, { updated: input.updated ?? created }).id;
  }

  addFile(folderId: number, title: string, input: FileInput = {}): number {
    return this.createFile(folderId, title, input).id;
  }

  shareRoom(roomId: number, userId: string, access: number, grantedBy?: string): void {
    const room = this.portal.folders.get(roomId);
    if (!room || !this.portal.isRoom(room)) throw new Error(`${roomId} is not a room`);
    if (!this.portal.users.has(userId)) throw new Error(`user ${userId} does not exist`);
    if (access === 0) this.portal.removeShare(roomId, userId);
    else this.portal.setShare({ roomId, userId, access, grantedBy: grantedBy ?? this.portal.selfUserId });
  }

  /** addFile + the `file.uploaded` webhook, as an upload through the UI or the upload API fires it. */
  uploadFile(folderId: number, title: string, input: FileInput = {}): number {
    const file = this.createFile(folderId, title, input);
    this.ctx.emit('file.uploaded', file, file.createdBy);
    return file.id;
  }

  // ---- observation ---------------------------------------------------------------------------------------------

  mutations(): MutationLog[] {
    return this.mutationLog.map((m) => ({ ...m }));
  }

  clearMutations(): void {
    this.mutationLog = [];
  }

  requestLog(): Array<{ method: string; path: string; status: number }> {
    return this.requests.map((r) => ({ ...r }));
  }

  // ---- faults --------------------------------------------------------------------------------------------------

  setFaults(faults: Partial<Faults>): void {
    this.faultInjector.set(faults);
  }

  currentFaults(): Faults {
    return { ...this.faultInjector.faults, failFileIds: [...this.faultInjector.faults.failFileIds] };
  }

  // ---- webhooks ------------------------------------------------------------------------------------------------

  /** A webhook config, as POST settings/webhook would create it, but without the HEAD check (builders are sync). */
  registerWebhook(input: WebhookConfigInput): number {
    return this.hooks.register(input, this.portal.selfUserId).id;
  }

  deliveries(): WebhookDelivery[] {
    return this.hooks.deliveries();
  }

  flushWebhooks(): Promise<void> {
    return this.hooks.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.hooks.stop();
    await Promise.all([...this.servers].map((s) => s.close()));
    this.servers.clear();
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private newPortal(fixture: Fixture): PortalState {
    const portal = new PortalState(fixture, this.now());
    if (this.options.timeZoneOffsetMinutes !== undefined) portal.timeZoneOffsetMinutes = this.options.timeZoneOffsetMinutes;
    return portal;
  }

  private tick(): void {
    this.ops.tick();
    this.templates.tick();
  }

  private wake(ms: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.tick();
    }, Math.max(0, ms) + 1);
    timer.unref();
    this.timers.add(timer);
  }

  private createFile(folderId: number, title: string, input: FileInput): SimFile {
    if (!this.portal.folders.has(folderId)) throw new Error(`folder ${folderId} does not exist`);
    const created = input.created ?? this.now();
    const file = this.portal.createFile(folderId, title, input.createdBy ?? this.portal.selfUserId, created, input.contentLength);
    file.updated = input.updated ?? created;
    return file;
  }

  private createRoomFromTemplate(task: TemplateTask): number {
    const template = this.portal.folders.get(task.templateId);
    const roomType = template?.roomType ?? 5;
    const room = this.portal.createFolder(this.portal.roots.rooms, task.title, this.portal.selfUserId, this.now(), {
      folderType: folderTypeOfRoom(roomType),
      roomType,
      tags: template?.tags ? [...template.tags] : undefined,
    });
    this.ctx.emit('room.created', room, this.portal.selfUserId);
    return room.id;
  }

  /** Copies the template's content into the room; DocSpace fires no file.copied for it. */
  private fillRoomFromTemplate(task: TemplateTask): void {
    const state = this.portal;
    const template = state.folders.get(task.templateId);
    if (!template || !state.folders.has(task.roomId)) return;
    const by = state.selfUserId;
    const at = this.now();
    for (const fid of [...state.childFileIds(template.id)]) {
      const f = state.files.get(fid)!;
      state.copyFile(f, task.roomId, f.title, by, at);
    }
    for (const sid of [...state.childFolderIds(template.id)]) {
      const sub: SimFolder = state.folders.get(sid)!;
      state.copyFolderTree(sub, task.roomId, sub.title, by, at);
    }
  }

  private inProcessFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const pending = this.handle(request);
    if (!signal) return pending;
    // The caller's timeout ends its wait; the server side goes on, as a real server would.
    return new Promise<Response>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (res) => {
          signal.removeEventListener('abort', onAbort);
          resolve(res);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
