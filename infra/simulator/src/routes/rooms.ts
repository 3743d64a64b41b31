// Rooms: listing by area, single room, archive/unarchive as file operations, sharing, and creation from a
// template (NOTES 3.4, 3.5, 3.6, 3.7).
import type { SimContext } from '../context';
import { folderContent, parsePaging, parseSort, sortEntries } from '../content';
import { fileShareDto, folderDto, type Json } from '../dto';
import { badRequest, forbidden, notFound } from '../envelope';
import { FolderType, SearchArea, parseRoomType, parseSearchArea } from '../enums';
import type { Router } from '../router';
import type { PortalState } from '../state';
import { statusDto } from '../templates';
import type { SimFolder, SimUser } from '../types';
import { folderNotFound } from './files';

function roomOrThrow(state: PortalState, raw: string | undefined): SimFolder {
  const folder = state.folders.get(state.resolveId(raw));
  if (!folder) throw folderNotFound();
  if (!state.isRoom(folder)) throw forbidden('Access denied');
  return folder;
}

function members(state: PortalState, room: SimFolder): Json[] {
  const owner = { roomId: room.id, userId: room.createdBy, access: 1, grantedBy: room.createdBy };
  return [
    fileShareDto(state, owner, true),
    ...state.roomShares(room.id).filter((s) => s.userId !== room.createdBy).map((s) => fileShareDto(state, s, false)),
  ];
}

export function registerRoomRoutes(router: Router, ctx: SimContext): void {
  router.add('GET', 'files/rooms', (req) => {
    const state = ctx.state;
    const area = parseSearchArea(req.query.get('searchArea'));
    if (area === undefined) throw badRequest(`The value '${req.query.get('searchArea')}' is not valid for searchArea.`);
    const paging = parsePaging(req.query);
    const parents =
      area === SearchArea.Archive
        ? [state.roots.archive]
        : area === SearchArea.Templates
          ? [state.roots.templates]
          : area === SearchArea.Any
            ? [state.roots.rooms, state.roots.archive]
            : area === SearchArea.Active
              ? [state.roots.rooms]
              : [];
    const currentId = area === SearchArea.Archive ? state.roots.archive : area === SearchArea.Templates ? state.roots.templates : state.roots.rooms;
    const types = [...req.query.getAll('type'), ...req.query.getAll('type[]')].map((t) => {
      const n = parseRoomType(t);
      if (n === undefined) throw badRequest(`The value '${t}' is not valid for type.`);
      return n;
    });
    const filterValue = (req.query.get('filterValue') ?? '').trim().toLowerCase();
    let rooms = parents.flatMap((p) =>
      [...state.childFolderIds(p)].map((id) => state.folders.get(id)!).filter((f) => f.roomType !== undefined),
    );
    if (types.length > 0) rooms = rooms.filter((r) => types.includes(r.roomType!));
    if (filterValue) rooms = rooms.filter((r) => r.title.toLowerCase().includes(filterValue));
    const current = state.folders.get(currentId)!;
    return { response: folderContent(state, current, sortEntries(rooms, parseSort(req.query)), [], paging) };
  });

  router.add('POST', 'files/rooms/fromtemplate', (req) => {
    const state = ctx.state;
    const title = typeof req.body.title === 'string' ? req.body.title.trim() : '';
    const templateId = Number(req.body.templateId);
    if (!Number.isInteger(templateId) || templateId <= 0) throw badRequest('The TemplateId field is required.');
    if (!title) throw badRequest('The Title field is required.');
    const template = state.folders.get(templateId);
    if (!template || template.parentId !== state.roots.templates || template.roomType === undefined) {
      throw notFound('The required template was not found');
    }
    ctx.templates.tick();
    const running = ctx.templates.current();
    if (running && !running.isCompleted) return { response: statusDto(running) };
    const total = state.filesUnder(template.id, true).length + state.foldersUnder(template.id, true).length;
    const { task } = ctx.templates.start(templateId, title, total, ctx.faults.takeTemplateFailure());
    return { response: statusDto(task) };
  });

  router.add('GET', 'files/rooms/fromtemplate/status', () => ({ response: ctx.templates.status() }));

  router.add('GET', 'files/rooms/{id}', (req) => {
    const folder = ctx.state.folders.get(ctx.state.resolveId(req.params[0]));
    if (!folder) throw folderNotFound();
    return { response: folderDto(ctx.state, folder) };
  });

  for (const action of ['archive', 'unarchive'] as const) {
    router.add('PUT', `files/rooms/{id}/${action}`, (req) => {
      const room = roomOrThrow(ctx.state, req.params[0]);
      if (room.parentId === ctx.state.roots.templates) throw forbidden('Access denied');
      const op = ctx.ops.start(req.userId, action, () => {
        const state = ctx.state;
        const target = action === 'archive' ? state.roots.archive : state.roots.rooms;
        const current = state.folders.get(room.id);
        if (!current) return { fileIds: [], folderIds: [], processed: 1, error: 'The required folder was not found' };
        if (current.parentId !== target) {
          state.moveFolder(current, target);
          ctx.emit(action === 'archive' ? 'room.archived' : 'room.restored', current, req.userId);
        }
        return { fileIds: [], folderIds: [current.id], processed: 1, error: '' };
      }, req.body.deleteAfter !== true);
      return { response: ctx.ops.dto(ctx.state, op) };
    });
  }

  router.add('GET', 'files/rooms/{id}/share', (req) => {
    const room = roomOrThrow(ctx.state, req.params[0]);
    // A paged list (IAsyncEnumerable on the server: no total), count 1..100 like every paged action.
    const paging = parsePaging(req.query);
    const all = members(ctx.state, room);
    return { response: all.slice(paging.startIndex, paging.startIndex + paging.count) };
  });

  router.add('PUT', 'files/rooms/{id}/share', (req) => {
    const state = ctx.state;
    const room = roomOrThrow(state, req.params[0]);
    if (state.rootOf(room.id)?.folderType === FolderType.Archive) throw forbidden('Access denied');
    const invitations = req.body.invitations;
    if (!Array.isArray(invitations)) throw badRequest('The Invitations field is required.');
    const force = req.body.force === true;
    const applied: Array<{ user: SimUser; access: number }> = [];
    for (const inv of invitations as Array<Record<string, unknown>>) {
      const access = Number(inv.access);
      if (!Number.isInteger(access) || access < 0 || access > 11) throw badRequest('The JSON value could not be converted: access');
      const user =
        typeof inv.id === 'string'
          ? state.users.get(inv.id)
          : typeof inv.email === 'string'
            ? [...state.users.values()].find((u) => u.email.toLowerCase() === String(inv.email).toLowerCase())
            : undefined;
      // Users the caller cannot see, and the owner, are dropped silently: check `members` in the answer.
      if (!user || user.id === room.createdBy) continue;
      // Removing a user who holds a role in a form of the room needs `force`; without it the whole request is
      // refused before any share is written (RoomSecurityError.FormRoleBlockingDeletion, NOTES 3.4).
      if (access === 0 && !force && state.hasFormRole(room.id, user.id)) return { response: { error: 1 } };
      applied.push({ user, access });
    }
    for (const { user, access } of applied) {
      // With force, the removal takes the user's form roles in the room with it.
      if (access === 0) state.removeShare(room.id, user.id);
      else state.setShare({ roomId: room.id, userId: user.id, access, grantedBy: req.userId });
    }
    // `members` holds the invitees' shares as they now are, never the whole room: a removed user is not listed.
    const invitees = applied
      .filter((a) => a.access !== 0)
      .map((a) => fileShareDto(state, { roomId: room.id, userId: a.user.id, access: a.access, grantedBy: req.userId }, false));
    return { response: { members: invitees, warning: '', error: 0 } };
  });
}
