import { describe, expect, it } from 'vitest';
import { docspaceFileMoves } from '../../../../lib/workflows/file-moves/docspace-port';
import { revokeGuest } from '../../../../lib/workflows/file-moves/revoke-guest';
import { harness, ok, script } from '../../docspace/fake-docspace';

const GUEST = 'guest-guid';
const member = (id: string, access = 2, displayName?: string) => ({ access, sharedToUser: { id, ...(displayName ? { displayName } : {}) } });

describe('revoking the deal guest', () => {
  it('removes the guest without force and confirms it by reading the room members, not the empty answer', async () => {
    const h = harness(script(ok({ members: [], error: 0 }), ok([member('owner-guid', 1), member('colleague', 9)])));
    await expect(revokeGuest(docspaceFileMoves(h.client), 31, GUEST)).resolves.toEqual({ revoked: true });
    expect(h.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['PUT files/rooms/31/share', 'GET files/rooms/31/share']);
    expect(h.calls[0]!.body).toEqual({ invitations: [{ id: GUEST, access: 0 }], notify: false, force: false });
  });

  it('fails naming the guest and the form role when DocSpace refuses (error 1) and the guest is still a member', async () => {
    const h = harness(script(ok({ error: 1 }), ok([member(GUEST, 7, 'Gil Guest')])));
    await expect(revokeGuest(docspaceFileMoves(h.client), 31, GUEST)).resolves.toEqual({
      revoked: false,
      reason: `guest Gil Guest (${GUEST}) still has access to room 31: DocSpace refused to remove them because they hold a role in a form of the room (FormRoleBlockingDeletion); finish or stop that form filling, then send the deal again`,
    });
  });

  it('fails when DocSpace answers 200 without error but silently kept the guest', async () => {
    const h = harness(script(ok({ members: [], error: 0 }), ok([member(GUEST, 2)])));
    await expect(revokeGuest(docspaceFileMoves(h.client), 31, GUEST)).resolves.toEqual({
      revoked: false,
      reason: `guest ${GUEST} still has access to room 31: DocSpace answered the removal without applying it`,
    });
  });

  it('counts a guest who is gone from the room as revoked, even after a refusal (removed by hand meanwhile)', async () => {
    const h = harness(script(ok({ error: 1 }), ok([member('owner-guid', 1)])));
    await expect(revokeGuest(docspaceFileMoves(h.client), 31, GUEST)).resolves.toEqual({ revoked: true });
  });
});
