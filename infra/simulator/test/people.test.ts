import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, DocSpaceSimulator, demoFixture } from '../src';
import { client } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

describe('DELETE people/guests (v3.7 semantics)', () => {
  it('removes only the caller\'s relation and the shares the caller granted; the account and others\' grants stay', async () => {
    sim = new DocSpaceSimulator({ fixture: demoFixture() });
    const api = client(sim);
    const room = sim.addRoom({ title: 'Second' });
    sim.shareRoom(room, DEMO.guestUserId, 2, DEMO.roomAdminUserId);
    const r = await api.del('people/guests', { userIds: [DEMO.guestUserId] });
    expect(r.status).toBe(200);
    expect(r.json).not.toHaveProperty('response');
    expect(sim.state.roomShares(DEMO.clientRoomId).map((s) => s.userId)).not.toContain(DEMO.guestUserId);
    expect(sim.state.roomShares(room).map((s) => s.userId)).toEqual([DEMO.guestUserId]);
    expect(sim.state.users.get(DEMO.guestUserId)).toMatchObject({ type: 'guest', invitedBy: [] });
    expect((await api.get(`people/${DEMO.guestUserId}`)).json.response).toMatchObject({ id: DEMO.guestUserId, isVisitor: true });
  });

  it('refuses the whole request with 403 when one id is not a guest related to the caller, changing nothing', async () => {
    sim = new DocSpaceSimulator({ fixture: demoFixture() });
    const api = client(sim);
    const r = await api.del('people/guests', { userIds: [DEMO.guestUserId, DEMO.otherGuestUserId] });
    expect(r.status).toBe(403);
    expect(sim.state.roomShares(DEMO.clientRoomId).map((s) => s.userId)).toContain(DEMO.guestUserId);
    expect(sim.state.users.get(DEMO.guestUserId)!.invitedBy).toEqual([DEMO.selfUserId]);
    expect((await api.del('people/guests', { userIds: [DEMO.roomAdminUserId] })).status).toBe(403);
  });

  it('answers 404 for an unknown user', async () => {
    sim = new DocSpaceSimulator();
    expect((await client(sim).get('people/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
