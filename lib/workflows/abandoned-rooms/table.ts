import { ROOM_TYPES } from '../../docspace/room-types';
import type { AbandonedRoomsReport } from '../../reports/store';

const TITLE_WIDTH = 48;

function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function clip(text: string, width: number): string {
  const chars = [...clean(text)];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, width - 1).join('')}…`;
}

function shortDate(value: string): string {
  const at = Date.parse(value);
  return Number.isNaN(at) ? value : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What `npm run scan` and `npm run report` print: a plain-text table in the report's order (longest inactive
 *  first), then what archiving did. Titles are user content: control characters are blanked so a title cannot
 *  move the cursor or recolour the operator's terminal. */
export function formatReportTable(report: AbandonedRoomsReport): string {
  const lines: string[] = [];
  const count = report.rooms.length;
  lines.push(
    `Abandoned rooms report, generated ${report.generatedAt}: ${count} room${count === 1 ? '' : 's'} inactive for ${report.inactivityDays} day${report.inactivityDays === 1 ? '' : 's'} or more`,
  );
  if (count > 0) {
    const header = ['ID', 'Title', 'Days inactive', 'Last updated', 'Room type'];
    const rows = report.rooms.map((r) => [
      String(r.id),
      clip(r.title, TITLE_WIDTH),
      String(r.daysInactive),
      shortDate(r.updated),
      r.roomType === undefined ? '' : (ROOM_TYPES[r.roomType] ?? `type ${r.roomType}`),
    ]);
    const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((row) => [...row[i]!].length)));
    const rightAligned = new Set([0, 2]);
    const render = (cells: string[]) =>
      cells
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - [...cell].length);
          return rightAligned.has(i) ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd();
    lines.push('', render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(render));
  }
  const archive = report.archive;
  if (archive) {
    lines.push('');
    if (archive.mode === 'dry-run') {
      lines.push(
        archive.archived.length
          ? `Dry run: would archive ${archive.archived.length} room(s): ${archive.archived.join(', ')}`
          : 'Dry run: nothing to archive',
      );
    } else {
      lines.push(`Archived ${archive.archived.length} room(s)${archive.archived.length ? `: ${archive.archived.join(', ')}` : ''}`);
      for (const f of archive.failed) lines.push(`Not archived: ${f.id} (${clean(f.reason)})`);
    }
  }
  return lines.join('\n');
}
