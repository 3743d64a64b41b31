import type { AbandonedRoom, AbandonedRoomsReport, DeadLetterQueue } from './api';
import { ROOM_TYPES } from '../../docspace/room-types';
import { ago, when } from './format';
import { h, svg } from './dom';

export type SortOrder = 'descending' | 'ascending';

/** Idle-time buckets from the report's threshold up: [N, 30), [30, 60), ... [365, ∞) (edges below N dropped). */
export function idleBuckets(rooms: AbandonedRoom[], inactivityDays: number): Array<{ label: string; from: number; count: number }> {
  const edges = [inactivityDays, ...[30, 60, 90, 180, 365].filter((e) => e > inactivityDays)];
  return edges.map((from, i) => {
    const to = edges[i + 1];
    const count = rooms.filter((r) => r.daysInactive >= from && (to === undefined || r.daysInactive < to)).length;
    return { label: to === undefined ? `${from}+ days` : `${from}–${to - 1} days`, from, count };
  });
}

/** A horizontal bar chart of how long the reported rooms have been idle, as inline SVG (no script, no styles). */
export function idleChart(report: AbandonedRoomsReport): SVGSVGElement {
  const buckets = idleBuckets(report.rooms, report.inactivityDays);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const row = 26;
  const labelWidth = 110;
  const barWidth = 300;
  const width = labelWidth + barWidth + 50;
  const height = buckets.length * row + 8;
  const summary = buckets.map((b) => `${b.label}: ${b.count}`).join(', ');
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `Rooms by days idle. ${summary}`, class: 'chart', 'data-role': 'idle-chart' },
    svg('title', {}, `Rooms by days idle: ${summary}`),
    ...buckets.map((b, i) => {
      const y = 4 + i * row;
      const w = b.count ? Math.max(2, Math.round((barWidth * b.count) / max)) : 0;
      return svg(
        'g',
        { 'data-bucket': b.label, 'data-count': b.count },
        svg('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end', class: 'chart-label' }, b.label),
        svg('rect', { x: labelWidth, y: y + 3, width: w, height: row - 8, rx: 3, class: 'chart-bar' }),
        svg('text', { x: labelWidth + w + 6, y: y + 16, class: 'chart-count' }, String(b.count)),
      );
    }),
  );
}

export function sortRooms(rooms: AbandonedRoom[], order: SortOrder): AbandonedRoom[] {
  const sign = order === 'descending' ? -1 : 1;
  return [...rooms].sort((a, b) => sign * (a.daysInactive - b.daysInactive) || a.title.localeCompare(b.title));
}

export function roomsTable(rooms: AbandonedRoom[], order: SortOrder, onSort: (order: SortOrder) => void): HTMLElement {
  const next: SortOrder = order === 'descending' ? 'ascending' : 'descending';
  return h(
    'table',
    { class: 'rooms' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Room'),
        h('th', { scope: 'col' }, 'Id'),
        h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Last activity'),
        h(
          'th',
          { scope: 'col', 'aria-sort': order, class: 'num' },
          h('button', { type: 'button', class: 'sort', 'data-role': 'sort-days', onclick: () => onSort(next) }, 'Days inactive ', order === 'descending' ? '▼' : '▲'),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...sortRooms(rooms, order).map((r) =>
        h(
          'tr',
          { 'data-room-id': r.id },
          h('td', { class: 'title' }, r.title),
          h('td', {}, String(r.id)),
          h('td', {}, r.roomType === undefined ? '' : (ROOM_TYPES[r.roomType] ?? String(r.roomType))),
          h('td', { title: when(r.updated) }, ago(r.updated)),
          h('td', { class: 'num', 'data-role': 'days' }, String(r.daysInactive)),
        ),
      ),
    ),
  );
}

export function reportView(report: AbandonedRoomsReport | undefined, order: SortOrder, onSort: (order: SortOrder) => void): HTMLElement {
  if (!report) return h('p', { class: 'empty' }, 'No scan has run yet. It runs on its schedule; locally, npm run scan runs it once.');
  const summary = h(
    'p',
    {},
    `${report.rooms.length} room${report.rooms.length === 1 ? '' : 's'} idle for at least ${report.inactivityDays} days, scanned `,
    h('time', { datetime: report.generatedAt, title: when(report.generatedAt) }, ago(report.generatedAt)),
    '.',
  );
  if (!report.rooms.length) return h('div', {}, summary);
  return h('div', { class: 'report' }, summary, idleChart(report), roomsTable(report.rooms, order, onSort));
}

export function deadLetterView(queues: DeadLetterQueue[]): HTMLElement {
  const waiting = queues.reduce((n, q) => n + q.messages, 0);
  return h(
    'div',
    {},
    h(
      'ul',
      { class: 'dlqs' },
      ...queues.map((q) =>
        h(
          'li',
          { class: q.messages ? 'dlq waiting' : 'dlq', 'data-queue': q.name },
          h('span', { class: 'dlq-count', 'data-role': 'count' }, String(q.messages)),
          h('span', { class: 'dlq-name' }, q.name),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      waiting
        ? `${waiting} message${waiting === 1 ? '' : 's'} failed five times and wait in a dead-letter queue: their jobs are not finished. Read them, fix the cause, then redrive (README, Operations).`
        : 'No message waits in a dead-letter queue.',
    ),
  );
}
