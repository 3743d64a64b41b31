import type { UploadCopyDocSpace } from './docspace-port';

/** Where a folder is: its room (null outside any room) and the folders from that room down to it. */
export interface FolderLocation {
  roomId: number | null;
  /** Ids from the room (first) down to the folder itself (last); just the folder when it is in no room. */
  path: number[];
}

/**
 * Which room a folder is in, and through which folders. Direct uploads into a source room need no request; a
 * subfolder costs one breadcrumb read, after which the folder and every ancestor below the room are cached
 * (folders rarely move between rooms, and an entry expires after ttlMs).
 */
export class RoomResolver {
  private readonly cache = new Map<number, { location: FolderLocation; at: number }>();

  constructor(
    private readonly docspace: Pick<UploadCopyDocSpace, 'folderPath'>,
    private readonly options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {}

  async roomOf(folderId: number, knownRooms: ReadonlySet<number>): Promise<number | null> {
    return (await this.locate(folderId, knownRooms)).roomId;
  }

  async locate(folderId: number, knownRooms: ReadonlySet<number>): Promise<FolderLocation> {
    if (knownRooms.has(folderId)) return { roomId: folderId, path: [folderId] };
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(folderId);
    if (hit && now - hit.at < (this.options.ttlMs ?? 5 * 60_000)) return hit.location;

    const parts = await this.docspace.folderPath(folderId);
    let index = parts.findIndex((p) => knownRooms.has(p.id));
    if (index < 0) index = parts.findIndex((p) => p.roomType != null);
    if (index < 0) {
      const location = { roomId: null, path: [folderId] };
      this.remember(folderId, location, now);
      return location;
    }
    const ids = parts.map((p) => p.id);
    const roomId = ids[index]!;
    for (let i = index; i < ids.length; i++) this.remember(ids[i]!, { roomId, path: ids.slice(index, i + 1) }, now);
    // The breadcrumbs end with the folder itself; should a portal leave it out, it still gets its entry.
    const path = ids[ids.length - 1] === folderId ? ids.slice(index) : [...ids.slice(index), folderId];
    const location = { roomId, path };
    this.remember(folderId, location, now);
    return location;
  }

  private remember(folderId: number, location: FolderLocation, at: number): void {
    if (this.cache.size >= (this.options.maxEntries ?? 10_000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(folderId);
    this.cache.set(folderId, { location, at });
  }
}
