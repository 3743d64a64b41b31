// Paging parameters and the FolderContentDto shared by folder and room listings (NOTES 2.2, 3.1).
import { fileDto, folderDto, pathParts, type Json } from './dto';
import { badRequest } from './envelope';
import type { PortalState } from './state';
import type { SimFile, SimFolder } from './types';

export interface Paging {
  startIndex: number;
  count: number;
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw badRequest(`The value '${raw}' is not valid for ${name}.`);
  return n;
}

/** count is [Range(1, 100)], default 100: anything else is a 400, never clamped. */
export function parsePaging(query: URLSearchParams): Paging {
  const count = intParam(query, 'count', 100);
  if (count < 1 || count > 100) throw badRequest(`The field Count must be between 1 and 100.`);
  const startIndex = Math.max(0, intParam(query, 'startIndex', 0));
  return { startIndex, count };
}

export function parseSort(query: URLSearchParams): { by: string; descending: boolean } {
  const by = (query.get('sortBy') ?? 'DateAndTime').toLowerCase();
  const order = query.get('sortOrder');
  const descending = order === null ? by === 'dateandtime' || by === 'dateandtimecreation' : order === '1' || order.toLowerCase() === 'descending';
  return { by, descending };
}

export function sortEntries<T extends SimFile | SimFolder>(entries: T[], sort: { by: string; descending: boolean }): T[] {
  const key = (e: T): number | string =>
    sort.by === 'az' ? e.title.toLowerCase() : sort.by === 'dateandtimecreation' ? e.created : e.updated;
  const sign = sort.descending ? -1 : 1;
  return [...entries].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    return (a.id - b.id) * sign;
  });
}

/** One page of folders-then-files with DocSpace's counters: `count` is this page, `total` the whole listing. */
export function folderContent(
  state: PortalState,
  current: SimFolder,
  folders: SimFolder[],
  files: SimFile[],
  paging: Paging,
): Json {
  const all: Array<SimFolder | SimFile> = [...folders, ...files];
  const page = all.slice(paging.startIndex, paging.startIndex + paging.count);
  const pageFolders = page.filter((e): e is SimFolder => !('folderId' in e));
  const pageFiles = page.filter((e): e is SimFile => 'folderId' in e);
  return {
    files: pageFiles.map((f) => fileDto(state, f)),
    folders: pageFolders.map((f) => folderDto(state, f)),
    current: folderDto(state, current),
    pathParts: pathParts(state, current.id),
    startIndex: paging.startIndex,
    count: page.length,
    total: all.length,
    new: 0,
  };
}
