// People: reading a user and DELETE people/guests with v3.7 semantics (NOTES 3.4): it only cuts the caller's
// relation to the guest and the shares the caller granted; the account and others' grants stay.
import type { SimContext } from '../context';
import { employeeFullDto } from '../dto';
import { badRequest, forbidden, notFound } from '../envelope';
import type { Router } from '../router';

export function registerPeopleRoutes(router: Router, ctx: SimContext): void {
  router.add('GET', 'people/@self', (req) => ({ response: employeeFullDto(ctx.state, ctx.state.users.get(req.userId)!) }));

  router.add('GET', 'people/{str}', (req) => {
    const user = ctx.state.users.get(req.params[0]!);
    if (!user) throw notFound('The user could not be found');
    return { response: employeeFullDto(ctx.state, user) };
  });

  router.add('DELETE', 'people/guests', (req) => {
    const state = ctx.state;
    const ids = req.body.userIds;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw badRequest('The UserIds field is required.');
    const caller = state.users.get(req.userId)!;
    if (!['owner', 'admin', 'roomAdmin'].includes(caller.type)) throw forbidden('Access denied');
    const guests = (ids as string[]).map((id) => state.users.get(id));
    // v3.7: one id that is not a guest related to the caller refuses the whole request, nothing changes.
    if (guests.some((g) => !g || g.type !== 'guest' || !(g.invitedBy ?? []).includes(req.userId))) {
      throw forbidden('Access denied');
    }
    for (const guest of guests) {
      guest!.invitedBy = (guest!.invitedBy ?? []).filter((id) => id !== req.userId);
      for (const roomShares of state.shares.values()) {
        const share = roomShares.get(guest!.id);
        if (share && share.grantedBy === req.userId) roomShares.delete(guest!.id);
      }
    }
    return {};
  });
}
