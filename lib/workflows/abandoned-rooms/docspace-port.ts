import type { DocSpaceClient } from '../../docspace/client';
import { isFinished, waitForOperation } from '../../docspace/fileops';
import { archiveRoom, getRoom, listRooms } from '../../docspace/rooms';
import { ARCHIVE_ROOT, RoomArchiveError, type ScanRoomsPort } from './scan';

/** The scan's port over lib/docspace (tests use a fake of ScanRoomsPort). */
export function docspaceScanRooms(client: DocSpaceClient): ScanRoomsPort {
  return {
    listRooms: (options) => listRooms(client, options),
    async archiveRoom(roomId) {
      const op = await archiveRoom(client, roomId);
      const outcome = isFinished(op) ? { state: 'finished' as const, op } : await waitForOperation(client, op.id);
      if (outcome.state === 'finished' && outcome.op.error) throw new RoomArchiveError(outcome.op.error);
      // A vanished or error-free result is confirmed the same way: the room must now live under Archive.
      const room = await getRoom(client, roomId);
      if (room.rootFolderType !== ARCHIVE_ROOT) throw new RoomArchiveError('DocSpace finished the operation but the room is not archived');
    },
  };
}
