// The webhook payload for file, folder and room triggers: DocSpace serialises its internal FileEntry<T> (not the
// REST FileDto) with System.Text.Json's WhenWritingDefault, so false/0/null keys are absent (NOTES 4.3).
import { FileEntryType } from './enums';
import type { PortalState } from './state';
import { jsonDate } from './time';
import type { SimFile, SimFolder } from './types';

export type EntryPayload = Record<string, unknown>;

export function omitDefaults<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === false || v === 0) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

export function isFile(entry: SimFile | SimFolder): entry is SimFile {
  return 'folderId' in entry;
}

export function fileEntryPayload(state: PortalState, entry: SimFile | SimFolder): EntryPayload {
  const parentId = isFile(entry) ? entry.folderId : entry.parentId;
  const root = state.rootOf(parentId) ?? (isFile(entry) ? undefined : entry);
  const room = state.roomOf(parentId);
  const shownParent = state.folderPublicId(parentId);
  return omitDefaults({
    id: isFile(entry) ? state.filePublicId(entry) : state.folderPublicId(entry.id),
    parentId: shownParent,
    rootId: root?.id,
    folderIdDisplay: shownParent,
    title: entry.title,
    createBy: entry.createdBy,
    createOn: jsonDate(entry.created),
    modifiedBy: entry.createdBy,
    modifiedOn: jsonDate(entry.updated),
    rootFolderType: root?.folderType,
    rootCreateBy: root?.createdBy,
    parentRoomType: room && room.id !== entry.id ? room.folderType : undefined,
    fileEntryType: isFile(entry) ? FileEntryType.File : FileEntryType.Folder,
    access: 0,
    shared: false,
  });
}
