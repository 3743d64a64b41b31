import { DocSpaceNotFoundError, DocSpaceResponseError } from '../../docspace/errors';
import type { FileMovesDocSpace } from './docspace-port';

export interface Subtree {
  files: Array<{ id: number; title: string; folderId: number }>;
  folders: number;
}

/**
 * Every file below `rootId` and how many folders (lib/docspace's listTree). With a cap, undefined as soon as the
 * subtree has more folders or files than that, so deciding that a folder is too big to move whole costs at most
 * `cap.folders` listings.
 */
export async function listSubtree(client: FileMovesDocSpace, rootId: number, cap?: { folders: number; files: number }): Promise<Subtree | undefined> {
  const tree = await client.listTree(rootId, cap);
  return tree && { files: tree.files, folders: tree.folders.length };
}

/** Where a folder is now (its parent), or undefined when it no longer exists. One read of one entry. */
export async function folderParent(client: FileMovesDocSpace, folderId: number): Promise<number | undefined> {
  try {
    const content = await client.folderPage(folderId, 0, 1);
    // `current` is optional in the spec; without it the folder's place is unknown, which is not "gone".
    if (!content.current) throw new DocSpaceResponseError(200, 'the folder answer has no current entry', 'GET', `/api/2.0/files/${folderId}`);
    return content.current.parentId === undefined || content.current.parentId === null ? undefined : Number(content.current.parentId);
  } catch (error) {
    if (error instanceof DocSpaceNotFoundError) return undefined;
    throw error;
  }
}
