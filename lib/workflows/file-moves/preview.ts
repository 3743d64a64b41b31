import { DocSpaceError } from '../../docspace/errors';
import type { FileMovesDocSpace, FolderListing } from './docspace-port';
import { PAGE_SIZE } from '../../docspace/paginate';
import { CHUNK_SIZE, SCAN_ENTRIES, TREE_GROUP_FOLDERS, type FileMoveInput } from './model';

/** What a file-move job would do, found by reading DocSpace only (POST /previews/...). */
export interface FileMovePreview {
  source: { folderId: number; title: string };
  /** The folder the source's content goes into: Completed, or /Archive/<Client> (null when it would be created). */
  destination: { folderId: number | null; title: string; exists: boolean };
  /** Files, and folders below the source (the source itself not counted), that would move. */
  files: number;
  folders: number;
  /** Folders the job would create, as paths relative to the destination's parent (/Archive) or to Completed. */
  foldersToCreate: string[];
  /** Folders the job would move with their whole subtree in one operation (same relative paths): nothing is created
   *  for them or below them. */
  foldersMovedWhole: string[];
  /** Files that would be placed beside a same-titled file already in the destination (same relative paths). */
  besideSameTitle: string[];
  /**
   * Deals with a guestUserId: the guest is removed from the client room once the last file has moved, so they
   * lose access if they have it now (hasAccessNow null: the room's members could not be read).
   */
  guest: { userId: string; roomId: number; hasAccessNow: boolean | null; losesAccess: boolean } | null;
  /** About how many DocSpace requests the job would make (listing pages, moves and their polls, folders, revoke). */
  docspaceCalls: { reads: number; writes: number };
  /** How many DocSpace requests (all reads) this preview made. */
  previewReads: number;
}

/** A folder the job would start from cannot be read; `field` names the body field that points at it. */
export class UnreadableFolderError extends Error {
  override readonly name = 'UnreadableFolderError';
  constructor(readonly field: string, readonly folderId: number, readonly status: number | undefined) {
    super(`${field} ${folderId} cannot be read (DocSpace answered ${status ?? 'nothing'})`);
  }
}

const pagesOf = (listing: FolderListing) => Math.max(1, Math.ceil((listing.files.length + listing.folders.length) / PAGE_SIZE));

/**
 * Walks the source and the destination as the engine would pair them (scan.ts, destination.ts): the source's
 * content goes into the destination root; a subfolder whose title no sibling shares and that finds no folder of
 * its title in the destination moves whole (move-folder.ts); the i-th source subfolder of any other title, in id
 * order, takes the i-th oldest destination folder of that title or a new one; a file whose title is already in
 * its destination folder is placed beside it. Only GET requests: nothing is created, moved or revoked.
 */
export async function previewFileMove(
  docspace: FileMovesDocSpace,
  input: FileMoveInput,
  fields: { source: string; destination: string },
): Promise<FileMovePreview> {
  let previewReads = 0;
  let reads = 1; // the run's start reads the source's path
  let writes = 0;
  const listed = new Map<number, FolderListing>();
  const list = async (folderId: number, field?: string): Promise<FolderListing> => {
    const known = listed.get(folderId);
    if (known) return known;
    let listing: FolderListing;
    try {
      listing = await docspace.listFolder(folderId);
    } catch (error) {
      if (field && error instanceof DocSpaceError && (error.status === 403 || error.status === 404)) {
        throw new UnreadableFolderError(field, folderId, error.status);
      }
      throw error;
    }
    previewReads += pagesOf(listing);
    listed.set(folderId, listing);
    return listing;
  };

  const source = await list(input.sourceFolderId, fields.source);
  const foldersToCreate: string[] = [];
  const foldersMovedWhole: string[] = [];
  const besideSameTitle: string[] = [];
  let files = 0;
  let folders = 0;

  let destRootId: number | undefined;
  let destTitle: string;
  let base = '';
  if (input.destination.kind === 'folder') {
    const root = await list(input.destination.folderId, fields.destination);
    destRootId = input.destination.folderId;
    destTitle = root.current?.title ?? `folder ${input.destination.folderId}`;
  } else {
    const parent = await list(input.destination.parentId, fields.destination);
    reads += pagesOf(parent);
    const title = input.destination.title;
    destRootId = parent.folders.filter((f) => f.title === title).sort((a, b) => a.id - b.id)[0]?.id;
    destTitle = title;
    base = `${title}/`;
    if (destRootId === undefined) {
      foldersToCreate.push(title);
      writes += 1;
    }
  }

  const walk = async (from: FolderListing, destId: number | undefined, path: string): Promise<void> => {
    const dest = destId === undefined ? undefined : await list(destId);
    files += from.files.length;
    reads += pagesOf(from);
    const chunks = Math.ceil(from.files.length / CHUNK_SIZE);
    // Each chunk: one move, at least one poll of the operation, one listing of the folder to verify.
    writes += chunks;
    reads += chunks * (1 + pagesOf(from));
    const taken = new Set((dest?.files ?? []).map((f) => f.title));
    for (const file of from.files) if (taken.has(file.title)) besideSameTitle.push(`${path}${file.title}`);

    const subfolders = [...from.folders].sort((a, b) => a.id - b.id);
    if (subfolders.length && dest) reads += pagesOf(dest);
    const existing = [...(dest?.folders ?? [])].sort((a, b) => a.id - b.id);
    const lower = (title: string) => title.toLowerCase();
    const titleCount = new Map<string, number>();
    for (const f of subfolders) titleCount.set(lower(f.title), (titleCount.get(lower(f.title)) ?? 0) + 1);
    // A folder listed in batches mirrors all its subfolders (scan.ts).
    const batched = from.files.length + from.folders.length > SCAN_ENTRIES;
    const movesWhole = (title: string) =>
      !batched && titleCount.get(lower(title)) === 1 && !existing.some((e) => lower(e.title) === lower(title));
    const whole = subfolders.filter((sub) => movesWhole(sub.title));
    // Siblings move together, a group per operation; each subtree is listed before and after the move.
    writes += Math.ceil(whole.length / TREE_GROUP_FOLDERS);
    const used = new Set<number>();
    await Promise.all([
      ...whole.map(async (sub) => {
        foldersMovedWhole.push(`${path}${sub.title}`);
        await count(await list(sub.id));
      }),
      ...subfolders
        .filter((sub) => !movesWhole(sub.title))
        .map(async (sub) => {
          const match = existing.find((f) => f.title === sub.title && !used.has(f.id));
          if (match) used.add(match.id);
          else {
            foldersToCreate.push(`${path}${sub.title}`);
            writes += 1;
          }
          folders += 1;
          await walk(await list(sub.id), match?.id, `${path}${sub.title}/`);
        }),
    ]);
  };
  /** A subtree that moves whole: its files and folders count, and the engine lists it before and after. */
  const count = async (folder: FolderListing): Promise<void> => {
    folders += 1;
    files += folder.files.length;
    reads += 2 * pagesOf(folder);
    await Promise.all(folder.folders.map(async (sub) => count(await list(sub.id))));
  };
  await walk(source, destRootId, base);
  // The finalizer lists the whole source again before closing the job (and revoking the guest).
  reads += folders + 1;
  let guest: FileMovePreview['guest'] = null;
  if (input.guest) {
    writes += 1;
    let hasAccessNow: boolean | null = null;
    try {
      const members = await docspace.listRoomMembers(input.guest.roomId);
      previewReads += 1;
      hasAccessNow = members.some((m) => m.userId === input.guest!.userId && m.access !== 0);
    } catch (error) {
      if (!(error instanceof DocSpaceError && (error.status === 403 || error.status === 404))) throw error;
    }
    guest = { userId: input.guest.userId, roomId: input.guest.roomId, hasAccessNow, losesAccess: hasAccessNow !== false };
  }

  return {
    source: { folderId: input.sourceFolderId, title: source.current?.title ?? `folder ${input.sourceFolderId}` },
    destination: { folderId: destRootId ?? null, title: destTitle, exists: destRootId !== undefined },
    files,
    folders,
    foldersToCreate: foldersToCreate.sort(),
    foldersMovedWhole: foldersMovedWhole.sort(),
    besideSameTitle: besideSameTitle.sort(),
    guest,
    docspaceCalls: { reads, writes },
    previewReads,
  };
}
