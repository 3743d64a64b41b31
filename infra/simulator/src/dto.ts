// Renders entities as the REST DTOs (FileDto, FolderDto, EmployeeDto, FileShareDto) with DocSpace's field names.
import { FileEntryType, FolderType, extensionOf, fileTypeOf } from './enums';
import type { PortalState } from './state';
import { apiDate } from './time';
import type { SimFile, SimFolder, SimShare, SimUser } from './types';

export type Json = Record<string, unknown>;

const portalOrigin = 'http://docspace.local';

export function employeeDto(state: PortalState, userId: string): Json {
  const user = state.users.get(userId);
  const base = `/static/images/default_user_photo_size_82-82.png`;
  return {
    id: userId,
    displayName: user?.displayName ?? 'Deleted user',
    avatar: base,
    avatarOriginal: base,
    avatarMax: base,
    avatarMedium: base,
    avatarSmall: base,
    profileUrl: `${portalOrigin}/accounts/people/filter?search=${encodeURIComponent(user?.email ?? '')}`,
    hasAvatar: false,
    isAnonim: false,
  };
}

export function employeeFullDto(state: PortalState, user: SimUser): Json {
  const [firstName = '', ...rest] = user.displayName.split(' ');
  return {
    ...employeeDto(state, user.id),
    firstName,
    lastName: rest.join(' '),
    userName: user.email.split('@')[0],
    email: user.email,
    status: 1,
    activationStatus: 1,
    isOwner: user.type === 'owner',
    isAdmin: user.type === 'owner' || user.type === 'admin',
    isRoomAdmin: user.type === 'roomAdmin',
    isVisitor: user.type === 'guest',
    isCollaborator: user.type === 'user',
    isLDAP: false,
    isSSO: false,
  };
}

function security(archived: boolean, isFile: boolean): Record<string, boolean> {
  const write = !archived;
  const base: Record<string, boolean> = {
    Read: true,
    Create: write,
    Edit: write,
    Delete: write,
    Rename: write,
    Copy: true,
    CopyTo: write,
    Move: write,
    MoveTo: write,
    Download: true,
  };
  if (!isFile) {
    base.EditRoom = write;
    base.EditAccess = write;
  }
  return base;
}

/**
 * `FolderDtoString`/`FileDtoString` for entries of a third-party room: every id is a string, and the entry says
 * which provider holds it.
 */
function thirdParty(state: PortalState, providerFolderId: number): Json {
  const provider = state.providerOf(providerFolderId);
  return provider ? { providerItem: true, providerKey: provider.key, providerId: provider.providerId } : {};
}

function entryBase(state: PortalState, parentFolderId: number, e: SimFile | SimFolder): Json {
  const root = state.rootOf(parentFolderId);
  const room = state.roomOf(parentFolderId);
  const rootFolderType = root?.folderType ?? FolderType.Default;
  const stringIds = state.providerOf('folderId' in e ? e.folderId : e.id) !== undefined;
  const tz = state.timeZoneOffsetMinutes;
  const dto: Json = {
    title: e.title,
    access: 0,
    shared: false,
    created: apiDate(e.created, tz),
    createdBy: employeeDto(state, e.createdBy),
    updated: apiDate(e.updated, tz),
    updatedBy: employeeDto(state, e.createdBy),
    rootFolderType,
    rootFolderId: stringIds ? String(root?.id ?? 0) : (root?.id ?? 0),
    canShare: rootFolderType !== FolderType.Archive,
    security: security(rootFolderType === FolderType.Archive, 'folderId' in e),
  };
  if (room && room.id !== e.id) dto.parentRoomType = room.folderType;
  return dto;
}

export function folderDto(state: PortalState, folder: SimFolder): Json {
  const root = folder.parentId === 0 ? folder : undefined;
  const stringIds = state.providerOf(folder.id) !== undefined;
  const dto: Json = {
    id: state.folderPublicId(folder.id),
    ...(root
      ? {
          title: folder.title,
          access: 0,
          shared: false,
          created: apiDate(folder.created, state.timeZoneOffsetMinutes),
          createdBy: employeeDto(state, folder.createdBy),
          updated: apiDate(folder.updated, state.timeZoneOffsetMinutes),
          updatedBy: employeeDto(state, folder.createdBy),
          rootFolderType: folder.folderType,
          rootFolderId: folder.id,
          canShare: false,
          security: security(folder.folderType === FolderType.Archive, false),
        }
      : entryBase(state, folder.parentId, folder)),
    ...thirdParty(state, folder.id),
    parentId: stringIds ? String(state.folderPublicId(folder.parentId)) : folder.parentId,
    filesCount: state.childFileIds(folder.id).size,
    foldersCount: state.childFolderIds(folder.id).size,
    new: 0,
    mute: false,
    tags: folder.tags ?? [],
    pinned: false,
    private: false,
    indexing: false,
    denyDownload: false,
    type: folder.folderType,
    fileEntryType: FileEntryType.Folder,
  };
  if (folder.roomType !== undefined) {
    dto.roomType = folder.roomType;
    dto.isShareable = true;
    dto.inRoom = true;
    dto.usedSpace = 0;
  } else if (state.roomOf(folder.id)) {
    dto.inRoom = true;
  }
  return dto;
}

function sizeString(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(2)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function fileDto(state: PortalState, file: SimFile): Json {
  return {
    folderId: state.folderPublicId(file.folderId),
    version: file.version,
    versionGroup: file.version,
    contentLength: sizeString(file.contentLength),
    pureContentLength: file.contentLength,
    fileStatus: 0,
    mute: false,
    viewUrl: `${portalOrigin}/filehandler.ashx?action=view&fileid=${file.id}&version=${file.version}`,
    webUrl: `${portalOrigin}/doceditor?fileid=${file.id}&version=${file.version}`,
    fileType: fileTypeOf(file.title),
    fileExst: extensionOf(file.title),
    thumbnailStatus: 0,
    id: state.filePublicId(file),
    ...entryBase(state, file.folderId, file),
    ...thirdParty(state, file.folderId),
    fileEntryType: FileEntryType.File,
  };
}

export function pathParts(state: PortalState, folderId: number): Json[] {
  return state.pathTo(folderId).map((f) => {
    const part: Json = { id: state.folderPublicId(f.id), title: f.title, folderType: f.folderType };
    if (f.roomType !== undefined) part.roomType = f.roomType;
    return part;
  });
}

export function fileShareDto(state: PortalState, share: SimShare, isOwner: boolean): Json {
  const user = state.users.get(share.userId);
  const person = user ? employeeFullDto(state, user) : { id: share.userId };
  return {
    access: share.access,
    // `sharedTo` is deprecated in v3.7 but still sent; `sharedToUser` (EmployeeFullDto) stands beside it.
    sharedTo: person,
    sharedToUser: person,
    isLocked: false,
    isOwner,
    canEditAccess: !isOwner,
    subjectType: 0,
  };
}
