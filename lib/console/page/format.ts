import type { Progress } from './api';
import { ROOM_TYPES } from '../../docspace/room-types';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

export function when(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : absolute.format(date);
}

/** "3 min ago", for scanning a list; the exact time is in the cell's title. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return iso;
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}

/** Share of the work that is settled (moved or failed); a finished job with nothing to do is 100 %. */
export function percent(progress: Progress | undefined, finished: boolean): number | undefined {
  const total = progress?.total ?? 0;
  if (total <= 0) return finished ? 100 : undefined;
  return Math.min(100, Math.floor((100 * ((progress?.done ?? 0) + (progress?.failed ?? 0))) / total));
}

export function progressText(progress: Progress | undefined, finished: boolean): string {
  const pct = percent(progress, finished);
  if (!progress || progress.total <= 0) return pct === undefined ? 'counting…' : `${pct} %`;
  const failed = progress.failed ? `, ${progress.failed} failed` : '';
  return `${pct} % (${progress.done}/${progress.total}${failed})`;
}

/** A business key as "dealId D-7 · clientName Acme"; values are shown as text by the caller. */
export function keyText(key: Record<string, unknown> | undefined): string {
  if (!key) return '';
  return Object.entries(key)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

