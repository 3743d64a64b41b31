import type { DocSpaceClient } from '../../docspace/client';
import {
  createRoomFromTemplate,
  getRoom,
  getRoomFromTemplateStatus,
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
    listRooms: (options) => listRooms(client, options),
    getRoom: (roomId) => getRoom(client, roomId),
    createFromTemplate: (request) => createRoomFromTemplate(client, request),
    creationStatus: () => getRoomFromTemplateStatus(client),
  };
}
