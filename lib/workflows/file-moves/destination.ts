import { setTimeout as realSleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { DocSpaceError } from '../../docspace/errors';
import { LeaseHeldError, type Leases } from '../../jobs/lease';
import type { FileMovesDocSpace } from './docspace-port';
import { FOLDER_LEASE_WAIT_MS, INVOCATION_LEASE_MS, type FileMoveInput } from './model';


/** The destination root: the Completed folder as it is, or /Archive/<Client> found or created once. */
export async function resolveDestinationRoot(
  docspace: FileMovesDocSpace,
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
  docspace: FileMovesDocSpace,
  leases: Leases,
  parentId: number,
  titles: string[],
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<number[]> {
  const plan = await planMirrors(docspace, leases, parentId, titles.map((title) => ({ title, whole: false as const })), options);
  return plan.map((p) => p.destFolderId!);
}

export interface MirrorPlan {
  /** Set when the folder gets a mirror; absent when it is to be moved whole (no folder of its title is there). */
  destFolderId?: number;
}

/**
 * The reservation of a title under a destination folder by a whole-folder move, from the scan that chose it
 * until the folder has arrived: while it stands, no job creates a folder of that title there (it waits, then
 * finds the moved one). Keyed by the title in lower case, as DocSpace compares titles.
 */
export const titleLease = (parentId: number, title: string) => `folder:${parentId}:title:${title.toLowerCase()}`;
/** Who holds a title reserved for the whole-folder move of one source folder in one run. */
export const treeOwner = (jobId: string, run: number, sourceFolderId: number) => `tree:${jobId}:${run}:${sourceFolderId}`;
/** How long a whole-folder move holds its title from the scan on; renewed by the move step, released after it. */
export const TITLE_RESERVATION_MS = 15 * 60_000;

/**
 * Like ensureFolders, for the subfolders of a source folder: one that may move whole (`whole`, the owner of its
 * move: its title is unique among its siblings) and finds no folder of its title under the parent gets no mirror
 * and a reservation of its title there; the caller moves it with its subtree in one operation. The others are
 * paired with a mirror, found or created.
 */
export async function planMirrors(
  docspace: FileMovesDocSpace,
  leases: Leases,
  parentId: number,
  subfolders: Array<{ title: string; whole: false | string }>,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<MirrorPlan[]> {
  if (subfolders.length === 0) return [];
  const sleep = options.sleep ?? realSleep;
  return underParentLease(leases, parentId, options, async () => {
    let existing = (await docspace.listFolder(parentId)).folders.sort((a, b) => a.id - b.id);
    const taken = new Set<number>();
    const seen = new Set(existing.map((f) => f.id));
    const plan: MirrorPlan[] = [];
    // The titles of folders to move whole are reserved side by side (each one conditional put).
    const reserved = new Set<number>();
    const candidates = subfolders
      .map((f, i) => ({ ...f, i }))
      .filter((f) => f.whole && !existing.some((e) => e.title.toLowerCase() === f.title.toLowerCase()));
    for (let k = 0; k < candidates.length; k += 25) {
      await Promise.all(
        candidates.slice(k, k + 25).map(async (f) => {
          try {
            await leases.acquire(titleLease(parentId, f.title), f.whole as string, TITLE_RESERVATION_MS);
            reserved.add(f.i);
          } catch (error) {
            if (!(error instanceof LeaseHeldError)) throw error;
          }
        }),
      );
    }
    // Pairing in order: the i-th folder of a title takes the i-th oldest folder of that title there.
    const needed: number[] = [];
    for (const [i, { title }] of subfolders.entries()) {
      if (reserved.has(i)) {
        plan[i] = {};
        continue;
      }
      const match = existing.find((f) => f.title === title && !taken.has(f.id));
      if (match) {
        taken.add(match.id);
        plan[i] = { destFolderId: match.id };
      } else needed.push(i);
    }
    if (needed.length > 0) {
      // Another job may be moving a folder of one of these titles in: its reservation is waited for, then the
      // parent listed once more, and only what is still missing is created. Titles side by side (a folder of
      // many same-titled subfolders used to cost a lease, a listing and a create each, one after another); one
      // title's folders one at a time, so a lost create's answer is matched to the folder it made.
      const owner = randomUUID();
      const titles = [...new Set(needed.map((i) => subfolders[i]!.title))];
      const held: string[] = [];
      try {
        // One reservation per title as DocSpace compares them (titleLease lower-cases). Every attempt is let finish
        // before a failure is thrown, so none is still taking a reservation, or creating, after they are released.
        await allSettled(
          [...new Set(titles.map((t) => t.toLowerCase()))].map(async (title) => {
            for (let waited = 0; ; waited += 200) {
              try {
                await leases.acquire(titleLease(parentId, title), owner, INVOCATION_LEASE_MS);
                held.push(title);
                return;
              } catch (error) {
                if (!(error instanceof LeaseHeldError) || waited >= FOLDER_LEASE_WAIT_MS) throw error;
                await sleep(200);
              }
            }
          }),
        );
        existing = (await docspace.listFolder(parentId)).folders.sort((a, b) => a.id - b.id);
        for (const f of existing) seen.add(f.id);
        await allSettled(
          titles.map(async (title) => {
            for (const i of needed.filter((n) => subfolders[n]!.title === title)) {
              let id = existing.find((f) => f.title === title && !taken.has(f.id))?.id;
              if (id === undefined) {
                id = await createFolderOnce(docspace, parentId, title, seen);
                seen.add(id);
              }
              taken.add(id);
              plan[i] = { destFolderId: id };
            }
          }),
        );
      } finally {
        await Promise.all(held.map((title) => leases.release(titleLease(parentId, title), owner)));
      }
    }
    return plan;
  });
}

/**
 * Runs `work` holding the lease on a destination folder's children (the lease ensureFolders takes), waiting a
 * little for another holder: the holder needs one listing and a few creates, or one whole-folder move.
 */
export async function underParentLease<T>(
  leases: Leases,
  parentId: number,
  options: { sleep?: (ms: number) => Promise<void>; holdMs?: number },
  work: () => Promise<T>,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const resource = `folder:${parentId}`;
  const owner = randomUUID();
  for (let waited = 0, delay = 100; ; ) {
    try {
      return await leases.withLease(resource, owner, options.holdMs ?? INVOCATION_LEASE_MS, work);
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || waited >= FOLDER_LEASE_WAIT_MS) throw error;
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, LEASE_POLL_MAX_MS);
    }
  }
}

/** A holder needs a listing and a few creates, or one folder move: a waiter looks again often. */
const LEASE_POLL_MAX_MS = 250;

/**
 * Creates a folder once, even when DocSpace's answer is lost (a 500/502, a timeout, a reset: the folder may or
 * may not exist). The caller holds the parent's lease, so no job of ours creates there meanwhile: a folder of
 * this title that was not there before the attempt is the one it made. Only when the portal shows none is the
 * create sent again.
 */
async function createFolderOnce(docspace: FileMovesDocSpace, parentId: number, title: string, seen: Set<number>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await docspace.createFolder(parentId, title)).id;
    } catch (error) {
      if (!(error instanceof DocSpaceError) || !error.ambiguous || attempt >= 3) throw error;
      const made = (await docspace.listFolder(parentId)).folders
        .filter((f) => f.title === title && !seen.has(f.id))
        .sort((a, b) => a.id - b.id)[0];
      if (made) return made.id;
    }
  }
}

/** Waits for every one of `work`, then throws the first failure, if any. */
async function allSettled(work: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
