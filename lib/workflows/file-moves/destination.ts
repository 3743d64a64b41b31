import { randomUUID } from 'node:crypto';
import { createFolder, listFolder } from '../../docspace/folders';
import type { DocSpaceClient } from '../../docspace/client';
import { LeaseHeldError, type Leases } from '../../jobs/lease';
import { FOLDER_LEASE_WAIT_MS, INVOCATION_LEASE_MS, type FileMoveInput } from './model';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The destination root: the Completed folder as it is, or /Archive/<Client> found or created once. */
export async function resolveDestinationRoot(
  docspace: DocSpaceClient,
  leases: Leases,
  destination: FileMoveInput['destination'],
  options?: { sleep?: (ms: number) => Promise<void> },
): Promise<number> {
  if (destination.kind === 'folder') return destination.folderId;
  const [id] = await ensureFolders(docspace, leases, destination.parentId, [destination.title], options);
  return id!;
}

/**
 * Finds or creates under `parentId` one folder per title, in order: the i-th folder with a given title among
 * the titles takes the i-th oldest (lowest-id) folder of that title, or a new one. So /Archive/<Client> is the
 * folder every job for that client has been using, two same-titled source subfolders keep two mirrors, and a
 * repeated call pairs them the same way.
 *
 * DocSpace has no title-uniqueness check, so the listing and the creates happen under a lease on the parent:
 * otherwise two jobs (two deliveries of a deal, or two tasks whose folders both have an "Invoices" subfolder,
 * mirrored into the shared Completed folder) could each miss the other's folder and create their own. A
 * caller that finds the lease taken waits a little: the holder needs one listing and a few creates.
 */
export async function ensureFolders(
  docspace: DocSpaceClient,
  leases: Leases,
  parentId: number,
  titles: string[],
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<number[]> {
  if (titles.length === 0) return [];
  const sleep = options.sleep ?? realSleep;
  const resource = `folder:${parentId}`;
  const owner = randomUUID();
  for (let waited = 0, delay = 100; ; ) {
    try {
      return await leases.withLease(resource, owner, INVOCATION_LEASE_MS, async () => {
        const existing = (await listFolder(docspace, parentId)).folders.sort((a, b) => a.id - b.id);
        const taken = new Set<number>();
        const ids: number[] = [];
        for (const title of titles) {
          const match = existing.find((f) => f.title === title && !taken.has(f.id));
          const id = match?.id ?? (await createFolder(docspace, parentId, title)).id;
          taken.add(id);
          ids.push(id);
        }
        return ids;
      });
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || waited >= FOLDER_LEASE_WAIT_MS) throw error;
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, 2_000);
    }
  }
}
