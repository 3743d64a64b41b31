import { createFolder, listFolder } from '../../docspace/folders';
import type { DocSpaceClient } from '../../docspace/client';
import { LeaseHeldError, type Leases } from '../../jobs/lease';
import { DESTINATION_LEASE_MS, DESTINATION_LEASE_WAIT_MS, type FileMoveInput } from './model';

export interface SourceFolder {
  id: number;
  parentId: number;
  title: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves the destination root. A named child (/Archive/<Client>) is found or created under a lease on
 * (parent, title): DocSpace has no title-uniqueness check, so without it two jobs for the same client could
 * each create one. The lease covers one listing and at most one create, so a job that finds it taken waits a
 * little instead of handing the whole plan back to SQS.
 */
export async function resolveDestinationRoot(
  docspace: DocSpaceClient,
  leases: Leases,
  owner: string,
  destination: FileMoveInput['destination'],
  options: { sleep?: (ms: number) => Promise<void>; waitMs?: number } = {},
): Promise<number> {
  if (destination.kind === 'folder') return destination.folderId;
  const { parentId, title } = destination;
  const resource = `folder:${parentId}:${title}`;
  const sleep = options.sleep ?? realSleep;
  const waitMs = options.waitMs ?? DESTINATION_LEASE_WAIT_MS;
  for (let waited = 0, delay = 100; ; ) {
    try {
      return await leases.withLease(resource, owner, DESTINATION_LEASE_MS, async () => {
        const found = await findChildFolder(docspace, parentId, title);
        return found ?? (await createFolder(docspace, parentId, title)).id;
      });
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || waited >= waitMs) throw error;
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, 2_000);
    }
  }
}

/** The oldest (lowest-id) child with exactly that title: the one every job for this client has been using. */
async function findChildFolder(docspace: DocSpaceClient, parentId: number, title: string): Promise<number | undefined> {
  const { folders } = await listFolder(docspace, parentId);
  return folders
    .filter((f) => f.title === title)
    .map((f) => f.id)
    .sort((a, b) => a - b)[0];
}

/**
 * Mirrors the source's folder tree under the destination root, so that same-titled files from different
 * subfolders land in different folders. Mapping is by source folder id, and each destination folder serves
 * one source folder, so two same-titled sibling folders stay two folders. Existing folders are reused, which
 * is what makes a re-run of the planner (after a crash, or a resumed job) create nothing twice: siblings are
 * matched and created in source-id order, so a re-run pairs them the same way.
 *
 * Level by level, the parents of one level are handled in parallel (the client's caps bound the requests);
 * a folder this run has just created is known to be empty and is not listed.
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
  const fresh = new Set<number>();
  let level = [sourceRootId];
  while (level.length > 0) {
    const next: number[][] = await Promise.all(
      level.map(async (sourceParent) => {
        const destParent = destOf.get(sourceParent)!;
        const kids = (children.get(sourceParent) ?? []).sort((a, b) => a.id - b.id);
        if (kids.length === 0) return [];
        const existing = fresh.has(destParent) ? [] : (await listFolder(docspace, destParent)).folders.sort((a, b) => a.id - b.id);
        const taken = new Set<number>();
        for (const kid of kids) {
          const match = existing.find((f) => f.title === kid.title && !taken.has(f.id));
          let id = match?.id;
          if (id === undefined) {
            id = (await createFolder(docspace, destParent, kid.title)).id;
            fresh.add(id);
          }
          taken.add(id);
          destOf.set(kid.id, id);
        }
        return kids.map((k) => k.id);
      }),
    );
    level = next.flat();
  }
  return destOf;
}
