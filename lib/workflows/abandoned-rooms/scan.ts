import type { RoomListing, RoomSearchArea } from '../../docspace/rooms';
import type { RoomDto, RoomId } from '../../docspace/schemas';
import type { Log } from '../../log';
import type { AbandonedRoom, AbandonedRoomsReport, ReportStore } from '../../reports/store';
import { messageOf } from '../../errors';

/*
 * Workflow 5: a scheduled scan lists every active room (all pages), leaves out archived ones, and reports the
 * rooms nobody has touched for INACTIVITY_DAYS. Optionally it archives them, or says which it would.
 */

const DAY_MS = 86_400_000;
/** Unreadable entries named in a report; more would only say the same thing at greater length. */
const MAX_SKIPPED_IN_REPORT = 100;
/** `rootFolderType` of an archived room (NOTES 3.5); DocSpace has no isArchived field. */
export const ARCHIVE_ROOT = 20;

export type ArchiveMode = 'off' | 'dry-run' | 'on';

export interface ScanRoomsPort {
  /** Rooms with internal or third-party (string) ids; `skipped` names entries that could not be read. */
  listRooms(options: { searchArea: RoomSearchArea }): Promise<RoomListing>;
  /** Archives a room and resolves once DocSpace's file operation has finished and the room is in Archive. */
  archiveRoom(roomId: RoomId): Promise<void>;
}

export class RoomArchiveError extends Error {
  override readonly name = 'RoomArchiveError';
}


export interface AbandonedRoomsDeps {
  rooms: ScanRoomsPort;
  reports: Pick<ReportStore, 'save'>;
  log: Log;
  now?: () => number;
}

export interface AbandonedRoomsSettings {
  inactivityDays: number;
  archive: ArchiveMode;
  /** Archiving stops starting new operations after this long, so the function ends inside its timeout. */
  archiveBudgetMs?: number;
}

export interface ScanSummary {
  generatedAt: string;
  inactivityDays: number;
  roomsScanned: number;
  archivedRoomsSkipped: number;
  abandoned: number;
  archive?: { mode: 'dry-run' | 'on'; archived: number; failed: number };
}

/**
 * Whole days between `updated` and the scan, exactly floor((generatedAt − updated) / 24 h); undefined when the
 * date cannot be read. Date.parse applies the portal's offset but keeps only milliseconds of DocSpace's seven
 * fractional digits, which makes `updated` up to 1 ms early and could add a day right at the boundary. For a
 * whole-millisecond difference d and a dropped remainder 0 < r < 1 ms, floor((d − r) / DAY) = floor((d − 1) / DAY).
 */
export function daysInactive(updated: string, generatedAtMs: number): number | undefined {
  const at = Date.parse(updated);
  if (Number.isNaN(at)) return undefined;
  const dropped = /\.\d{3}\d*[1-9]/.test(updated) ? 1 : 0;
  return Math.floor((generatedAtMs - at - dropped) / DAY_MS);
}

/** The abandoned rooms among `rooms`, longest-inactive first; archived rooms are never listed. */
export function findAbandonedRooms(
  rooms: RoomDto[],
  generatedAtMs: number,
  inactivityDays: number,
  log?: Pick<Log, 'warn'>,
): AbandonedRoom[] {
  const abandoned: AbandonedRoom[] = [];
  for (const room of rooms) {
    if (room.rootFolderType === ARCHIVE_ROOT) continue;
    const updated = [room.updated, room.created].find((d): d is string => typeof d === 'string' && !Number.isNaN(Date.parse(d)));
    if (!updated) {
      log?.warn('room without a readable updated date left out of the report', { roomId: room.id });
      continue;
    }
    const days = daysInactive(updated, generatedAtMs)!;
    if (days < inactivityDays) continue;
    abandoned.push({
      id: room.id,
      title: room.title,
      updated,
      daysInactive: days,
      ...(typeof room.roomType === 'number' ? { roomType: room.roomType } : {}),
    });
  }
  return abandoned.sort((a, b) => b.daysInactive - a.daysInactive || compareIds(a.id, b.id));
}

/** Internal ids by number, third-party (string) ids after them by text. */
function compareIds(a: RoomId, b: RoomId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function scanAbandonedRooms(
  deps: AbandonedRoomsDeps,
  settings: AbandonedRoomsSettings,
): Promise<{ report: AbandonedRoomsReport; summary: ScanSummary }> {
  const now = deps.now ?? Date.now;
  const generatedAtMs = now();
  const rooms = await deps.rooms.listRooms({ searchArea: 'Active' });
  const archivedSkipped = rooms.filter((r) => r.rootFolderType === ARCHIVE_ROOT).length;
  const abandoned = findAbandonedRooms(rooms, generatedAtMs, settings.inactivityDays, deps.log);
  const skipped = (rooms.skipped ?? []).slice(0, MAX_SKIPPED_IN_REPORT);
  if (skipped.length) deps.log.warn('rooms the portal listed that could not be read were left out', { skipped: skipped.length });
  const report: AbandonedRoomsReport = {
    generatedAt: new Date(generatedAtMs).toISOString(),
    inactivityDays: settings.inactivityDays,
    rooms: abandoned,
    ...(skipped.length ? { skipped } : {}),
  };

  if (settings.archive === 'dry-run') {
    report.archive = { mode: 'dry-run', archived: abandoned.map((r) => r.id), failed: [] };
  }
  // The report is stored before anything is archived, so a scan that dies while archiving still leaves it.
  await deps.reports.save(report);

  if (settings.archive === 'on' && abandoned.length > 0) {
    report.archive = await archiveAll(deps, abandoned, now, settings.archiveBudgetMs ?? 200_000);
    await deps.reports.save(report);
  }

  const summary: ScanSummary = {
    generatedAt: report.generatedAt,
    inactivityDays: report.inactivityDays,
    roomsScanned: rooms.length,
    archivedRoomsSkipped: archivedSkipped,
    abandoned: abandoned.length,
    ...(report.archive
      ? { archive: { mode: report.archive.mode, archived: report.archive.archived.length, failed: report.archive.failed.length } }
      : {}),
  };
  deps.log.info('abandoned-rooms scan finished', { ...summary });
  return { report, summary };
}

/** One at a time: archiving is a file operation, and DocSpace runs a user's operations in one queue anyway. */
async function archiveAll(
  deps: AbandonedRoomsDeps,
  rooms: AbandonedRoom[],
  now: () => number,
  budgetMs: number,
): Promise<NonNullable<AbandonedRoomsReport['archive']>> {
  const stopAt = now() + budgetMs;
  const archived: RoomId[] = [];
  const failed: { id: RoomId; reason: string }[] = [];
  for (const room of rooms) {
    if (now() >= stopAt) {
      failed.push({ id: room.id, reason: 'not attempted: the scan ran out of time; the next scan archives it' });
      continue;
    }
    try {
      await deps.rooms.archiveRoom(room.id);
      archived.push(room.id);
    } catch (error) {
      const reason = messageOf(error);
      failed.push({ id: room.id, reason });
      deps.log.warn('could not archive an abandoned room', { roomId: room.id, reason });
    }
  }
  return { mode: 'on', archived, failed };
}
