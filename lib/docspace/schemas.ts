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
 * - ids of internal entries are integers; a numeric string is coerced. Rooms, folders and files on third-party
 *   storage (`FolderDtoString`, `FileDtoString`) have string ids such as "box-5": a room listing keeps them
 *   (`RoomId`), a folder listing sets such an entry aside with its reason (`skipped`) instead of failing the page;
 * - only what the code reads is required: a portal that leaves out a field we do not use fails nothing.
 */

/** An internal DocSpace entry id: a positive integer, or a numeric string of one. */
export const EntryId = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+$/, 'expected a numeric id').transform(Number),
]);

/**
 * Any entry's id: internal (a number), or on third-party storage, where DocSpace writes `<selector>-<providerId>`
 * and, below the provider's root, `-<path>` after it ("box-5", "sbox-12-|Contracts/a.pdf").
 */
export const AnyEntryId = z.union([EntryId, z.string().regex(/^[A-Za-z]+-\d+(-.*)?$/, 'expected an internal or a third-party id')]);
/** A room's id, internal or third-party. */
export const RoomId = AnyEntryId;
export type RoomId = z.infer<typeof RoomId>;

/** An entry of a listing that could not be read; reported, never allowed to fail the listing. */
export interface SkippedEntry {
  id?: string;
  title?: string;
  reason: string;
}

/**
 * A listing's entries, each parsed on its own: one odd entry (a third-party id where an internal one is needed, a
 * missing title) is set aside with the reason, and the rest of the page stands.
 */
function entries<T extends z.ZodType>(schema: T) {
  return z
    .array(z.unknown())
    .nullish()
    .transform((items) => {
      const ok: Array<z.infer<T>> = [];
      const skipped: SkippedEntry[] = [];
      for (const item of items ?? []) {
        const parsed = schema.safeParse(item);
        if (parsed.success) {
          ok.push(parsed.data);
          continue;
        }
        const raw = (item && typeof item === 'object' ? item : {}) as { id?: unknown; title?: unknown };
        const issue = parsed.error.issues[0];
        skipped.push({
          ...(raw.id !== undefined && raw.id !== null ? { id: String(raw.id) } : {}),
          ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
          reason: issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'unreadable entry',
        });
      }
      return { ok, skipped };
    });
}

export const ApiDateTime = z.union([
  z.string(),
  z.looseObject({ utcTime: z.string() }).transform((v) => v.utcTime),
]);

const int = z.number().int();
/** A field nothing here reads: kept when it is readable, dropped (never an error) when a portal writes it otherwise. */
const unread = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);

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
  access: unread(int),
  created: ApiDateTime.nullish(),
  createdBy: unread(EmployeeDto),
  updated: ApiDateTime.nullish(),
  updatedBy: unread(EmployeeDto),
  /** `FolderType` of the root: 14 VirtualRooms (active room), 20 Archive, 30 RoomTemplates, 3 Trash, 5 My documents. */
  rootFolderType: int.nullish(),
  rootFolderId: unread(EntryId),
  parentRoomType: unread(int),
  /** 1 Folder, 2 File. */
  fileEntryType: int.nullish(),
  security: unread(z.record(z.string(), z.boolean())),
};

export const FileDto = z.looseObject({
  ...fileEntryFields,
  folderId: EntryId.nullish(),
  version: unread(int),
  versionGroup: unread(int),
  contentLength: unread(z.string()),
  pureContentLength: z.number().nullish(),
  fileStatus: unread(int),
  fileType: unread(int),
  fileExst: unread(z.string()),
  webUrl: z.string().nullish(),
  viewUrl: unread(z.string()),
  locked: unread(z.boolean()),
});
export type FileDto = z.infer<typeof FileDto>;

export const FolderDto = z.looseObject({
  ...fileEntryFields,
  parentId: EntryId.nullish(),
  filesCount: unread(int),
  foldersCount: unread(int),
  /** `RoomType` when the folder is a room: 1 FillingForms, 2 Editing, 5 Custom, 6 Public, 8 VirtualData, 9 Ai. */
  roomType: int.nullish(),
  /** `FolderType` of the folder itself. */
  type: unread(int),
  tags: unread(z.array(z.string())),
  pinned: unread(z.boolean()),
  private: unread(z.boolean()),
  inRoom: unread(z.boolean()),
});
export type FolderDto = z.infer<typeof FolderDto>;

/** A breadcrumb. Older servers sent bare ids, so both forms are accepted. */
export const PathPart = z.union([
  z.looseObject({ id: EntryId, title: z.string().nullish(), roomType: int.nullish(), folderType: int.nullish() }),
  EntryId.transform((id) => ({ id, title: undefined, roomType: undefined, folderType: undefined })),
]);
export type PathPart = z.infer<typeof PathPart>;

/** `FolderDtoInteger` or `FolderDtoString`: a room as the rooms listing and `GET files/rooms/{id}` give it. */
export const RoomDto = FolderDto.extend({ id: RoomId, parentId: RoomId.nullish(), rootFolderId: RoomId.nullish() });
export type RoomDto = z.infer<typeof RoomDto>;

const contentFields = {
  /** The listed folder; the spec does not require it and nothing here needs it. */
  current: FolderDto.nullish().catch(undefined),
  pathParts: z.array(PathPart).nullish(),
  startIndex: int.nullish(),
  /** Entries on this page (files + folders), skipped ones included. */
  count: int.nullish(),
  /** Entries in the whole listing. */
  total: int.nullish(),
  new: int.nullish(),
};

/** `GET files/{folderId}`: internal entries only; anything else is in `skipped` with its reason. */
export const FolderContentDto = z
  .looseObject({ files: entries(FileDto), folders: entries(FolderDto), ...contentFields })
  .transform(({ files, folders, ...rest }) => ({
    ...rest,
    files: files.ok,
    folders: folders.ok,
    skipped: [...folders.skipped, ...files.skipped],
  }));
export type FolderContentDto = z.infer<typeof FolderContentDto>;

/** `GET files/rooms`: rooms with internal or third-party ids; an unreadable one is in `skipped`. */
export const RoomContentDto = z
  .looseObject({ folders: entries(RoomDto), ...contentFields })
  .transform(({ folders, ...rest }) => ({ ...rest, folders: folders.ok, skipped: folders.skipped }));
export type RoomContentDto = z.infer<typeof RoomContentDto>;

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
    // Only internal entries are read from a result; a third-party one (archiving a Box room) must not fail it.
    files: entries(FileDto).transform((v) => v.ok),
    folders: entries(FolderDto).transform((v) => v.ok),
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
  access: int.nullish(),
  /** Deprecated in the spec but still sent; a user or a link object. */
  sharedTo: z.looseObject({ id: z.union([z.string(), z.number()]).nullish() }).nullish(),
  sharedToUser: EmployeeDto.nullish(),
  isOwner: unread(z.boolean()),
  isLocked: unread(z.boolean()),
  canEditAccess: unread(z.boolean()),
  subjectType: unread(int),
});
export type FileShareDto = z.infer<typeof FileShareDto>;

export const RoomSecurityDto = z.looseObject({
  members: z.array(FileShareDto).nullish().transform((v) => v ?? []),
  warning: z.string().nullish(),
  /** `RoomSecurityError`: 0 None, 1 FormRoleBlockingDeletion (an integer on the wire; the name is accepted too). */
  error: z.union([int, z.string()]).nullish(),
});
export type RoomSecurityDto = z.infer<typeof RoomSecurityDto>;

/** For void actions: DocSpace omits `response` entirely. */
export const NoContent = z.unknown().optional();
