/*
 * Workflow 5, abandoned rooms: a schedule (functions/abandoned-rooms/handler.ts, abandonedRoomsScan) scans every
 * active room and stores a report (scan.ts), served at GET /reports/abandoned-rooms/latest and printed by
 * `npm run scan` / `npm run report` (table.ts). DocSpace is reached through the scan's port (docspace-port.ts).
 */
export { docspaceScanRooms } from './docspace-port';
export {
  ARCHIVE_ROOT,
  RoomArchiveError,
  daysInactive,
  findAbandonedRooms,
  scanAbandonedRooms,
  type AbandonedRoomsDeps,
  type AbandonedRoomsSettings,
  type ArchiveMode,
  type ScanRoomsPort,
  type ScanSummary,
} from './scan';
export { formatReportTable } from './table';
