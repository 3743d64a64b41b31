// Date rendering and clock-driven waiting.

/** The time zone of a real portal's REST dates unless a test says otherwise: NOTES 1's example offset. */
export const DEFAULT_TZ_OFFSET_MINUTES = 180;

/**
 * ApiDateTime as DocSpace writes it (NOTES 1): portal-local time with seven fractional digits and its offset,
 * `2025-05-14T13:20:30.1230000+03:00`, or `Z` when the portal's offset is 0.
 */
export function apiDate(ms: number, offsetMinutes: number = DEFAULT_TZ_OFFSET_MINUTES): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString(); // the wall clock, written as if UTC
  if (offsetMinutes === 0) return `${local.slice(0, 23)}0000Z`;
  const abs = Math.abs(offsetMinutes);
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 23)}0000${zone}`;
}

/** System.Text.Json's DateTime form (trailing fractional zeros dropped), used in webhook bodies. */
export function jsonDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** `event.createOn` is UTC truncated to whole seconds. */
export function secondsDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Resolves after ms (a real, unref'd timer); rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
