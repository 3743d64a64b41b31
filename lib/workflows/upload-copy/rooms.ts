import type { UploadCopyDocSpace } from './docspace-port';

/**
 * Which room a folder is in. Direct uploads into a source room need no request; a subfolder costs one
 * breadcrumb read, after which the folder and every ancestor below the room are cached (folders rarely move
 * between rooms, and an entry expires after ttlMs).
 */
export class RoomResolver {
  private readonly cache = new Map<number, { roomId: number | null; at: number }>();

  constructor(
    private readonly docspace: Pick<UploadCopyDocSpace, 'folderPath'>,
    private readonly options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {}

  async roomOf(folderId: number, knownRooms: ReadonlySet<number>): Promise<number | null> {
    if (knownRooms.has(folderId)) return folderId;
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(folderId);
    if (hit && now - hit.at < (this.options.ttlMs ?? 5 * 60_000)) return hit.roomId;

    const parts = await this.docspace.folderPath(folderId);
    let index = parts.findIndex((p) => knownRooms.has(p.id));
    if (index < 0) index = parts.findIndex((p) => p.roomType != null);
    const roomId = index >= 0 ? parts[index]!.id : null;
    this.remember(folderId, roomId, now);
    if (index >= 0) for (const part of parts.slice(index + 1)) this.remember(part.id, roomId, now);
    return roomId;
  }

  private remember(folderId: number, roomId: number | null, at: number): void {
    if (this.cache.size >= (this.options.maxEntries ?? 10_000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(folderId);
    this.cache.set(folderId, { roomId, at });
  }
}
