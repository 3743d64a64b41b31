// DocSpace enum values the simulator needs (FolderType, RoomType, FileType, ...), from the v3.7 OpenAPI spec.

export const FolderType = {
  Default: 0,
  User: 5,
  Trash: 3,
  VirtualRooms: 14,
  FillingFormsRoom: 15,
  EditingRoom: 16,
  CustomRoom: 19,
  Archive: 20,
  PublicRoom: 22,
  VirtualDataRoom: 29,
  RoomTemplates: 30,
  AiRoom: 31,
} as const;

export const RoomType = {
  FillingFormsRoom: 1,
  EditingRoom: 2,
  CustomRoom: 5,
  PublicRoom: 6,
  VirtualDataRoom: 8,
  AiRoom: 9,
} as const;

const roomFolderTypes: Record<number, number> = {
  [RoomType.FillingFormsRoom]: FolderType.FillingFormsRoom,
  [RoomType.EditingRoom]: FolderType.EditingRoom,
  [RoomType.CustomRoom]: FolderType.CustomRoom,
  [RoomType.PublicRoom]: FolderType.PublicRoom,
  [RoomType.VirtualDataRoom]: FolderType.VirtualDataRoom,
  [RoomType.AiRoom]: FolderType.AiRoom,
};

export function isRoomType(value: number): boolean {
  return value in roomFolderTypes;
}

export function folderTypeOfRoom(roomType: number): number {
  return roomFolderTypes[roomType] ?? FolderType.CustomRoom;
}

export function parseRoomType(raw: string): number | undefined {
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isInteger(n)) return isRoomType(n) ? n : undefined;
  const byName = (RoomType as Record<string, number>)[raw];
  return byName;
}

export const FileEntryType = { Folder: 1, File: 2 } as const;

export const FileOperationType = { Move: 0, Copy: 1 } as const;

export const TaskStatus = { Created: 0, Running: 1, Completed: 2, Canceled: 3, Failed: 4 } as const;

export const ConflictResolve = { Skip: 0, Overwrite: 1, Duplicate: 2 } as const;
export type ConflictResolveType = (typeof ConflictResolve)[keyof typeof ConflictResolve];

export function parseConflict(raw: unknown): ConflictResolveType | undefined {
  if (raw === undefined || raw === null) return ConflictResolve.Skip;
  if (typeof raw === 'number') {
    return raw === 0 || raw === 1 || raw === 2 ? raw : undefined;
  }
  if (typeof raw === 'string') {
    // JsonStringEnumConverter: names are case-insensitive, integers as strings are accepted too.
    const n = Number(raw);
    if (raw.trim() !== '' && Number.isInteger(n)) return parseConflict(n);
    const key = Object.keys(ConflictResolve).find((k) => k.toLowerCase() === raw.toLowerCase());
    return key === undefined ? undefined : ConflictResolve[key as keyof typeof ConflictResolve];
  }
  return undefined;
}

export const SearchArea = { Active: 0, Archive: 1, Any: 2, RecentByLinks: 3, Templates: 4 } as const;

export function parseSearchArea(raw: string | null): number | undefined {
  if (raw === null || raw === '') return SearchArea.Active;
  const n = Number(raw);
  if (Number.isInteger(n)) return n >= 0 && n <= 7 ? n : undefined;
  const key = Object.keys(SearchArea).find((k) => k.toLowerCase() === raw.toLowerCase());
  return key === undefined ? undefined : SearchArea[key as keyof typeof SearchArea];
}

const extensionTypes: Record<string, number> = {
  '.zip': 1, '.rar': 1, '.7z': 1, '.tar': 1, '.gz': 1,
  '.mp4': 2, '.avi': 2, '.mov': 2, '.mkv': 2, '.webm': 2,
  '.mp3': 3, '.wav': 3, '.ogg': 3, '.m4a': 3,
  '.png': 4, '.jpg': 4, '.jpeg': 4, '.gif': 4, '.bmp': 4, '.svg': 4,
  '.xlsx': 5, '.xls': 5, '.csv': 5, '.ods': 5,
  '.pptx': 6, '.ppt': 6, '.odp': 6,
  '.docx': 7, '.doc': 7, '.odt': 7, '.txt': 7, '.rtf': 7, '.md': 7,
  '.pdf': 10,
  '.vsdx': 11,
};

export function extensionOf(title: string): string {
  const dot = title.lastIndexOf('.');
  return dot > 0 ? title.slice(dot).toLowerCase() : '';
}

export function fileTypeOf(title: string): number {
  return extensionTypes[extensionOf(title)] ?? 0;
}

export const webhookTriggerBits: Record<string, number> = {
  'user.created': 1,
  'user.invited': 2,
  'user.updated': 4,
  'user.deleted': 8,
  'file.created': 128,
  'file.uploaded': 256,
  'file.updated': 512,
  'file.trashed': 1024,
  'file.deleted': 2048,
  'file.restored': 4096,
  'file.copied': 8192,
  'file.moved': 16384,
  'folder.created': 32768,
  'folder.updated': 65536,
  'folder.trashed': 131072,
  'folder.deleted': 262144,
  'folder.restored': 524288,
  'folder.copied': 1048576,
  'folder.moved': 2097152,
  'room.created': 4194304,
  'room.updated': 8388608,
  'room.archived': 16777216,
  'room.deleted': 33554432,
  'room.restored': 67108864,
  'room.copied': 134217728,
};
