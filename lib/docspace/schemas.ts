import { z } from 'zod';

/**
 * Response DTOs of the DocSpace endpoints we call, from the v3.7 OpenAPI spec (files_2.0.json, people_2.0.json)
 * corrected by NOTES.md where the spec is wrong on the wire:
 * - objects are loose: unknown keys are kept, because the server adds fields between versions and a missing
 *   field we do not use must never fail a move;
 * - only the fields we read are typed, and only `id`/`title` are required on entries;
 * - REST drops null properties (`WhenWritingNull`), so optional fields are `nullish`;
 * - enums arrive as integers; `ApiDateTime` is an ISO string with offset (the spec's `{utcTime,...}` object is
 *   accepted too and reduced to `utcTime`);
 * - ids of internal entries are integers; a numeric string is coerced (third-party storage ids are not supported).
 */

/** An internal DocSpace entry id: a positive integer, or a numeric string of one. */
export const EntryId = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+$/, 'expected a numeric id').transform(Number),
]);

export const ApiDateTime = z.union([
  z.string(),
  z.looseObject({ utcTime: z.string() }).transform((v) => v.utcTime),
]);

const int = z.number().int();

export const EmployeeDto = z.looseObject({
  id: z.string(),
  displayName: z.string().nullish(),
  profileUrl: z.string().nullish(),
  isAnonim: z.boolean().nullish(),
});
export type EmployeeDto = z.infer<typeof EmployeeDto>;

/** `FileEntryBaseDto` + `FileEntryDto<int>`: what files and folders share. */
const fileEntryFields = {
  id: EntryId,
  title: z.string(),
  access: int.nullish(),
  created: ApiDateTime.nullish(),
  createdBy: EmployeeDto.nullish(),
  updated: ApiDateTime.nullish(),
  updatedBy: EmployeeDto.nullish(),
  /** `FolderType` of the root: 14 VirtualRooms (active room), 20 Archive, 30 RoomTemplates, 3 Trash, 5 My documents. */
  rootFolderType: int.nullish(),
  rootFolderId: EntryId.nullish(),
  parentRoomType: int.nullish(),
  /** 1 Folder, 2 File. */
  fileEntryType: int.nullish(),
  security: z.record(z.string(), z.boolean()).nullish(),
};

export const FileDto = z.looseObject({
  ...fileEntryFields,
  folderId: EntryId.nullish(),
  version: int.nullish(),
  versionGroup: int.nullish(),
  contentLength: z.string().nullish(),
  pureContentLength: z.number().nullish(),
  fileStatus: int.nullish(),
  fileType: int.nullish(),
  fileExst: z.string().nullish(),
  webUrl: z.string().nullish(),
  viewUrl: z.string().nullish(),
  locked: z.boolean().nullish(),
});
export type FileDto = z.infer<typeof FileDto>;

export const FolderDto = z.looseObject({
  ...fileEntryFields,
  parentId: EntryId.nullish(),
  filesCount: int.nullish(),
  foldersCount: int.nullish(),
  /** `RoomType` when the folder is a room: 1 FillingForms, 2 Editing, 5 Custom, 6 Public, 8 VirtualData, 9 Ai. */
  roomType: int.nullish(),
  /** `FolderType` of the folder itself. */
  type: int.nullish(),
  tags: z.array(z.string()).nullish(),
  pinned: z.boolean().nullish(),
  private: z.boolean().nullish(),
  inRoom: z.boolean().nullish(),
});
export type FolderDto = z.infer<typeof FolderDto>;

/** A breadcrumb. Older servers sent bare ids, so both forms are accepted. */
export const PathPart = z.union([
  z.looseObject({ id: EntryId, title: z.string().nullish(), roomType: int.nullish(), folderType: int.nullish() }),
  EntryId.transform((id) => ({ id, title: undefined, roomType: undefined, folderType: undefined })),
]);
export type PathPart = z.infer<typeof PathPart>;

export const FolderContentDto = z.looseObject({
  files: z.array(FileDto).nullish().transform((v) => v ?? []),
  folders: z.array(FolderDto).nullish().transform((v) => v ?? []),
  current: FolderDto,
  pathParts: z.array(PathPart).nullish(),
  startIndex: int.nullish(),
  /** Entries on this page (files + folders). */
  count: int.nullish(),
  /** Entries in the whole listing. */
  total: int.nullish(),
  new: int.nullish(),
});
export type FolderContentDto = z.infer<typeof FolderContentDto>;

/**
 * `FileOperationDto`. The server writes the operation type as `"Operation"` (a `[JsonPropertyName]`), the docs
 * show `"operation"`; both are read into `operation`.
 */
export const FileOperationDto = z
  .looseObject({
    id: z.union([z.string(), z.number().transform(String)]),
    Operation: int.nullish(),
    operation: int.nullish(),
    progress: z.number().nullish(),
    error: z.string().nullish(),
    processed: z.union([z.string(), z.number()]).nullish(),
    finished: z.boolean().nullish(),
    url: z.string().nullish(),
    files: z.array(FileDto).nullish(),
    folders: z.array(FolderDto).nullish(),
    /** `DistributedTaskStatus`: 0 Created, 1 Running, 2 Completed, 3 Canceled, 4 Failed. */
    status: int.nullish(),
  })
  .transform(({ Operation, operation, ...rest }) => ({ ...rest, operation: operation ?? Operation ?? undefined }));
export type FileOperationDto = z.infer<typeof FileOperationDto>;

/** `RoomFromTemplateStatusDto`: per portal, no task id, no title (NOTES 3.6). */
export const RoomFromTemplateStatusDto = z.looseObject({
  roomId: EntryId.nullish(),
  progress: z.number().nullish(),
  /** "" when fine; on failure the room may already be deleted although `roomId` is still set. */
  error: z.string().nullish(),
  isCompleted: z.boolean().nullish().transform((v) => v ?? false),
});
export type RoomFromTemplateStatusDto = z.infer<typeof RoomFromTemplateStatusDto>;

export const FileShareDto = z.looseObject({
  /** `FileShare`: 0 None, 1 ReadWrite, 2 Read, …, 9 RoomManager, 10 Editing, 11 ContentCreator. */
  access: int,
  /** Deprecated in the spec but still sent; a user or a link object. */
  sharedTo: z.looseObject({ id: z.union([z.string(), z.number()]).nullish() }).nullish(),
  sharedToUser: EmployeeDto.nullish(),
  isOwner: z.boolean().nullish(),
  isLocked: z.boolean().nullish(),
  canEditAccess: z.boolean().nullish(),
  subjectType: int.nullish(),
});
export type FileShareDto = z.infer<typeof FileShareDto>;

export const RoomSecurityDto = z.looseObject({
  members: z.array(FileShareDto).nullish().transform((v) => v ?? []),
  warning: z.string().nullish(),
  /** 0 None, 1 FormRoleBlockingDeletion. */
  error: int.nullish(),
});
export type RoomSecurityDto = z.infer<typeof RoomSecurityDto>;

/** For void actions: DocSpace omits `response` entirely. */
export const NoContent = z.unknown().optional();
