/**
 * Exponential backoff with full jitter (a uniform wait between 0 and min(cap, base × 2^(retry−1))): many
 * Lambdas retrying the same rate-limited service spread out instead of coming back in step.
 * `retry` counts from 1 (the first retry after the first failure).
 */
export function fullJitterDelay(retry: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (retry - 1)));
}
