// Date rendering and clock-driven waiting.

/** ApiDateTime as DocSpace writes it: seven fractional digits, `Z` for a zero offset. */
export function apiDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-05-14T10:20:30.123Z
  return `${iso.slice(0, 23)}0000Z`;
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
