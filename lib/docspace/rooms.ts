import type { DocSpaceClient } from './client';
import { DocSpaceResponseError } from './errors';
import { collect, paginate, totalOrGuess } from './paginate';
import { FileOperationDto, FileShareDto, FolderContentDto, FolderDto, RoomFromTemplateStatusDto, RoomSecurityDto } from './schemas';
import { z } from 'zod';

export type RoomSearchArea = 'Active' | 'Archive' | 'Any' | 'Templates';

/** `SearchArea` numbers (NOTES 3.5); only a few request enums accept names, so the number is sent. */
const SEARCH_AREA: Record<RoomSearchArea, number> = { Active: 0, Archive: 1, Any: 2, Templates: 4 };

/** Rooms in an area (default Active), every page. Archived rooms have `rootFolderType` 20. */
export async function listRooms(
  client: DocSpaceClient,
  options: { searchArea?: RoomSearchArea; filterValue?: string } = {},
): Promise<FolderDto[]> {
  const searchArea = SEARCH_AREA[options.searchArea ?? 'Active'];
  return collect(
    paginate(
      async (startIndex, count) => {
        const content = await client.request('GET', 'files/rooms', {
          query: { searchArea, filterValue: options.filterValue || undefined, startIndex, count },
          schema: FolderContentDto,
        });
        const onPage = content.count ?? content.folders.length;
        return { items: content.folders, count: onPage, total: totalOrGuess(content.total, startIndex, onPage, count) };
      },
      { path: '/api/2.0/files/rooms' },
    ),
  );
}

export async function getRoom(client: DocSpaceClient, roomId: number): Promise<FolderDto> {
  return client.request('GET', `files/rooms/${roomId}`, { schema: FolderDto });
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

/** Who holds access to a room, and which (GET files/rooms/{id}/share, every page). Reads only. */
export async function listRoomMembers(client: DocSpaceClient, roomId: number): Promise<Array<{ userId: string; access: number }>> {
  const path = `files/rooms/${roomId}/share`;
  const shares = await collect(
    paginate(
      async (startIndex, count) => {
        const items = await client.request('GET', path, { query: { startIndex, count }, schema: z.array(FileShareDto) });
        return { items, total: totalOrGuess(undefined, startIndex, items.length, count) };
      },
      { path: `/api/2.0/${path}` },
    ),
  );
  const members: Array<{ userId: string; access: number }> = [];
  for (const share of shares) {
    const id = share.sharedTo?.id ?? share.sharedToUser?.id;
    if (id !== undefined && id !== null) members.push({ userId: String(id), access: share.access });
  }
  return members;
}

/**
 * Sets each invitee's access (0 removes them) and returns the members after the change. DocSpace silently drops
 * invitations it will not apply, so callers check the returned members rather than trusting the 200.
 * Marked idempotent: setting the same access twice leaves the same state, so an ambiguous failure is retried.
 */
export async function setRoomAccess(
  client: DocSpaceClient,
  roomId: number,
  invitations: Array<{ id: string; access: number }>,
): Promise<Array<{ userId: string; access: number }>> {
  const security = await client.request('PUT', `files/rooms/${roomId}/share`, {
    body: { invitations, notify: false },
    schema: RoomSecurityDto,
    idempotent: true,
  });
  const members: Array<{ userId: string; access: number }> = [];
  for (const share of security.members) {
    const id = share.sharedTo?.id ?? share.sharedToUser?.id;
    if (id !== undefined && id !== null) members.push({ userId: String(id), access: share.access });
  }
  return members;
}

const OneOperation = z.union([FileOperationDto, z.array(FileOperationDto)]);

/** Archiving is a file operation (a move into Archive): follow it with waitForOperation. */
export async function archiveRoom(client: DocSpaceClient, roomId: number): Promise<FileOperationDto> {
  const path = `files/rooms/${roomId}/archive`;
  const result = await client.request('PUT', path, { body: { deleteAfter: false }, schema: OneOperation });
  const op = Array.isArray(result) ? result[0] : result;
  if (!op) throw new DocSpaceResponseError(200, 'no operation in the response', 'PUT', `/api/2.0/${path}`);
  return op;
}
