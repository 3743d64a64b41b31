// The portal's data: entities in Maps keyed by id plus per-folder child indexes, so a page read or a move never
// scans the whole portal.
import { DEFAULT_TZ_OFFSET_MINUTES } from './time';
import { FolderType } from './enums';
import type { Fixture, SimFile, SimFolder, SimShare, SimUser } from './types';

const systemRootTypes = new Set<number>([
  FolderType.VirtualRooms,
  FolderType.Archive,
  FolderType.RoomTemplates,
  FolderType.User,
  FolderType.Trash,
]);

export interface SystemRoots {
  rooms: number;
  archive: number;
  templates: number;
  my: number;
  trash: number;
}

export class PortalState {
  readonly users = new Map<string, SimUser>();
  readonly folders = new Map<number, SimFolder>();
  readonly files = new Map<number, SimFile>();
  private readonly childFolders = new Map<number, Set<number>>();
  private readonly childFiles = new Map<number, Set<number>>();
  /** roomId → userId → share */
  readonly shares = new Map<number, Map<string, SimShare>>();
  readonly selfUserId: string;
  readonly roots: SystemRoots;
  /** roomId → users who hold a role in a form of the room (a form being filled in). */
  readonly formRoles = new Map<number, Set<string>>();
  /** Minutes east of UTC of the portal's time zone: how REST dates are written. */
  timeZoneOffsetMinutes = DEFAULT_TZ_OFFSET_MINUTES;
  private nextId: number;

  constructor(fixture: Fixture, now: number) {
    this.selfUserId = fixture.selfUserId;
    for (const u of fixture.users) this.users.set(u.id, { ...u, invitedBy: u.invitedBy ? [...u.invitedBy] : undefined });
    if (!this.users.has(fixture.selfUserId)) {
      throw new Error(`fixture: selfUserId ${fixture.selfUserId} is not among the users`);
    }
    let maxId = 0;
    for (const f of fixture.folders) {
      this.folders.set(f.id, { ...f, tags: f.tags ? [...f.tags] : undefined });
      maxId = Math.max(maxId, f.id);
    }
    for (const f of fixture.files) {
      this.files.set(f.id, { ...f });
      maxId = Math.max(maxId, f.id);
    }
    this.nextId = Math.max(fixture.nextId ?? 0, maxId + 1);
    for (const f of this.folders.values()) {
      if (f.parentId !== 0) this.index(this.childFolders, f.parentId).add(f.id);
    }
    for (const f of this.files.values()) this.index(this.childFiles, f.folderId).add(f.id);
    for (const s of fixture.shares ?? []) this.setShare({ ...s });
    this.roots = {
      rooms: this.ensureRoot(FolderType.VirtualRooms, 'Rooms', now),
      archive: this.ensureRoot(FolderType.Archive, 'Archive', now),
      templates: this.ensureRoot(FolderType.RoomTemplates, 'Templates', now),
      my: this.ensureRoot(FolderType.User, 'My documents', now),
      trash: this.ensureRoot(FolderType.Trash, 'Trash', now),
    };
  }

  toFixture(): Fixture {
    const shares: SimShare[] = [];
    for (const m of this.shares.values()) for (const s of m.values()) shares.push({ ...s });
    return {
      selfUserId: this.selfUserId,
      users: [...this.users.values()].map((u) => ({ ...u })),
      folders: [...this.folders.values()].map((f) => ({ ...f })),
      files: [...this.files.values()].map((f) => ({ ...f })),
      shares,
      nextId: this.nextId,
    };
  }

  allocId(): number {
    return this.nextId++;
  }

  // ---- tree queries -------------------------------------------------------------------------------------------

  childFolderIds(folderId: number): ReadonlySet<number> {
    return this.childFolders.get(folderId) ?? emptySet;
  }

  childFileIds(folderId: number): ReadonlySet<number> {
    return this.childFiles.get(folderId) ?? emptySet;
  }

  /** The folder's ancestors and itself, root first. */
  pathTo(folderId: number): SimFolder[] {
    const path: SimFolder[] = [];
    let cur = this.folders.get(folderId);
    while (cur) {
      path.push(cur);
      cur = cur.parentId === 0 ? undefined : this.folders.get(cur.parentId);
    }
    return path.reverse();
  }

  rootOf(folderId: number): SimFolder | undefined {
    let cur = this.folders.get(folderId);
    while (cur && cur.parentId !== 0) {
      const parent = this.folders.get(cur.parentId);
      if (!parent) break;
      cur = parent;
    }
    return cur;
  }

  isSystemRoot(folder: SimFolder): boolean {
    return folder.parentId === 0 && systemRootTypes.has(folder.folderType);
  }

  /** Rooms and room templates: folders with a roomType directly under VirtualRooms, Archive or RoomTemplates. */
  isRoom(folder: SimFolder): boolean {
    return folder.roomType !== undefined && this.isRoomContainer(folder.parentId);
  }

  isRoomContainer(folderId: number): boolean {
    return folderId === this.roots.rooms || folderId === this.roots.archive || folderId === this.roots.templates;
  }

  roomOf(folderId: number): SimFolder | undefined {
    let cur = this.folders.get(folderId);
    while (cur) {
      if (this.isRoom(cur)) return cur;
      cur = cur.parentId === 0 ? undefined : this.folders.get(cur.parentId);
    }
    return undefined;
  }

  /** True when `folderId` is `ancestorId` or lies below it. */
  isWithin(folderId: number, ancestorId: number): boolean {
    let cur = this.folders.get(folderId);
    while (cur) {
      if (cur.id === ancestorId) return true;
      cur = cur.parentId === 0 ? undefined : this.folders.get(cur.parentId);
    }
    return false;
  }

  rooms(): SimFolder[] {
    const out: SimFolder[] = [];
    for (const root of [this.roots.rooms, this.roots.archive, this.roots.templates]) {
      for (const id of this.childFolderIds(root)) {
        const f = this.folders.get(id);
        if (f && f.roomType !== undefined) out.push(f);
      }
    }
    return out;
  }

  filesUnder(folderId: number, recursive: boolean): SimFile[] {
    const out: SimFile[] = [];
    const visit = (id: number): void => {
      for (const fid of this.childFileIds(id)) out.push(this.files.get(fid)!);
      if (recursive) for (const sub of this.childFolderIds(id)) visit(sub);
    };
    visit(folderId);
    return out;
  }

  foldersUnder(folderId: number, recursive: boolean): SimFolder[] {
    const out: SimFolder[] = [];
    const visit = (id: number): void => {
      for (const sub of this.childFolderIds(id)) {
        out.push(this.folders.get(sub)!);
        if (recursive) visit(sub);
      }
    };
    visit(folderId);
    return out;
  }

  // ---- mutations ----------------------------------------------------------------------------------------------

  createFolder(parentId: number, title: string, by: string, at: number, extra: Partial<SimFolder> = {}): SimFolder {
    const folder: SimFolder = {
      id: this.allocId(),
      parentId,
      title,
      folderType: FolderType.Default,
      createdBy: by,
      created: at,
      updated: at,
      ...extra,
    };
    this.folders.set(folder.id, folder);
    this.index(this.childFolders, parentId).add(folder.id);
    return folder;
  }

  createFile(folderId: number, title: string, by: string, at: number, contentLength = 1024): SimFile {
    const file: SimFile = {
      id: this.allocId(),
      folderId,
      title,
      version: 1,
      contentLength,
      createdBy: by,
      created: at,
      updated: at,
    };
    this.files.set(file.id, file);
    this.index(this.childFiles, folderId).add(file.id);
    return file;
  }

  moveFile(file: SimFile, destFolderId: number): void {
    this.childFiles.get(file.folderId)?.delete(file.id);
    file.folderId = destFolderId;
    this.index(this.childFiles, destFolderId).add(file.id);
  }

  moveFolder(folder: SimFolder, destFolderId: number): void {
    this.childFolders.get(folder.parentId)?.delete(folder.id);
    folder.parentId = destFolderId;
    this.index(this.childFolders, destFolderId).add(folder.id);
  }

  copyFile(file: SimFile, destFolderId: number, title: string, by: string, at: number): SimFile {
    return this.createFile(destFolderId, title, by, at, file.contentLength);
  }

  /** Deep copy with new ids; returns the new top folder. */
  copyFolderTree(folder: SimFolder, destFolderId: number, title: string, by: string, at: number): SimFolder {
    const copy = this.createFolder(destFolderId, title, by, at);
    for (const fid of [...this.childFileIds(folder.id)]) {
      const f = this.files.get(fid)!;
      this.copyFile(f, copy.id, f.title, by, at);
    }
    for (const sid of [...this.childFolderIds(folder.id)]) {
      const sub = this.folders.get(sid)!;
      this.copyFolderTree(sub, copy.id, sub.title, by, at);
    }
    return copy;
  }

  deleteFile(fileId: number): void {
    const file = this.files.get(fileId);
    if (!file) return;
    this.childFiles.get(file.folderId)?.delete(fileId);
    this.files.delete(fileId);
  }

  deleteFolderTree(folderId: number): void {
    const folder = this.folders.get(folderId);
    if (!folder) return;
    for (const fid of [...this.childFileIds(folderId)]) this.deleteFile(fid);
    for (const sid of [...this.childFolderIds(folderId)]) this.deleteFolderTree(sid);
    this.childFolders.get(folder.parentId)?.delete(folderId);
    this.childFolders.delete(folderId);
    this.childFiles.delete(folderId);
    this.shares.delete(folderId);
    this.folders.delete(folderId);
  }

  setShare(share: SimShare): void {
    let m = this.shares.get(share.roomId);
    if (!m) {
      m = new Map();
      this.shares.set(share.roomId, m);
    }
    m.set(share.userId, share);
  }

  removeShare(roomId: number, userId: string): void {
    this.shares.get(roomId)?.delete(userId);
    this.formRoles.get(roomId)?.delete(userId);
  }

  hasFormRole(roomId: number, userId: string): boolean {
    return this.formRoles.get(roomId)?.has(userId) ?? false;
  }

  /** The third-party storage a folder or file's room is on, if any. */
  providerOf(folderId: number): SimFolder['provider'] {
    return this.roomOf(folderId)?.provider;
  }

  /** The id DocSpace shows for a folder: a number, or `<prefix>-<n>` for a third-party room and what is in it. */
  folderPublicId(folderId: number): number | string {
    const provider = this.providerOf(folderId);
    return provider ? `${provider.prefix}-${folderId}` : folderId;
  }

  filePublicId(file: SimFile): number | string {
    const provider = this.providerOf(file.folderId);
    return provider ? `${provider.prefix}-${file.id}` : file.id;
  }

  /** An id from a request path: `123`, or `box-123` for an entry that really is on that provider. */
  resolveId(raw: string | undefined): number {
    if (raw === undefined) return NaN;
    if (/^-?\d+$/.test(raw)) {
      const id = Number(raw);
      // Third-party entries are only known by their string ids.
      const folder = this.folders.get(id);
      const file = this.files.get(id);
      if ((folder && this.providerOf(folder.id)) || (file && this.providerOf(file.folderId))) return NaN;
      return id;
    }
    const m = /^([a-z]+)-(\d+)$/i.exec(raw);
    if (!m) return NaN;
    const id = Number(m[2]);
    const folder = this.folders.get(id);
    const provider = folder ? this.providerOf(folder.id) : this.files.has(id) ? this.providerOf(this.files.get(id)!.folderId) : undefined;
    return provider?.prefix === m[1]!.toLowerCase() ? id : NaN;
  }

  roomShares(roomId: number): SimShare[] {
    return [...(this.shares.get(roomId)?.values() ?? [])];
  }

  private ensureRoot(folderType: number, title: string, now: number): number {
    for (const f of this.folders.values()) {
      if (f.parentId === 0 && f.folderType === folderType) return f.id;
    }
    const root: SimFolder = {
      id: this.allocId(),
      parentId: 0,
      title,
      folderType,
      createdBy: this.selfUserId,
      created: now,
      updated: now,
    };
    this.folders.set(root.id, root);
    return root.id;
  }

  private index(map: Map<number, Set<number>>, key: number): Set<number> {
    let s = map.get(key);
    if (!s) {
      s = new Set();
      map.set(key, s);
    }
    return s;
  }
}

const emptySet: ReadonlySet<number> = new Set();
