import type { DocSpaceClient } from './client';
import { DocSpaceResponseError } from './errors';
import { collect, paginate, totalOrGuess } from './paginate';
import {
  FileOperationDto,
  FileShareDto,
  type FolderDto,
  RoomContentDto,
  RoomDto,
  RoomFromTemplateStatusDto,
  RoomId,
  RoomSecurityDto,
  type SkippedEntry,
} from './schemas';
import { z } from 'zod';

export type RoomSearchArea = 'Active' | 'Archive' | 'Any' | 'Templates';

/** `SearchArea` numbers (NOTES 3.5); only a few request enums accept names, so the number is sent. */
const SEARCH_AREA: Record<RoomSearchArea, number> = { Active: 0, Archive: 1, Any: 2, Templates: 4 };

/** Rooms of a listing, and the entries of it that could not be read (each with its reason). */
export type RoomListing = RoomDto[] & { skipped?: SkippedEntry[] };

/**
 * Rooms in an area (default Active), every page. Archived rooms have `rootFolderType` 20; rooms on third-party
 * storage have string ids. An entry that cannot be read at all is left out and named in `skipped`, so one odd
 * room never fails a whole listing.
 */
export async function listRooms(
  client: DocSpaceClient,
  options: { searchArea?: RoomSearchArea; filterValue?: string } = {},
): Promise<RoomListing> {
  const searchArea = SEARCH_AREA[options.searchArea ?? 'Active'];
  const skipped: SkippedEntry[] = [];
  const rooms = await collect(
    paginate(
      async (startIndex, count) => {
        const content = await client.request('GET', 'files/rooms', {
          query: { searchArea, filterValue: options.filterValue || undefined, startIndex, count },
          schema: RoomContentDto,
        });
        skipped.push(...content.skipped);
        const onPage = content.count ?? content.folders.length + content.skipped.length;
        return { items: content.folders, count: onPage, total: totalOrGuess(content.total, startIndex, onPage, count) };
      },
      { path: '/api/2.0/files/rooms' },
    ),
  );
  return Object.assign(rooms, { skipped });
}

/** The internal rooms of a listing: a room on third-party storage (a string id) is never one the bundle made. */
export function internalRooms(rooms: RoomDto[]): FolderDto[] {
  return rooms.filter((r): r is FolderDto => typeof r.id === 'number' && typeof (r.parentId ?? 0) === 'number' && typeof (r.rootFolderId ?? 0) === 'number');
}

export async function getRoom(client: DocSpaceClient, roomId: RoomId): Promise<RoomDto> {
  return client.request('GET', `files/rooms/${encodeURIComponent(String(roomId))}`, { schema: RoomDto });
}

/**
 * Starts creating a room from a template. The status is per portal (NOTES 3.6): while another creation runs,
 * this returns *that* one's status, so callers serialise creations and check the room's title.
 * Not idempotent: an ambiguous failure is thrown.
 */
export async function createRoomFromTemplate(
  client: DocSpaceClient,
  request: { templateId: number; title: string },
): Promise<RoomFromTemplateStatusDto | undefined> {
  return client.request('POST', 'files/rooms/fromtemplate', {
    body: { templateId: request.templateId, title: request.title },
    schema: RoomFromTemplateStatusDto.optional(),
  });
}

/** undefined when the portal has no creation task (never started, or cleaned up after 60 s idle). */
export async function getRoomFromTemplateStatus(client: DocSpaceClient): Promise<RoomFromTemplateStatusDto | undefined> {
  return client.request('GET', 'files/rooms/fromtemplate/status', { schema: RoomFromTemplateStatusDto.optional() });
}

/** What `PUT files/rooms/{id}/share` answered: DocSpace's `error` and the invitees' shares as they now are. */
export interface RoomAccessAnswer {
  /** `RoomSecurityError`: 0 None; 1 FormRoleBlockingDeletion (nothing was changed). */
  error: number;
  warning?: string;
  /** Only the invitees' shares, never the whole room: an empty list is no proof of removal (NOTES 3.4). */
  members: RoomMember[];
}

export interface RoomMember {
  userId: string;
  displayName?: string;
  access: number | undefined;
}

const ROOM_SECURITY_ERRORS: Record<string, number> = { none: 0, formroleblockingdeletion: 1 };

/**
 * Sets each invitee's access (0 removes them). DocSpace silently drops invitations it will not apply, and refuses
 * the whole request (`error` 1, no change) when a user to be removed holds a form role and `force` is not set, so
 * callers read `error` and the room's members (`listRoomMembers`) rather than trusting the 200.
 * Marked idempotent: setting the same access twice leaves the same state, so an ambiguous failure is retried.
 */
export async function setRoomAccess(
  client: DocSpaceClient,
  roomId: RoomId,
  invitations: Array<{ id: string; access: number }>,
  options: { force?: boolean } = {},
): Promise<RoomAccessAnswer> {
  const security = await client.request('PUT', `files/rooms/${encodeURIComponent(String(roomId))}/share`, {
    body: { invitations, notify: false, force: options.force ?? false },
    schema: RoomSecurityDto,
    idempotent: true,
  });
  const raw = security.error ?? 0;
  const error = typeof raw === 'number' ? raw : (ROOM_SECURITY_ERRORS[raw.toLowerCase()] ?? -1);
  return { error, ...(security.warning ? { warning: security.warning } : {}), members: membersOf(security.members) };
}

/** Every user and group share of a room (`GET files/rooms/{id}/share`, every page; links left out). */
export async function listRoomMembers(client: DocSpaceClient, roomId: RoomId): Promise<RoomMember[]> {
  const path = `files/rooms/${encodeURIComponent(String(roomId))}/share`;
  const shares = await collect(
    paginate(
      async (startIndex, count) => {
        // filterType 0 (UserOrGroup): people and groups, not the room's links.
        const page = await client.request('GET', path, { query: { filterType: 0, startIndex, count }, schema: z.array(FileShareDto) });
        return { items: page, total: totalOrGuess(undefined, startIndex, page.length, count) };
      },
      { path: `/api/2.0/${path}` },
    ),
  );
  return membersOf(shares);
}

/** `sharedTo` is deprecated but still sent; `sharedToUser` is its successor: either names the user. */
function membersOf(shares: FileShareDto[]): RoomMember[] {
  const members: RoomMember[] = [];
  for (const share of shares) {
    const id = share.sharedToUser?.id ?? share.sharedTo?.id;
    if (id === undefined || id === null) continue;
    const name = share.sharedToUser?.displayName ?? (share.sharedTo as { displayName?: unknown } | null | undefined)?.displayName;
    members.push({ userId: String(id), ...(typeof name === 'string' && name ? { displayName: name } : {}), access: share.access ?? undefined });
  }
  return members;
}

const OneOperation = z.union([FileOperationDto, z.array(FileOperationDto)]);

/** Archiving is a file operation (a move into Archive): follow it with waitForOperation. */
export async function archiveRoom(client: DocSpaceClient, roomId: RoomId): Promise<FileOperationDto> {
  const path = `files/rooms/${encodeURIComponent(String(roomId))}/archive`;
  const result = await client.request('PUT', path, { body: { deleteAfter: false }, schema: OneOperation });
  const op = Array.isArray(result) ? result[0] : result;
  if (!op) throw new DocSpaceResponseError(200, 'no operation in the response', 'PUT', `/api/2.0/${path}`);
  return op;
}
