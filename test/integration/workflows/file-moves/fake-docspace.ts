import { DocSpaceNotFoundError } from '../../../../lib/docspace/errors';
import type { TreeListing } from '../../../../lib/docspace/folders';
import type { RoomAccessAnswer, RoomMember } from '../../../../lib/docspace/rooms';
import type { FileDto, FileOperationDto, FolderContentDto, FolderDto } from '../../../../lib/docspace/schemas';
import type { FileMovesDocSpace, FolderListing, OperationOutcome } from '../../../../lib/workflows/file-moves/docspace-port';

interface FakeFolder {
  id: number;
  parentId: number;
  title: string;
}

interface FakeFile {
  id: number;
  folderId: number;
  title: string;
}

let nextId = 7_000_000;

/**
 * An in-memory portal behind the file-move engine's DocSpace port (as `FakePortal` is for upload copy), with
 * switches for what the simulator does not do on request: a result lost before it is read, a move that DocSpace finishes without moving some
 * files and without an error, and files someone moves elsewhere while the operation runs.
 */
export class FakeFileMovesPortal implements FileMovesDocSpace {
  readonly readWidth = 4;
  readonly folders = new Map<number, FakeFolder>();
  readonly files = new Map<number, FakeFile>();
  readonly calls = { folderPage: 0, listFolder: 0, listTree: 0, folderPath: 0, createFolder: 0, getFile: 0, startMove: 0, waitForOperation: 0 };
  /** Files every move leaves where they are, unlisted and with no error (DocSpace skipping them quietly). */
  readonly skipped = new Set<number>();
  /** Files that someone moves into the given folder while the engine's move runs, instead of it moving them. */
  readonly movedAway = new Map<number, number>();
  /** The next N results vanish before they are read (DocSpace drops a result after a minute of idleness). */
  loseResults = 0;
  private readonly ops = new Map<string, FileOperationDto>();
  private readonly members = new Map<number, RoomMember[]>();

  folder(parentId: number, title: string): number {
    const id = nextId++;
    this.folders.set(id, { id, parentId, title });
    return id;
  }

  file(folderId: number, title: string): number {
    const id = nextId++;
    this.files.set(id, { id, folderId, title });
    return id;
  }

  filesIn(folderId: number): FakeFile[] {
    return [...this.files.values()].filter((f) => f.folderId === folderId);
  }

  private existing(folderId: number): FakeFolder {
    const folder = this.folders.get(folderId);
    if (!folder) throw new DocSpaceNotFoundError(`folder ${folderId} not found`, 'GET', `/api/2.0/files/${folderId}`);
    return folder;
  }

  private fileDto(file: FakeFile): FileDto {
    return { id: file.id, title: file.title, folderId: file.folderId } as FileDto;
  }

  private folderDto(folder: FakeFolder): FolderDto {
    return { id: folder.id, title: folder.title, parentId: folder.parentId } as FolderDto;
  }

  private children(folderId: number): { folders: FolderDto[]; files: FileDto[] } {
    return {
      folders: [...this.folders.values()].filter((f) => f.parentId === folderId).map((f) => this.folderDto(f)),
      files: this.filesIn(folderId).map((f) => this.fileDto(f)),
    };
  }

  async folderPage(folderId: number, startIndex: number, count = 100): Promise<FolderContentDto> {
    this.calls.folderPage += 1;
    const current = this.existing(folderId);
    const { folders, files } = this.children(folderId);
    const entries = [...folders.map((f) => ({ folder: f })), ...files.map((f) => ({ file: f }))].slice(startIndex, startIndex + count);
    return {
      current: this.folderDto(current),
      startIndex,
      count: entries.length,
      total: folders.length + files.length,
      folders: entries.flatMap((e) => ('folder' in e ? [e.folder] : [])),
      files: entries.flatMap((e) => ('file' in e ? [e.file] : [])),
      skipped: [],
    } as FolderContentDto;
  }

  async listFolder(folderId: number): Promise<FolderListing> {
    this.calls.listFolder += 1;
    const current = this.existing(folderId);
    return { current: this.folderDto(current), ...this.children(folderId), pathParts: [], skipped: [] };
  }

  async listTree(rootId: number, cap?: { folders: number; files: number }): Promise<TreeListing | undefined> {
    this.calls.listTree += 1;
    this.existing(rootId);
    const tree: TreeListing = { files: [], folders: [] };
    const walk = (id: number): void => {
      for (const f of this.filesIn(id)) tree.files.push({ id: f.id, title: f.title, folderId: id });
      for (const f of this.folders.values()) {
        if (f.parentId !== id) continue;
        tree.folders.push({ id: f.id, parentId: id, title: f.title });
        walk(f.id);
      }
    };
    walk(rootId);
    if (cap && (tree.folders.length > cap.folders || tree.files.length > cap.files)) return undefined;
    return tree;
  }

  async folderPath(folderId: number): Promise<Array<{ id: number }>> {
    this.calls.folderPath += 1;
    const path: Array<{ id: number }> = [];
    for (let folder = this.folders.get(folderId); folder; folder = this.folders.get(folder.parentId)) path.unshift({ id: folder.id });
    if (path.length === 0) throw new DocSpaceNotFoundError(`folder ${folderId} not found`, 'GET', `/api/2.0/files/folder/${folderId}/path`);
    return path;
  }

  async createFolder(parentId: number, title: string): Promise<FolderDto> {
    this.calls.createFolder += 1;
    this.existing(parentId);
    return this.folderDto(this.folders.get(this.folder(parentId, title))!);
  }

  async getFile(fileId: number): Promise<FileDto> {
    this.calls.getFile += 1;
    const file = this.files.get(fileId);
    if (!file) throw new DocSpaceNotFoundError(`file ${fileId} not found`, 'GET', `/api/2.0/files/file/${fileId}`);
    return this.fileDto(file);
  }

  async startMove(request: { fileIds: number[]; folderIds?: number[]; destFolderId: number }): Promise<FileOperationDto> {
    this.calls.startMove += 1;
    this.existing(request.destFolderId);
    const moved: FileDto[] = [];
    for (const id of request.fileIds) {
      const file = this.files.get(id);
      if (!file || this.skipped.has(id)) continue;
      const elsewhere = this.movedAway.get(id);
      if (elsewhere !== undefined) {
        file.folderId = elsewhere;
        continue;
      }
      file.folderId = request.destFolderId;
      moved.push(this.fileDto(file));
    }
    for (const id of request.folderIds ?? []) {
      const folder = this.folders.get(id);
      if (folder) folder.parentId = request.destFolderId;
    }
    const op = { id: `op-${nextId++}`, finished: false, progress: 50, error: '', files: moved, folders: [] } as unknown as FileOperationDto;
    this.ops.set(op.id, op);
    return { ...op, files: [], folders: [] } as FileOperationDto;
  }

  /** Hands a finished result out once, as DocSpace does (NOTES 3.2). */
  async waitForOperation(operationId: string): Promise<OperationOutcome> {
    this.calls.waitForOperation += 1;
    const op = this.ops.get(operationId);
    this.ops.delete(operationId);
    if (!op || (this.loseResults > 0 && this.loseResults-- > 0)) return { state: 'vanished' };
    return { state: 'finished', op: { ...op, finished: true, progress: 100 } };
  }

  async setRoomAccess(roomId: number, invitations: Array<{ id: string; access: number }>): Promise<RoomAccessAnswer> {
    const members = this.members.get(roomId) ?? [];
    for (const invitation of invitations) {
      const at = members.findIndex((m) => m.userId === invitation.id);
      if (at >= 0) members.splice(at, 1);
      if (invitation.access !== 0) members.push({ userId: invitation.id, access: invitation.access });
    }
    this.members.set(roomId, members);
    return { error: 0, members: [] };
  }

  async listRoomMembers(roomId: number): Promise<RoomMember[]> {
    return [...(this.members.get(roomId) ?? [])];
  }
}
