import type { DocSpaceClient } from './client';
import { DocSpaceResponseError } from './errors';
import { PAGE_SIZE, paginate, totalOrGuess } from './paginate';
import { FolderContentDto, FolderDto, type FileDto, type PathPart, type SkippedEntry } from './schemas';

export interface FolderListing {
  current?: FolderDto | null | undefined;
  files: FileDto[];
  folders: FolderDto[];
  pathParts: PathPart[];
  /** Entries that are not internal files or folders (third-party storage ids) or could not be read. */
  skipped: SkippedEntry[];
}

export interface TreeListing {
  files: Array<{ id: number; title: string; folderId: number }>;
  folders: Array<{ id: number; parentId: number; title: string }>;
}

type Entry = { kind: 'file'; file: FileDto } | { kind: 'folder'; folder: FolderDto };

/**
 * One page of a folder's direct children (`GET files/{id}`). No filter is sent: any filter makes DocSpace search
 * the whole subtree (NOTES 3.1), which would turn "direct children" into "every descendant".
 */
export function getFolderPage(client: DocSpaceClient, folderId: number, startIndex: number, count = PAGE_SIZE): Promise<FolderContentDto> {
  return client.request('GET', `files/${folderId}`, { query: { startIndex, count }, schema: FolderContentDto });
}

/** Direct children of a folder (or room), every page. */
export async function listFolder(client: DocSpaceClient, folderId: number): Promise<FolderListing> {
  const path = `files/${folderId}`;
  let first: FolderContentDto | undefined;
  const files: FileDto[] = [];
  const folders: FolderDto[] = [];
  const skipped: SkippedEntry[] = [];
  const entries = paginate<Entry>(
    async (startIndex, count) => {
      const content = await getFolderPage(client, folderId, startIndex, count);
      first ??= content;
      skipped.push(...content.skipped);
      const items: Entry[] = [
        ...content.folders.map((folder) => ({ kind: 'folder' as const, folder })),
        ...content.files.map((file) => ({ kind: 'file' as const, file })),
      ];
      const onPage = content.count ?? items.length + content.skipped.length;
      return { items, count: onPage, total: totalOrGuess(content.total, startIndex, onPage, count) };
    },
    { path: `/api/2.0/${path}` },
  );
  for await (const entry of entries) {
    if (entry.kind === 'file') files.push(entry.file);
    else folders.push(entry.folder);
  }
  // paginate always fetches at least one page, so `first` is set.
  return { current: first!.current, files, folders, pathParts: first!.pathParts ?? [], skipped };
}

/** Breadcrumbs, root first: one page of one entry is enough to get `pathParts`. */
export async function getFolderPath(client: DocSpaceClient, folderId: number): Promise<PathPart[]> {
  return (await getFolderPage(client, folderId, 0, 1)).pathParts ?? [];
}

/**
 * Every file and folder below `rootId` (the root itself is not in `folders`). An entry that is not an internal file
 * or folder (third-party storage, an unreadable DTO) fails the walk, naming it: callers decide from a tree that
 * nothing was left behind. Folders are listed by a pool as
 * wide as the client's read cap, so a wide tree is walked in parallel without queueing more than the client
 * would let through anyway. The first failure stops the walk and is thrown: a partial tree is never returned.
 * With a `cap`, the walk stops as soon as the tree has more folders or files than that and undefined is returned,
 * so finding out that a tree is too big costs at most about `cap.folders` listings.
 */
export async function listTree(client: DocSpaceClient, rootId: number): Promise<TreeListing>;
export async function listTree(client: DocSpaceClient, rootId: number, cap: { folders: number; files: number } | undefined): Promise<TreeListing | undefined>;
export async function listTree(client: DocSpaceClient, rootId: number, cap?: { folders: number; files: number }): Promise<TreeListing | undefined> {
  const tree: TreeListing = { files: [], folders: [] };
  const queue: number[] = [rootId];
  const seen = new Set<number>([rootId]);
  const width = Math.max(1, client.limits.reads);
  const over = () => cap !== undefined && (tree.folders.length > cap.folders || tree.files.length > cap.files);

  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      if (over()) {
        failed = true;
        return resolve();
      }
      if (queue.length === 0 && active === 0) return resolve();
      while (active < width && queue.length > 0) {
        const folderId = queue.shift()!;
        active += 1;
        listFolder(client, folderId).then(
          (listing) => {
            active -= 1;
            if (listing.skipped.length) {
              // A tree decides that nothing is left behind: an entry it cannot read must not vanish from it.
              failed = true;
              const named = listing.skipped.map((e) => `${e.id ?? '?'}${e.title ? ` "${e.title}"` : ''} (${e.reason})`).join(', ');
              reject(new DocSpaceResponseError(200, `folder ${folderId} holds entries that are not internal files or folders: ${named}`, 'GET', `/api/2.0/files/${folderId}`));
              return;
            }
            for (const file of listing.files) tree.files.push({ id: file.id, title: file.title, folderId });
            for (const folder of listing.folders) {
              if (seen.has(folder.id)) continue;
              seen.add(folder.id);
              tree.folders.push({ id: folder.id, parentId: folderId, title: folder.title });
              queue.push(folder.id);
            }
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
  return over() ? undefined : tree;
}

/** Not idempotent: DocSpace has no title-uniqueness check, so an ambiguous failure is thrown, never repeated. */
export async function createFolder(client: DocSpaceClient, parentId: number, title: string): Promise<FolderDto> {
  return client.request('POST', `files/folder/${parentId}`, { body: { title }, schema: FolderDto });
}
