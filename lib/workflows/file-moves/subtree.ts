import type { DocSpaceClient } from '../../docspace/client';
import { DocSpaceNotFoundError, DocSpaceResponseError } from '../../docspace/errors';
import { listFolder } from '../../docspace/folders';
import { FolderContentDto } from '../../docspace/schemas';

export interface Subtree {
  files: Array<{ id: number; title: string; folderId: number }>;
  folders: number;
}

/**
 * Every file below `rootId`, listed by a pool as wide as the client's read cap. With a cap, the walk stops as
 * soon as the subtree has more folders or files than that and undefined is returned, so deciding that a folder
 * is too big to move whole costs at most `cap.folders` listings.
 */
export async function listSubtree(client: DocSpaceClient, rootId: number, cap?: { folders: number; files: number }): Promise<Subtree | undefined> {
  const tree: Subtree = { files: [], folders: 0 };
  const queue: number[] = [rootId];
  const seen = new Set<number>([rootId]);
  const width = Math.max(1, client.limits.reads);
  const over = () => cap !== undefined && (tree.folders > cap.folders || tree.files.length > cap.files);
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let stopped = false;
    const pump = (): void => {
      if (stopped) return;
      if (over()) {
        stopped = true;
        return resolve();
      }
      if (queue.length === 0 && active === 0) return resolve();
      while (active < width && queue.length > 0) {
        const folderId = queue.shift()!;
        active += 1;
        listFolder(client, folderId).then(
          (listing) => {
            active -= 1;
            for (const file of listing.files) tree.files.push({ id: file.id, title: file.title, folderId });
            for (const folder of listing.folders) {
              if (seen.has(folder.id)) continue;
              seen.add(folder.id);
              tree.folders += 1;
              queue.push(folder.id);
            }
            pump();
          },
          (error: unknown) => {
            stopped = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
  return over() ? undefined : tree;
}

/** Where a folder is now (its parent), or undefined when it no longer exists. One read of one entry. */
export async function folderParent(client: DocSpaceClient, folderId: number): Promise<number | undefined> {
  try {
    const content = await client.request('GET', `files/${folderId}`, { query: { startIndex: 0, count: 1 }, schema: FolderContentDto });
    // `current` is optional in the spec; without it the folder's place is unknown, which is not "gone".
    if (!content.current) throw new DocSpaceResponseError(200, 'the folder answer has no current entry', 'GET', `/api/2.0/files/${folderId}`);
    return content.current.parentId === undefined || content.current.parentId === null ? undefined : Number(content.current.parentId);
  } catch (error) {
    if (error instanceof DocSpaceNotFoundError) return undefined;
    throw error;
  }
}
