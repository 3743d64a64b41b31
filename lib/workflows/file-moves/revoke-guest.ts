import type { FileMovesDocSpace } from './docspace-port';

/** `RoomSecurityError.FormRoleBlockingDeletion`: the guest holds a role in a form of the room; nothing changed. */
const FORM_ROLE_BLOCKING_DELETION = 1;

export type GuestRevocation = { revoked: true } | { revoked: false; reason: string };

/**
 * Removes the deal's guest from the client room (`PUT files/rooms/{id}/share`, access 0; NOTES 3.4 and the README's
 * "Revoking the guest") and says whether the guest is really gone, which the 200 does not:
 * - DocSpace refuses the whole request (`error: 1`, no members, nothing changed) for a user who holds a role in a
 *   form of the room, unless `force` is set. `force` is never sent: it would also strip the guest's form roles,
 *   taking the guest out of forms being filled in, which closing a deal must not decide on its own. The job fails
 *   with that reason instead, and the same deal sent again (after the filling was finished or stopped) retries.
 * - It silently drops invitations it will not apply, and its `members` hold only the invitees' shares, so an
 *   empty list proves nothing: the room's members are read afterwards, and only a guest absent from them (or left
 *   with access 0) counts as revoked.
 */
export async function revokeGuest(docspace: FileMovesDocSpace, roomId: number, userId: string): Promise<GuestRevocation> {
  const answer = await docspace.setRoomAccess(roomId, [{ id: userId, access: 0 }]);
  const still = (await docspace.listRoomMembers(roomId)).find((m) => m.userId === userId && m.access !== 0);
  if (!still) return { revoked: true };

  const guest = still.displayName ? `guest ${still.displayName} (${userId})` : `guest ${userId}`;
  const why =
    answer.error === FORM_ROLE_BLOCKING_DELETION
      ? 'DocSpace refused to remove them because they hold a role in a form of the room (FormRoleBlockingDeletion); ' +
        'finish or stop that form filling, then send the deal again'
      : answer.error !== 0
        ? `DocSpace refused the removal (error ${answer.error}${answer.warning ? `: ${answer.warning}` : ''})`
        : `DocSpace answered the removal without applying it${answer.warning ? ` (${answer.warning})` : ''}`;
  return { revoked: false, reason: `${guest} still has access to room ${roomId}: ${why}` };
}
