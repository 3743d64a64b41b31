import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../lib/backoff';

describe('full-jitter backoff', () => {
  it('doubles the ceiling with every retry up to the cap', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((retry) => fullJitterDelay(retry, 250, 4_000, top))).toEqual([249, 499, 999, 1999, 3999, 3999]);
  });

  it('draws anywhere from zero to the ceiling', () => {
    expect(fullJitterDelay(3, 250, 10_000, () => 0)).toBe(0);
    expect(fullJitterDelay(3, 250, 10_000, () => 0.5)).toBe(500);
  });
});
