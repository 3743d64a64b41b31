import type { DocSpaceClient } from '../../docspace/client';
import { DocSpaceResponseError } from '../../docspace/errors';
import {
  createRoomFromTemplate,
  getRoom,
  getRoomFromTemplateStatus,
  internalRooms,
  listRooms,
  type RoomSearchArea,
} from '../../docspace/rooms';
import type { FolderDto, RoomFromTemplateStatusDto } from '../../docspace/schemas';

/** The DocSpace calls this workflow makes; `docspaceRooms` binds them to the real client. */
export interface RoomsPort {
  listRooms(options: { searchArea: RoomSearchArea; filterValue?: string }): Promise<FolderDto[]>;
  getRoom(roomId: number): Promise<FolderDto>;
  createFromTemplate(request: { templateId: number; title: string }): Promise<RoomFromTemplateStatusDto | undefined>;
  creationStatus(): Promise<RoomFromTemplateStatusDto | undefined>;
}

export function docspaceRooms(client: DocSpaceClient): RoomsPort {
  return {
    // Rooms on third-party storage (string ids) can share a title but are never ones this bundle created.
    listRooms: async (options) => internalRooms(await listRooms(client, options)),
    getRoom: async (roomId) => {
      const [room] = internalRooms([await getRoom(client, roomId)]);
      if (!room) throw new DocSpaceResponseError(200, `room ${roomId} came back with a third-party id`, 'GET', `/api/2.0/files/rooms/${roomId}`);
      return room;
    },
    createFromTemplate: (request) => createRoomFromTemplate(client, request),
    creationStatus: () => getRoomFromTemplateStatus(client),
  };
}
