// Folder contents, folder creation and single-entry reads (NOTES 3.1, 3.3).
import { fileDto, folderDto } from '../dto';
import { badRequest, forbidden, notFound } from '../envelope';
import { FolderType, fileTypeOf } from '../enums';
import type { SimContext } from '../context';
import { folderContent, parsePaging, parseSort, sortEntries } from '../content';
import type { Router } from '../router';
import type { SimFile, SimFolder } from '../types';

// FilterType → the FileType values it keeps (FileType: 1 Archive, 2 Video, 3 Audio, 4 Image, 5 Spreadsheet,
// 6 Presentation, 7 Document, 10 Pdf, 11 Diagram).
const fileTypeFilters: Record<number, number[]> = {
  3: [7],
  4: [6],
  5: [5],
  7: [4],
  10: [1],
  12: [2, 3],
  22: [10],
  25: [11],
};

export const folderNotFound = (): Error => notFound('The required folder was not found');

export function registerFileRoutes(router: Router, ctx: SimContext): void {
  router.add('GET', 'files/{id}', (req) => {
    const state = ctx.state;
    const folder = state.folders.get(state.resolveId(req.params[0]));
    if (!folder) throw folderNotFound();
    const paging = parsePaging(req.query);
    const filterType = Number(req.query.get('filterType') ?? 0) || 0;
    const filterValue = (req.query.get('filterValue') ?? '').trim().toLowerCase();
    const withSubFolders = (req.query.get('withSubFolders') ?? 'true').toLowerCase() !== 'false';
    const filtered = filterType !== 0 || filterValue !== '';
    // NOTES 3.1 gotcha: any filter plus withSubFolders (the default) searches the whole subtree.
    const deep = filtered && withSubFolders;
    let folders: SimFolder[] = state.foldersUnder(folder.id, deep);
    let files: SimFile[] = state.filesUnder(folder.id, deep);
    if (filterType === 1) folders = [];
    else if (filterType === 2) files = [];
    else if (fileTypeFilters[filterType]) {
      const keep = fileTypeFilters[filterType]!;
      folders = [];
      files = files.filter((f) => keep.includes(fileTypeOf(f.title)));
    }
    if (filterValue) {
      folders = folders.filter((f) => f.title.toLowerCase().includes(filterValue));
      files = files.filter((f) => f.title.toLowerCase().includes(filterValue));
    }
    const sort = parseSort(req.query);
    return { response: folderContent(state, folder, sortEntries(folders, sort), sortEntries(files, sort), paging) };
  });

  router.add('GET', 'files/folder/{id}', (req) => {
    const folder = ctx.state.folders.get(ctx.state.resolveId(req.params[0]));
    if (!folder) throw folderNotFound();
    return { response: folderDto(ctx.state, folder) };
  });

  router.add('GET', 'files/folder/{id}/path', (req) => {
    const folder = ctx.state.folders.get(ctx.state.resolveId(req.params[0]));
    if (!folder) throw folderNotFound();
    return { response: ctx.state.pathTo(folder.id).map((f) => folderDto(ctx.state, f)) };
  });

  router.add('GET', 'files/file/{id}', (req) => {
    const file = ctx.state.files.get(ctx.state.resolveId(req.params[0]));
    if (!file) throw notFound('The required file was not found');
    return { response: fileDto(ctx.state, file) };
  });

  router.add('POST', 'files/folder/{int}', (req) => {
    const state = ctx.state;
    const raw = req.body.title;
    const title = typeof raw === 'string' ? raw.trim() : '';
    if (!title) throw badRequest('The Title field is required.');
    if (title.length > 165) throw badRequest('The field Title must be a string with a maximum length of 165.');
    const parent = state.folders.get(Number(req.params[0]));
    if (!parent) throw forbidden('The required folder was not found');
    if (parent.id === state.roots.rooms || parent.id === state.roots.templates) throw forbidden('Access denied');
    if (state.rootOf(parent.id)?.folderType === FolderType.Archive) {
      throw forbidden('The room is archived: you cannot change its contents');
    }
    // No uniqueness check: DocSpace creates a second folder with the same title (NOTES 3.3).
    const folder = state.createFolder(parent.id, title, req.userId, ctx.now());
    ctx.emit('folder.created', folder, req.userId);
    return { response: folderDto(state, folder) };
  });
}
