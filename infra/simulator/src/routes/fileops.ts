// PUT files/fileops/move|copy, GET files/fileops, PUT files/fileops/terminate/{id} (NOTES 3.2).
import type { SimContext } from '../context';
import { badRequest, forbidden, notFound } from '../envelope';
import { FolderType, parseConflict } from '../enums';
import type { Router } from '../router';
import { executeTransfer } from '../transfer';

function idList(raw: unknown, field: string): number[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest(`The JSON value could not be converted: ${field}`);
  return raw.map((v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n)) throw badRequest(`The JSON value could not be converted: ${field}`);
    return n;
  });
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true';
}

export function registerFileOpRoutes(router: Router, ctx: SimContext): void {
  for (const kind of ['move', 'copy'] as const) {
    router.add('PUT', `files/fileops/${kind}`, (req) => {
      const state = ctx.state;
      const conflict = parseConflict(req.body.conflictResolveType);
      if (conflict === undefined) throw badRequest('The JSON value could not be converted: conflictResolveType');
      let fileIds = idList(req.body.fileIds, 'fileIds');
      let folderIds = idList(req.body.folderIds, 'folderIds');
      const destRaw = req.body.destFolderId;
      const destFolderId = typeof destRaw === 'string' && /^\d+$/.test(destRaw) ? Number(destRaw) : destRaw;
      if (typeof destFolderId !== 'number' || !Number.isInteger(destFolderId)) {
        throw badRequest('The destFolderId field is required.');
      }
      const dest = state.folders.get(destFolderId);
      if (!dest) throw notFound('The required folder was not found');
      // Permission checks run synchronously on the PUT: a refused destination is a 403 here.
      if (state.isRoomContainer(dest.id) || state.rootOf(dest.id)?.folderType === FolderType.Archive) {
        throw forbidden('Access denied');
      }
      if (truthy(req.body.content)) {
        const expanded: number[] = [];
        for (const id of folderIds) {
          fileIds = [...fileIds, ...state.childFileIds(id)];
          expanded.push(...state.childFolderIds(id));
        }
        folderIds = expanded;
      }
      const single = truthy(req.body.returnSingleOperation);
      if (fileIds.length === 0 && folderIds.length === 0) {
        // No task is created; the list of the caller's operations is all there is to return.
        return { response: single ? [] : ops(ctx, req.userId) };
      }
      const op = ctx.ops.start(req.userId, kind, () => {
        const outcome = executeTransfer(
          ctx.state,
          { kind, fileIds, folderIds, destFolderId, conflict },
          { now: ctx.now(), userId: req.userId, failFileIds: new Set(ctx.faults.faults.failFileIds) },
        );
        for (const e of outcome.events) ctx.emit(e.trigger, e.entry, req.userId);
        return outcome;
      }, !truthy(req.body.deleteAfter));
      // Without returnSingleOperation the answer lists (and consumes) all of the caller's operations.
      return { response: single ? [ctx.ops.dto(state, op)] : ops(ctx, req.userId) };
    });
  }

  router.add('GET', 'files/fileops', (req) => {
    const id = req.query.get('id') ?? undefined;
    return { response: ctx.ops.read(req.userId, id).map((op) => ctx.ops.dto(ctx.state, op)) };
  });

  router.add('PUT', 'files/fileops/terminate/{str}', (req) => {
    return { response: ctx.ops.terminate(req.userId, req.params[0]!).map((op) => ctx.ops.dto(ctx.state, op)) };
  });
}

function ops(ctx: SimContext, userId: string): unknown[] {
  return ctx.ops.read(userId).map((op) => ctx.ops.dto(ctx.state, op));
}
