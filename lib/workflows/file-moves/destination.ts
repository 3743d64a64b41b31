import { createFolder, listFolder } from '../../docspace/folders';
import type { DocSpaceClient } from '../../docspace/client';
import type { Leases } from '../../jobs/lease';
import type { FileMoveInput } from './model';

export interface SourceFolder {
  id: number;
  parentId: number;
  title: string;
}

/**
 * Resolves the destination root. A named child (/Archive/<Client>) is found or created under a lease on
 * (parent, title): DocSpace has no title-uniqueness check, so without it two jobs for the same client could
 * each create one.
 */
export async function resolveDestinationRoot(
  docspace: DocSpaceClient,
  leases: Leases,
  owner: string,
  destination: FileMoveInput['destination'],
): Promise<number> {
  if (destination.kind === 'folder') return destination.folderId;
  const { parentId, title } = destination;
  return leases.withLease(`folder:${parentId}:${title}`, owner, 60_000, async () => {
    const found = await findChildFolder(docspace, parentId, title, new Set());
    return found ?? (await createFolder(docspace, parentId, title)).id;
  });
}

/** The oldest (lowest-id) child with that exact title, skipping folders already taken by this plan. */
async function findChildFolder(
  docspace: DocSpaceClient,
  parentId: number,
  title: string,
  taken: Set<number>,
): Promise<number | undefined> {
  const { folders } = await listFolder(docspace, parentId);
  return folders
    .filter((f) => f.title === title && !taken.has(f.id))
    .map((f) => f.id)
    .sort((a, b) => a - b)[0];
}

/**
 * Mirrors the source's folder tree under the destination root, so that same-titled files from different
 * subfolders land in different folders. Mapping is by source folder id, and each destination folder serves
 * one source folder, so two same-titled sibling folders stay two folders. Existing folders are reused, which
 * is what makes a re-run of the planner (after a crash, or a resumed job) create nothing twice.
 */
export async function mirrorFolders(
  docspace: DocSpaceClient,
  sourceRootId: number,
  destRootId: number,
  sourceFolders: SourceFolder[],
): Promise<Map<number, number>> {
  const destOf = new Map<number, number>([[sourceRootId, destRootId]]);
  const children = new Map<number, SourceFolder[]>();
  for (const folder of sourceFolders) {
    const list = children.get(folder.parentId) ?? [];
    list.push(folder);
    children.set(folder.parentId, list);
  }
  const taken = new Set<number>();
  const pending = [sourceRootId];
  while (pending.length > 0) {
    const sourceParent = pending.shift()!;
    const destParent = destOf.get(sourceParent)!;
    const kids = (children.get(sourceParent) ?? []).sort((a, b) => a.id - b.id);
    if (kids.length === 0) continue;
    const existing = (await listFolder(docspace, destParent)).folders.sort((a, b) => a.id - b.id);
    for (const kid of kids) {
      const match = existing.find((f) => f.title === kid.title && !taken.has(f.id));
      const id = match?.id ?? (await createFolder(docspace, destParent, kid.title)).id;
      taken.add(id);
      destOf.set(kid.id, id);
      pending.push(kid.id);
    }
  }
  return destOf;
}
