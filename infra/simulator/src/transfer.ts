// Executes one move/copy batch on the portal with DocSpace's conflict rules (NOTES 3.2): Skip leaves a same-titled
// file untouched and says nothing, Overwrite adds a version, Duplicate renames copies only, and same-titled folders
// merge. Per-item failures only set `error` (the last one wins); the other items continue.
import { ConflictResolve, type ConflictResolveType } from './enums';
import type { PortalState } from './state';
import type { SimFile, SimFolder } from './types';

export interface TransferRequest {
  kind: 'move' | 'copy';
  fileIds: number[];
  folderIds: number[];
  destFolderId: number;
  conflict: ConflictResolveType;
}

export interface TransferEvent {
  trigger: 'file.moved' | 'file.copied' | 'folder.moved' | 'folder.copied';
  entry: SimFile | SimFolder;
}

export interface TransferOutcome {
  /** Top-level results: new ids for copies, the same ids for moves (the operation's `files`/`folders`). */
  fileIds: number[];
  folderIds: number[];
  error: string;
  processed: number;
  events: TransferEvent[];
}

export function availableTitle(taken: (title: string) => boolean, title: string, isFile: boolean): string {
  const dot = isFile ? title.lastIndexOf('.') : -1;
  const stem = dot > 0 ? title.slice(0, dot) : title;
  const ext = dot > 0 ? title.slice(dot) : '';
  for (let i = 1; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

export function fileTitled(state: PortalState, folderId: number, title: string, except?: number): SimFile | undefined {
  for (const id of state.childFileIds(folderId)) {
    const f = state.files.get(id)!;
    if (f.id !== except && f.title.toLowerCase() === title.toLowerCase()) return f;
  }
  return undefined;
}

export function folderTitled(state: PortalState, parentId: number, title: string, except?: number): SimFolder | undefined {
  for (const id of state.childFolderIds(parentId)) {
    const f = state.folders.get(id)!;
    if (f.id !== except && f.title.toLowerCase() === title.toLowerCase()) return f;
  }
  return undefined;
}

export function executeTransfer(
  state: PortalState,
  req: TransferRequest,
  ctx: { now: number; userId: string; failFileIds: ReadonlySet<number> },
): TransferOutcome {
  const out: TransferOutcome = { fileIds: [], folderIds: [], error: '', processed: 0, events: [] };
  const copy = req.kind === 'copy';
  const verb = copy ? 'copy' : 'move';

  const failsInside = (folderId: number): boolean =>
    state.filesUnder(folderId, true).some((f) => ctx.failFileIds.has(f.id));

  const transferFile = (file: SimFile, destId: number, top: boolean): void => {
    out.processed++;
    if (ctx.failFileIds.has(file.id)) {
      out.error = `Could not ${verb} the file "${file.title}" (id ${file.id}): simulated failure`;
      return;
    }
    if (!copy && file.folderId === destId) {
      if (top) out.fileIds.push(file.id);
      return;
    }
    if (req.conflict !== ConflictResolve.Duplicate) {
      const existing = fileTitled(state, destId, file.title);
      if (existing) {
        // Skip: the file stays where it was, is not listed, and no error is set.
        if (req.conflict === ConflictResolve.Skip) return;
        existing.version += 1;
        existing.contentLength = file.contentLength;
        existing.updated = ctx.now;
        if (!copy) state.deleteFile(file.id);
        if (top) out.fileIds.push(existing.id);
        out.events.push({ trigger: copy ? 'file.copied' : 'file.moved', entry: existing });
        return;
      }
    }
    if (copy) {
      // CopyFileAsync picks a free title; MoveFileAsync (below) never renames.
      const title =
        req.conflict === ConflictResolve.Duplicate
          ? fileTitled(state, destId, file.title)
            ? availableTitle((t) => !!fileTitled(state, destId, t), file.title, true)
            : file.title
          : file.title;
      const created = state.copyFile(file, destId, title, ctx.userId, ctx.now);
      if (top) out.fileIds.push(created.id);
      out.events.push({ trigger: 'file.copied', entry: created });
    } else {
      state.moveFile(file, destId);
      if (top) out.fileIds.push(file.id);
      out.events.push({ trigger: 'file.moved', entry: file });
    }
  };

  const copyTree = (folder: SimFolder, destId: number, title: string): SimFolder => {
    const created = state.createFolder(destId, title, ctx.userId, ctx.now);
    for (const fid of [...state.childFileIds(folder.id)]) {
      const f = state.files.get(fid)!;
      if (ctx.failFileIds.has(f.id)) {
        out.error = `Could not copy the file "${f.title}" (id ${f.id}): simulated failure`;
        continue;
      }
      state.copyFile(f, created.id, f.title, ctx.userId, ctx.now);
    }
    for (const sid of [...state.childFolderIds(folder.id)]) {
      const sub = state.folders.get(sid)!;
      copyTree(sub, created.id, sub.title);
    }
    return created;
  };

  const moveChildren = (from: SimFolder, into: SimFolder): void => {
    for (const fid of [...state.childFileIds(from.id)]) transferFile(state.files.get(fid)!, into.id, false);
    for (const sid of [...state.childFolderIds(from.id)]) transferFolder(state.folders.get(sid)!, into.id, false);
  };

  const transferFolder = (folder: SimFolder, destId: number, top: boolean): void => {
    out.processed++;
    if (state.isSystemRoot(folder) || state.isRoom(folder)) {
      out.error = `Could not ${verb} the folder "${folder.title}": Access denied`;
      return;
    }
    if (state.isWithin(destId, folder.id)) {
      out.error = `Could not ${verb} the folder "${folder.title}" into itself`;
      return;
    }
    if (!copy && folder.parentId === destId) {
      if (top) out.folderIds.push(folder.id);
      return;
    }
    const sameTitled = folderTitled(state, destId, folder.title, folder.id);
    if (sameTitled && req.conflict !== ConflictResolve.Duplicate) {
      // Merge: the contents go into the existing folder, inner conflicts follow the same rule.
      if (copy) {
        for (const fid of [...state.childFileIds(folder.id)]) transferFile(state.files.get(fid)!, sameTitled.id, false);
        for (const sid of [...state.childFolderIds(folder.id)]) transferFolder(state.folders.get(sid)!, sameTitled.id, false);
      } else {
        moveChildren(folder, sameTitled);
        if (state.childFileIds(folder.id).size === 0 && state.childFolderIds(folder.id).size === 0) {
          state.deleteFolderTree(folder.id);
        }
      }
      if (top) out.folderIds.push(sameTitled.id);
      return;
    }
    const title = sameTitled
      ? availableTitle((t) => !!folderTitled(state, destId, t), folder.title, false)
      : folder.title;
    if (copy) {
      const created = copyTree(folder, destId, title);
      if (top) out.folderIds.push(created.id);
      out.events.push({ trigger: 'folder.copied', entry: created });
    } else if (failsInside(folder.id)) {
      // Something inside must stay behind, so the folder cannot move as a whole: rebuild it and move item by item.
      const created = state.createFolder(destId, title, folder.createdBy, ctx.now);
      moveChildren(folder, created);
      if (top) out.folderIds.push(created.id);
      out.events.push({ trigger: 'folder.moved', entry: created });
    } else {
      state.moveFolder(folder, destId);
      folder.title = title;
      if (top) out.folderIds.push(folder.id);
      out.events.push({ trigger: 'folder.moved', entry: folder });
    }
  };

  for (const id of req.fileIds) {
    const file = state.files.get(id);
    if (!file) {
      out.processed++;
      out.error = `The file (id ${id}) was not found`;
      continue;
    }
    transferFile(file, req.destFolderId, true);
  }
  for (const id of req.folderIds) {
    const folder = state.folders.get(id);
    if (!folder) {
      out.processed++;
      out.error = `The folder (id ${id}) was not found`;
      continue;
    }
    transferFolder(folder, req.destFolderId, true);
  }
  return out;
}
