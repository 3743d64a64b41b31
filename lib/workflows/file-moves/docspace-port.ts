import type { DocSpaceClient } from '../../docspace/client';
import { startFileOperation, waitForOperation, type OperationOutcome, type WaitOptions } from '../../docspace/fileops';
import { getFile } from '../../docspace/files';
import { createFolder, getFolderPage, getFolderPath, listFolder, listTree, type FolderListing, type TreeListing } from '../../docspace/folders';
import { listRoomMembers, setRoomAccess, type RoomAccessAnswer, type RoomMember } from '../../docspace/rooms';
import type { FileDto, FileOperationDto, FolderContentDto, FolderDto } from '../../docspace/schemas';

export { isFinished, type OperationOutcome } from '../../docspace/fileops';
export type { FolderListing } from '../../docspace/folders';

/**
 * The DocSpace calls the file-move engine (workflows 1 and 2) makes; `docspaceFileMoves` binds them to the one
 * client, and tests may put a fake in its place. Every call keeps lib/docspace's behaviour (envelope, retries,
 * typed errors, the process's concurrency caps).
 */
export interface FileMovesDocSpace {
  /** How many reads this process may have in flight now (the finalizer reads that many pages side by side). */
  readonly readWidth: number;
  /** One page of a folder's direct children (`count` entries from `startIndex`), with its `current` entry. */
  folderPage(folderId: number, startIndex: number, count?: number): Promise<FolderContentDto>;
  /** Every direct child of a folder, page by page. */
  listFolder(folderId: number): Promise<FolderListing>;
  /** Every folder and file below a folder; with a cap, undefined as soon as the subtree is bigger. */
  listTree(rootId: number, cap?: { folders: number; files: number }): Promise<TreeListing | undefined>;
  /** The folder's path from its root (fails with DocSpace's 403/404 when the folder cannot be read). */
  folderPath(folderId: number): Promise<Array<{ id: number }>>;
  createFolder(parentId: number, title: string): Promise<FolderDto>;
  getFile(fileId: number): Promise<FileDto>;
  /** Starts one move with `Duplicate` (nothing is ever skipped or overwritten) and answers DocSpace's operation. */
  startMove(request: { fileIds: number[]; folderIds?: number[]; destFolderId: number }): Promise<FileOperationDto>;
  /** Follows an operation by its id, never starting it again. */
  waitForOperation(operationId: string, options: WaitOptions): Promise<OperationOutcome>;
  /** Sets room access for users (0 removes them); never `force`. */
  setRoomAccess(roomId: number, invitations: Array<{ id: string; access: number }>): Promise<RoomAccessAnswer>;
  listRoomMembers(roomId: number): Promise<RoomMember[]>;
}

export function docspaceFileMoves(client: DocSpaceClient): FileMovesDocSpace {
  return {
    get readWidth() {
      return Math.max(1, client.limits.reads);
    },
    folderPage: (folderId, startIndex, count) => getFolderPage(client, folderId, startIndex, count),
    listFolder: (folderId) => listFolder(client, folderId),
    listTree: (rootId, cap) => listTree(client, rootId, cap),
    folderPath: (folderId) => getFolderPath(client, folderId),
    createFolder: (parentId, title) => createFolder(client, parentId, title),
    getFile: (fileId) => getFile(client, fileId),
    // Duplicate: DocSpace's default, Skip, silently leaves a same-titled file behind; Overwrite would turn the
    // file already there into an old version of this one (NOTES 3.2).
    startMove: ({ fileIds, folderIds, destFolderId }) =>
      startFileOperation(client, 'move', { fileIds, ...(folderIds ? { folderIds } : {}), destFolderId, conflictResolveType: 'Duplicate' }),
    waitForOperation: (operationId, options) => waitForOperation(client, operationId, options),
    setRoomAccess: (roomId, invitations) => setRoomAccess(client, roomId, invitations, { force: false }),
    listRoomMembers: (roomId) => listRoomMembers(client, roomId),
  };
}
