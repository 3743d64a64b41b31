import { describe, expect, it } from 'vitest';
import type { FolderDto } from '../../../lib/docspace/schemas';
import type { AbandonedRoomsReport } from '../../../lib/reports/store';
import {
  daysInactive,
  findAbandonedRooms,
  formatReportTable,
  scanAbandonedRooms,
  type ScanRoomsPort,
} from '../../../lib/workflows/abandoned-rooms';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 8, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const room = (id: number, updated: string, extra: Partial<FolderDto> = {}): FolderDto =>
  ({ id, title: `Room ${id}`, updated, rootFolderType: 14, roomType: 2, ...extra }) as FolderDto;

describe('days inactive', () => {
  it('counts whole days: exactly N days is N, one millisecond less is N − 1', () => {
    expect(daysInactive(iso(NOW - 10 * DAY), NOW)).toBe(10);
    expect(daysInactive(iso(NOW - 10 * DAY + 1), NOW)).toBe(9);
    expect(daysInactive(iso(NOW - 10 * DAY - 1), NOW)).toBe(10);
    expect(daysInactive(iso(NOW), NOW)).toBe(0);
  });

  it('reads DocSpace dates with seven fractional digits and a portal offset', () => {
    // 10:00 at +03:00 is 07:00 UTC, one hour before NOW, ten days earlier.
    expect(daysInactive('2026-11-20T10:00:00.0000000+03:00', NOW)).toBe(10);
    expect(daysInactive('2026-11-20T12:00:00.0000000+03:00', NOW)).toBe(9);
  });

  it('does not let the digits below a millisecond, which Date.parse drops, add a day at the boundary', () => {
    // 100 ns short of ten days is nine days, in UTC and in portal-local time alike.
    expect(daysInactive('2026-11-20T08:00:00.0000001Z', NOW)).toBe(9);
    expect(daysInactive('2026-11-20T11:00:00.0000001+03:00', NOW)).toBe(9);
    expect(daysInactive('2026-11-20T03:29:59.9999999-04:30', NOW)).toBe(10);
    expect(daysInactive('2026-11-20T11:00:00.0000000+03:00', NOW)).toBe(10);
    expect(findAbandonedRooms([room(1, '2026-11-20T11:00:00.0000001+03:00')], NOW, 10)).toEqual([]);
  });

  it('counts a date after the scan (clock skew) as negative days, never abandoned, and an unreadable one as unknown', () => {
    expect(daysInactive(iso(NOW + DAY), NOW)).toBe(-1);
    expect(findAbandonedRooms([room(1, iso(NOW + DAY))], NOW, 1)).toEqual([]);
    expect(daysInactive('yesterday', NOW)).toBeUndefined();
  });
});

describe('finding abandoned rooms', () => {
  it('lists rooms at or past the threshold, longest-inactive first, and none below it', () => {
    const rooms = [
      room(1, iso(NOW - 10 * DAY)),
      room(2, iso(NOW - 10 * DAY + 1)),
      room(3, iso(NOW - 400 * DAY)),
      room(4, iso(NOW - 3 * DAY)),
    ];
    expect(findAbandonedRooms(rooms, NOW, 10)).toEqual([
      { id: 3, title: 'Room 3', updated: iso(NOW - 400 * DAY), daysInactive: 400, roomType: 2 },
      { id: 1, title: 'Room 1', updated: iso(NOW - 10 * DAY), daysInactive: 10, roomType: 2 },
    ]);
  });

  it('never lists an archived room (rootFolderType 20), however old', () => {
    const rooms = [room(1, iso(NOW - 90 * DAY), { rootFolderType: 20 }), room(2, iso(NOW - 90 * DAY))];
    expect(findAbandonedRooms(rooms, NOW, 10).map((r) => r.id)).toEqual([2]);
  });

  it('falls back to the creation date when a room has no updated date, and leaves out a room with neither', () => {
    const warnings: unknown[] = [];
    const rooms = [
      { id: 5, title: 'No update', created: iso(NOW - 30 * DAY), rootFolderType: 14 } as FolderDto,
      { id: 6, title: 'No dates', rootFolderType: 14 } as FolderDto,
    ];
    const found = findAbandonedRooms(rooms, NOW, 10, { warn: (m, e) => warnings.push({ m, e }) });
    expect(found).toEqual([{ id: 5, title: 'No update', updated: iso(NOW - 30 * DAY), daysInactive: 30 }]);
    expect(warnings).toHaveLength(1);
  });
});

function fakeRooms(rooms: FolderDto[], failIds: Array<number | string> = []) {
  const archived: Array<number | string> = [];
  const areas: string[] = [];
  const port: ScanRoomsPort = {
    listRooms: async ({ searchArea }) => {
      areas.push(searchArea);
      return rooms;
    },
    archiveRoom: async (id) => {
      if (failIds.includes(id)) throw new Error('Access denied');
      archived.push(id);
    },
  };
  return { port, archived, areas };
}

const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

describe('the scan', () => {
  const rooms = [room(1, iso(NOW - 40 * DAY)), room(2, iso(NOW - 2 * DAY)), room(3, iso(NOW - 50 * DAY), { rootFolderType: 20 }), room(4, iso(NOW - 12 * DAY))];

  it('reads active rooms, stores the report and returns a summary', async () => {
    const { port, areas, archived } = fakeRooms(rooms);
    const saved: AbandonedRoomsReport[] = [];
    const { report, summary } = await scanAbandonedRooms(
      { rooms: port, reports: { save: async (r) => void saved.push(structuredClone(r)) }, log: quietLog, now: () => NOW },
      { inactivityDays: 10, archive: 'off' },
    );
    expect(areas).toEqual(['Active']);
    expect(report).toEqual({
      generatedAt: iso(NOW),
      inactivityDays: 10,
      rooms: [
        { id: 1, title: 'Room 1', updated: iso(NOW - 40 * DAY), daysInactive: 40, roomType: 2 },
        { id: 4, title: 'Room 4', updated: iso(NOW - 12 * DAY), daysInactive: 12, roomType: 2 },
      ],
    });
    expect(saved).toEqual([report]);
    expect(summary).toEqual({ generatedAt: iso(NOW), inactivityDays: 10, roomsScanned: 4, archivedRoomsSkipped: 1, abandoned: 2 });
    expect(archived).toEqual([]);
  });

  it('in dry-run lists what it would archive and archives nothing', async () => {
    const { port, archived } = fakeRooms(rooms);
    const { report, summary } = await scanAbandonedRooms(
      { rooms: port, reports: { save: async () => undefined }, log: quietLog, now: () => NOW },
      { inactivityDays: 10, archive: 'dry-run' },
    );
    expect(report.archive).toEqual({ mode: 'dry-run', archived: [1, 4], failed: [] });
    expect(summary.archive).toEqual({ mode: 'dry-run', archived: 2, failed: 0 });
    expect(archived).toEqual([]);
  });

  it('when on, archives each abandoned room and records the ones DocSpace refused', async () => {
    const { port, archived } = fakeRooms(rooms, [4]);
    const saved: AbandonedRoomsReport[] = [];
    const { report } = await scanAbandonedRooms(
      { rooms: port, reports: { save: async (r) => void saved.push(structuredClone(r)) }, log: quietLog, now: () => NOW },
      { inactivityDays: 10, archive: 'on' },
    );
    expect(archived).toEqual([1]);
    expect(report.archive).toEqual({ mode: 'on', archived: [1], failed: [{ id: 4, reason: 'Access denied' }] });
    // Stored before archiving (so a crash mid-way keeps it) and again with the outcome.
    expect(saved).toHaveLength(2);
    expect(saved[0]!.archive).toBeUndefined();
    expect(saved[1]!.archive).toEqual(report.archive);
  });

  it('reports a third-party room (string id) like any other and names the entries it could not read, scanning on', async () => {
    const listing = Object.assign(
      [room(1, iso(NOW - 40 * DAY)), { ...room(2, '2026-10-01T11:00:00.0000000+03:00'), id: 'box-5' } as unknown as FolderDto],
      { skipped: [{ id: 'box-7', reason: 'title: Invalid input' }] },
    );
    const archived: Array<number | string> = [];
    const port: ScanRoomsPort = { listRooms: async () => listing, archiveRoom: async (id) => void archived.push(id) };
    const { report, summary } = await scanAbandonedRooms({ rooms: port, reports: { save: async () => undefined }, log: quietLog, now: () => NOW }, { inactivityDays: 10, archive: 'on' });
    expect(report.rooms.map((r) => [r.id, r.daysInactive])).toEqual([
      ['box-5', 60],
      [1, 40],
    ]);
    expect(report.skipped).toEqual([{ id: 'box-7', reason: 'title: Invalid input' }]);
    expect(archived).toEqual(['box-5', 1]);
    expect(summary).toMatchObject({ roomsScanned: 2, abandoned: 2 });
  });

  it('stops starting archive operations when its time budget is spent, and says so', async () => {
    let t = NOW;
    const port: ScanRoomsPort = {
      listRooms: async () => rooms,
      archiveRoom: async () => {
        t += 5_000;
      },
    };
    const { report } = await scanAbandonedRooms(
      { rooms: port, reports: { save: async () => undefined }, log: quietLog, now: () => t },
      { inactivityDays: 10, archive: 'on', archiveBudgetMs: 4_000 },
    );
    expect(report.archive!.archived).toEqual([1]);
    expect(report.archive!.failed).toEqual([{ id: 4, reason: expect.stringContaining('ran out of time') }]);
  });
});

describe('the table', () => {
  it('prints one aligned row per room with its days, date and type', () => {
    const text = formatReportTable({
      generatedAt: '2026-11-30T08:00:00.000Z',
      inactivityDays: 10,
      rooms: [
        { id: 7, title: 'Acme merger (P-1)', updated: '2026-10-01T10:20:30.0000000+03:00', daysInactive: 59, roomType: 2 },
        { id: 12345, title: 'Q1', updated: '2026-11-19T08:00:00Z', daysInactive: 11, roomType: 5 },
      ],
    });
    expect(text).toBe(
      [
        'Abandoned rooms report, generated 2026-11-30T08:00:00.000Z: 2 rooms inactive for 10 days or more',
        '',
        '   ID  Title              Days inactive  Last updated          Room type',
        '-----  -----------------  -------------  --------------------  -------------',
        '    7  Acme merger (P-1)             59  2026-10-01 07:20 UTC  Collaboration',
        '12345  Q1                            11  2026-11-19 08:00 UTC  Custom',
      ].join('\n'),
    );
  });

  it('clips long titles and strips line breaks so every row stays on one line', () => {
    const text = formatReportTable({
      generatedAt: '2026-11-30T08:00:00.000Z',
      inactivityDays: 10,
      rooms: [{ id: 1, title: `Line one\nline two ${'x'.repeat(80)}`, updated: '2026-11-01T00:00:00Z', daysInactive: 29 }],
    });
    const row = text.split('\n').at(-1)!;
    expect(row).toContain('Line one line two');
    expect(row).toContain('…');
    expect(text.split('\n')).toHaveLength(5);
  });

  it('says plainly when nothing is abandoned, and what a dry run would archive', () => {
    expect(formatReportTable({ generatedAt: '2026-11-30T08:00:00.000Z', inactivityDays: 1, rooms: [] })).toBe(
      'Abandoned rooms report, generated 2026-11-30T08:00:00.000Z: 0 rooms inactive for 1 day or more',
    );
    const dry = formatReportTable({
      generatedAt: '2026-11-30T08:00:00.000Z',
      inactivityDays: 10,
      rooms: [{ id: 3, title: 'Old', updated: '2026-01-01T00:00:00Z', daysInactive: 333, roomType: 1 }],
      archive: { mode: 'dry-run', archived: [3], failed: [] },
    });
    expect(dry.split('\n').at(-1)).toBe('Dry run: would archive 1 room(s): 3');
  });
});
