import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as scan } from '../../functions/abandoned-rooms/handler';
import { lambdaContext } from '../../infra/local/lambda-context';
import { resetConfigCache } from '../../lib/config';
import type { AbandonedRoomsReport } from '../../lib/reports/store';
import { formatReportTable, type ScanSummary } from '../../lib/workflows/abandoned-rooms';
import { startStack, type Stack } from '../support/stack';

/*
 * Workflow 5 end to end: the scheduled function against the simulator (an otherwise empty portal, so the
 * expected report is exactly what the test builds), the report read back through the read API.
 */

const DAY = 86_400_000;
const MINUTE = 60_000;
const context = () => lambdaContext({ functionName: 'docspace-flows-test-abandonedRoomsScan', timeoutSeconds: 300, memoryMB: 512 });
const runScan = () => scan({ source: 'aws.events' }, context()) as Promise<ScanSummary>;

async function latestReport(stack: Stack): Promise<{ statusCode: number; body: AbandonedRoomsReport }> {
  return stack.http(jobsApi, {
    method: 'GET',
    path: '/reports/abandoned-rooms/latest',
    headers: { authorization: `Bearer ${stack.secrets.admin}` },
  });
}

function configure(mode: 'off' | 'dry-run' | 'on', inactivityDays = 10): void {
  process.env.ARCHIVE_ABANDONED_ROOMS = mode;
  process.env.INACTIVITY_DAYS = String(inactivityDays);
  resetConfigCache();
}

describe('abandoned rooms across 350 rooms', () => {
  let stack: Stack;
  const expected: Array<{ id: number; days: number }> = [];
  const archivedIds: number[] = [];

  beforeAll(async () => {
    stack = await startStack({
      simulator: { fixture: undefined, fileOpDurationMs: 20 },
      env: { INACTIVITY_DAYS: '10', ARCHIVE_ABANDONED_ROOMS: 'off' },
    });
    const now = Date.now();
    for (let i = 0; i < 350; i++) {
      // A spread of ages around the threshold, with a margin of minutes so seconds of test time cannot move a day.
      const days = i % 25;
      const offset = i % 3 === 0 ? -MINUTE : 30 * MINUTE; // just under `days` days, or half an hour past them
      const updated = now - days * DAY - offset;
      const archived = i % 7 === 0;
      const id = stack.sim.addRoom({
        title: `Room ${String(i).padStart(3, '0')}`,
        roomType: [1, 2, 5, 6][i % 4],
        area: archived ? 'archive' : 'active',
        created: updated - DAY,
        updated,
      });
      if (archived) archivedIds.push(id);
      const daysInactive = Math.floor((now - updated) / DAY);
      if (!archived && daysInactive >= 10) expected.push({ id, days: daysInactive });
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports exactly the active rooms inactive for INACTIVITY_DAYS or more, reading every page', async () => {
    expect((await latestReport(stack)).statusCode).toBe(404);

    const summary = await runScan();
    expect(summary).toMatchObject({ inactivityDays: 10, roomsScanned: 350 - archivedIds.length, abandoned: expected.length });

    const { statusCode, body: report } = await latestReport(stack);
    expect(statusCode).toBe(200);
    expect(report.inactivityDays).toBe(10);
    expect(report.generatedAt).toBe(summary.generatedAt);
    expect(new Set(report.rooms.map((r) => r.id))).toEqual(new Set(expected.map((e) => e.id)));
    expect(report.rooms).toHaveLength(expected.length);
    for (const room of report.rooms) {
      expect(room.daysInactive, `room ${room.id}`).toBe(expected.find((e) => e.id === room.id)!.days);
      expect(archivedIds).not.toContain(room.id);
      expect(room).toEqual({ id: room.id, title: expect.stringMatching(/^Room \d{3}$/), updated: expect.any(String), daysInactive: room.daysInactive, roomType: expect.any(Number) });
    }
    // 9 days and 23:59 is not abandoned; 10 days and 30 minutes is.
    expect(report.rooms.some((r) => r.daysInactive === 9)).toBe(false);
    expect(report.rooms.some((r) => r.daysInactive === 10)).toBe(true);

    // 350 − 50 archived = 300 active rooms: three full pages of 100 at least, never a page over 100.
    const pages = stack.sim.requestLog().filter((r) => r.method === 'GET' && /\/files\/rooms\?/.test(r.path));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.every((p) => Number(new URL(p.path, 'http://x').searchParams.get('count')) <= 100)).toBe(true);

    const table = formatReportTable(report);
    expect(table.split('\n')).toHaveLength(4 + expected.length);
    expect(stack.sim.mutations()).toEqual([]);
  });

  it('in dry-run lists the rooms it would archive and archives none', async () => {
    configure('dry-run');
    const summary = await runScan();
    const { body: report } = await latestReport(stack);

    expect(summary.archive).toEqual({ mode: 'dry-run', archived: expected.length, failed: 0 });
    expect(new Set(report.archive!.archived)).toEqual(new Set(expected.map((e) => e.id)));
    expect(stack.sim.mutations()).toEqual([]);
  });

  it('when on, archives them (awaited as file operations), after which the next scan finds none', async () => {
    // A higher threshold keeps the number of (sequential) archive operations small.
    configure('on', 24);
    const oldest = expected.filter((e) => e.days >= 24);
    expect(oldest.length).toBeGreaterThan(5);
    const summary = await runScan();
    expect(summary.archive).toEqual({ mode: 'on', archived: oldest.length, failed: 0 });
    const archives = stack.sim.mutations().filter((m) => m.method === 'PUT' && /\/archive$/.test(m.path));
    expect(archives).toHaveLength(oldest.length);
    for (const { id } of oldest) {
      const room = stack.sim.state.folders.get(id)!;
      expect(room.parentId, `room ${id}`).toBe(stack.sim.state.roots.archive);
    }

    configure('off', 24);
    const after = await runScan();
    expect(after).toMatchObject({ abandoned: 0, roomsScanned: 300 - oldest.length });
    expect((await latestReport(stack)).body.rooms).toEqual([]);
  });
});
