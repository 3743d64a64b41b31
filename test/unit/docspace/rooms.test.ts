import { describe, expect, it } from 'vitest';
import { deleteGuests } from '../../../lib/docspace/people';
import {
  archiveRoom,
  createRoomFromTemplate,
  getRoom,
  getRoomFromTemplateStatus,
  listRoomMembers,
  listRooms,
  setRoomAccess,
} from '../../../lib/docspace/rooms';
import { caught, failure, harness, ok, proxyPage, script } from './fake-docspace';

const rooms = Array.from({ length: 130 }, (_, i) => ({ id: 500 + i, title: `Room ${i}`, roomType: 5, rootFolderType: 14 }));

describe('listRooms', () => {
  it('lists every page of rooms in the search area, sending the SearchArea number', async () => {
    const h = harness((request) => {
      const start = Number(request.url.searchParams.get('startIndex'));
      const count = Number(request.url.searchParams.get('count'));
      const page = rooms.slice(start, start + count);
      return ok({ current: { id: 2, title: 'Rooms' }, folders: page, files: [], count: page.length, total: rooms.length });
    });
    const listed = await listRooms(h.client, { searchArea: 'Archive', filterValue: 'Acme' });
    expect(listed.map((r) => r.id)).toEqual(rooms.map((r) => r.id));
    expect(h.calls).toHaveLength(2);
    for (const call of h.calls) {
      expect(call.path).toBe('files/rooms');
      expect(call.url.searchParams.get('searchArea')).toBe('1');
      expect(call.url.searchParams.get('filterValue')).toBe('Acme');
      expect(call.url.searchParams.has('filterType')).toBe(false);
    }
  });

  it.each([
    ['Active', '0'],
    ['Any', '2'],
    ['Templates', '4'],
  ] as const)('maps searchArea %s to %s', async (area, number) => {
    const h = harness(() => ok({ current: { id: 2, title: 'Rooms' }, folders: [], files: [], count: 0, total: 0 }));
    await listRooms(h.client, { searchArea: area });
    expect(h.calls[0]!.url.searchParams.get('searchArea')).toBe(number);
  });

  it('keeps rooms on third-party storage with their string ids and sets an unreadable entry aside with the reason, never failing the page', async () => {
    const h = harness(() =>
      ok({
        // No `current`: the spec does not require it and nothing reads it.
        folders: [
          { id: 501, title: 'Internal', roomType: 5, rootFolderType: 14, updated: '2026-11-01T13:20:30.1230000+03:00' },
          { id: 'box-5', title: 'Box: Drive', parentId: '2', rootFolderId: '2', roomType: 5, providerKey: 'Box', providerItem: true },
          { id: 'box-7', roomType: 5 },
          { id: { weird: true }, title: 'Odd' },
        ],
        files: [],
        count: 4,
        total: 4,
      }),
    );
    const listed = await listRooms(h.client);
    expect(listed.map((r) => r.id)).toEqual([501, 'box-5']);
    expect(listed.skipped).toEqual([
      { id: 'box-7', reason: 'title: Invalid input: expected string, received undefined' },
      { id: '[object Object]', title: 'Odd', reason: expect.stringMatching(/^id: /) },
    ]);
    expect(h.calls).toHaveLength(1);
  });

  it('defaults to active rooms and omits an empty filter', async () => {
    const h = harness(() => ok({ current: { id: 2, title: 'Rooms' }, folders: [], files: [], count: 0, total: 0 }));
    await listRooms(h.client);
    expect(h.calls[0]!.url.searchParams.get('searchArea')).toBe('0');
    expect(h.calls[0]!.url.searchParams.has('filterValue')).toBe(false);
  });
});

describe('getRoom', () => {
  it('reads files/rooms/{id}', async () => {
    const h = harness(() => ok({ id: 7, title: 'Client', rootFolderType: 20 }));
    await expect(getRoom(h.client, 7)).resolves.toMatchObject({ id: 7, rootFolderType: 20 });
    expect(h.calls[0]!.path).toBe('files/rooms/7');
  });
});

describe('rooms from templates', () => {
  it('posts templateId and title to files/rooms/fromtemplate and returns the status', async () => {
    const h = harness(() => ok({ roomId: 900, progress: 0, error: '', isCompleted: false }));
    await expect(createRoomFromTemplate(h.client, { templateId: 40, title: 'Project X' })).resolves.toEqual({
      roomId: 900,
      progress: 0,
      error: '',
      isCompleted: false,
    });
    expect(h.calls[0]).toMatchObject({ method: 'POST', path: 'files/rooms/fromtemplate', body: { templateId: 40, title: 'Project X' } });
  });

  it('is not repeated after an ambiguous failure: a second POST could start a second room', async () => {
    const h = harness(script(proxyPage(504), ok({ roomId: 900 })));
    const error = await caught(createRoomFromTemplate(h.client, { templateId: 40, title: 'Project X' }));
    expect(error).toMatchObject({ status: 504, ambiguous: true });
    expect(h.calls).toHaveLength(1);
  });

  it('reads the status, and reports undefined when the envelope has no response (no task)', async () => {
    const running = harness(() => ok({ roomId: 900, progress: 0.45, error: '', isCompleted: false }));
    await expect(getRoomFromTemplateStatus(running.client)).resolves.toMatchObject({ roomId: 900, isCompleted: false });
    expect(running.calls[0]).toMatchObject({ method: 'GET', path: 'files/rooms/fromtemplate/status' });

    const none = harness(() => ok(undefined));
    await expect(getRoomFromTemplateStatus(none.client)).resolves.toBeUndefined();
  });
});

describe('setRoomAccess', () => {
  it('puts the invitations without notifying and without force, and returns DocSpace\'s error and the members as userId and access', async () => {
    const h = harness(() =>
      ok({
        members: [
          { access: 9, sharedTo: { id: 'owner-guid', displayName: 'Owner' }, isOwner: true },
          { access: 2, sharedToUser: { id: 'reader-guid' } },
          { access: 2, sharedTo: { id: 'link-without-user', title: 'Link' } },
          { access: 2 },
        ],
        warning: null,
        error: 0,
      }),
    );
    const answer = await setRoomAccess(h.client, 31, [{ id: 'guest-guid', access: 0 }]);
    expect(answer).toEqual({
      error: 0,
      members: [
        { userId: 'owner-guid', displayName: 'Owner', access: 9 },
        { userId: 'reader-guid', access: 2 },
        { userId: 'link-without-user', access: 2 },
      ],
    });
    expect(h.calls[0]).toMatchObject({
      method: 'PUT',
      path: 'files/rooms/31/share',
      body: { invitations: [{ id: 'guest-guid', access: 0 }], notify: false, force: false },
    });
  });

  it('reads the refusal of a user with a form role (error 1, no members), by number or by name', async () => {
    const h = harness(script(ok({ error: 1 }), ok({ error: 'FormRoleBlockingDeletion', warning: 'form role' })));
    await expect(setRoomAccess(h.client, 31, [{ id: 'guest-guid', access: 0 }])).resolves.toEqual({ error: 1, members: [] });
    await expect(setRoomAccess(h.client, 31, [{ id: 'guest-guid', access: 0 }])).resolves.toEqual({ error: 1, warning: 'form role', members: [] });
  });

  it('repeats after an ambiguous failure, because setting the same access twice changes nothing', async () => {
    const h = harness(script(proxyPage(502), ok({ members: [] })));
    await expect(setRoomAccess(h.client, 31, [{ id: 'guest-guid', access: 0 }])).resolves.toEqual({ error: 0, members: [] });
    expect(h.calls).toHaveLength(2);
  });
});

describe('listRoomMembers', () => {
  it('reads every page of the room\'s people (not its links), a share without access included', async () => {
    const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ access: 2, sharedToUser: { id: `user-${from + i}` } }));
    const h = harness(script(ok(page(0, 100)), ok([...page(100, 20), { sharedTo: { id: 'no-access-field' } }])));
    const members = await listRoomMembers(h.client, 31);
    expect(members).toHaveLength(121);
    expect(members.at(-1)).toEqual({ userId: 'no-access-field', access: undefined });
    expect(h.calls.map((c) => Object.fromEntries(c.url.searchParams))).toEqual([
      { filterType: '0', startIndex: '0', count: '100' },
      { filterType: '0', startIndex: '100', count: '100' },
    ]);
  });
});

describe('archiveRoom', () => {
  it('puts deleteAfter false to files/rooms/{id}/archive and returns the file operation', async () => {
    const h = harness(() => ok({ id: 'arch-1', Operation: 0, progress: 0, error: '', finished: false }));
    await expect(archiveRoom(h.client, 31)).resolves.toMatchObject({ id: 'arch-1', finished: false, operation: 0 });
    expect(h.calls[0]).toMatchObject({ method: 'PUT', path: 'files/rooms/31/archive', body: { deleteAfter: false } });
  });

  it('accepts the operation wrapped in a list', async () => {
    const h = harness(() => ok([{ id: 'arch-2', finished: false }]));
    await expect(archiveRoom(h.client, 31)).resolves.toMatchObject({ id: 'arch-2' });
  });
});

describe('deleteGuests', () => {
  it('sends DELETE people/guests with the user ids and accepts the void response', async () => {
    const h = harness(() => ok(undefined));
    await expect(deleteGuests(h.client, ['g1', 'g2'])).resolves.toBeUndefined();
    expect(h.calls[0]).toMatchObject({ method: 'DELETE', path: 'people/guests', body: { userIds: ['g1', 'g2'] } });
  });

  it('sends nothing for an empty list', async () => {
    const h = harness(() => ok(undefined));
    await deleteGuests(h.client, []);
    expect(h.calls).toHaveLength(0);
  });

  it('raises the 403 DocSpace gives when one id is not a guest of the caller', async () => {
    const h = harness(() => failure(403, 'Access denied', 'System.Security.SecurityException'));
    await expect(deleteGuests(h.client, ['not-a-guest'])).rejects.toMatchObject({ status: 403, name: 'DocSpaceForbiddenError' });
    expect(h.calls).toHaveLength(1);
  });
});

describe('fields nothing reads', () => {
  it('do not fail a room when a portal leaves them out or writes them in another shape', async () => {
    const h = harness(() =>
      ok({
        folders: [{ id: 9, title: 'Lean', updated: '2026-11-01T10:00:00.0000000+03:00', createdBy: { displayName: 'no id' }, security: { Read: 'yes' }, tags: 'x', filesCount: '3' }],
        count: 1,
        total: 1,
      }),
    );
    const listed = await listRooms(h.client);
    expect([...listed]).toEqual([expect.objectContaining({ id: 9, title: 'Lean', updated: '2026-11-01T10:00:00.0000000+03:00' })]);
    expect(listed.skipped).toEqual([]);
  });
});
