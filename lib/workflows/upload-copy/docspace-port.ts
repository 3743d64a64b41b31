import type { DocSpaceClient } from '../../docspace/client';
import { startFileOperation, waitForOperation } from '../../docspace/fileops';
import { getFile } from '../../docspace/files';
import { getFolderPath, listFolder } from '../../docspace/folders';
import { PermanentCopyError } from './model';

export interface SourceFile {
  id: number;
  title: string;
  folderId: number;
  size?: number;
}

export interface DestinationFile {
  id: number;
  title: string;
  size?: number;
  /** Epoch ms. */
  created?: number;
}

export type CopyOutcome =
  | { state: 'finished'; error: string; files: Array<{ id: number; title: string; folderId?: number }> }
  | { state: 'vanished' };

/** The few DocSpace calls workflow 3 makes; `docspaceCopyPort` implements them with the one client. */
export interface UploadCopyDocSpace {
  getFile(fileId: number): Promise<SourceFile>;
  folderPath(folderId: number): Promise<Array<{ id: number; roomType?: number | null }>>;
  filesIn(folderId: number): Promise<DestinationFile[]>;
  startCopy(fileId: number, destFolderId: number): Promise<string>;
  waitForCopy(operationId: string): Promise<CopyOutcome>;
}

export function docspaceCopyPort(client: DocSpaceClient): UploadCopyDocSpace {
  return {
    async getFile(fileId) {
      const dto = await getFile(client, fileId);
      if (dto.folderId == null) throw new PermanentCopyError(`DocSpace did not say which folder file ${fileId} is in`);
      return { id: dto.id, title: dto.title, folderId: dto.folderId, ...(dto.pureContentLength != null ? { size: dto.pureContentLength } : {}) };
    },
    async folderPath(folderId) {
      return (await getFolderPath(client, folderId)).map((p) => ({ id: p.id, roomType: p.roomType ?? null }));
    },
    async filesIn(folderId) {
      const { files } = await listFolder(client, folderId);
      return files.map((f) => {
        const created = f.created ? Date.parse(f.created) : NaN;
        return {
          id: f.id,
          title: f.title,
          ...(f.pureContentLength != null ? { size: f.pureContentLength } : {}),
          ...(Number.isFinite(created) ? { created } : {}),
        };
      });
    },
    async startCopy(fileId, destFolderId) {
      // Duplicate: the default (Skip) silently leaves the file out when the title exists, Overwrite would
      // replace someone's file; Duplicate places `name (1).ext` beside it.
      const op = await startFileOperation(client, 'copy', { fileIds: [fileId], destFolderId, conflictResolveType: 'Duplicate' });
      return op.id;
    },
    async waitForCopy(operationId) {
      const outcome = await waitForOperation(client, operationId, { timeoutMs: 40_000 });
      if (outcome.state === 'vanished') return outcome;
      const files = (outcome.op.files ?? []).map((f) => ({
        id: f.id,
        title: f.title,
        ...(f.folderId != null ? { folderId: f.folderId } : {}),
      }));
      return { state: 'finished', error: outcome.op.error ?? '', files };
    },
  };
}
