import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../../lib/docspace/limiter';

describe('the adaptive concurrency cap', () => {
  it('starts at its ceiling and halves on a 429, counting the 429s of one burst once', async () => {
    const limit = new AdaptiveLimit(16);
    expect(limit.limit).toBe(16);
    const burst = await Promise.all(Array.from({ length: 16 }, () => limit.acquire()));
    for (const release of burst.slice(0, 5)) release('rate-limited');
    expect(limit.limit).toBe(8);
    for (const release of burst.slice(5)) release('failed');
    // A request sent under the halved cap that is still refused halves it again.
    (await limit.acquire())('rate-limited');
    expect(limit.limit).toBe(4);
    expect(limit.decreases).toBe(2);
  });

  it('grows back by one slot per cap-full of answers, never past its ceiling', async () => {
    const limit = new AdaptiveLimit(4);
    (await limit.acquire())('rate-limited');
    (await limit.acquire())('rate-limited');
    expect(limit.limit).toBe(1);
    const succeed = async (n: number) => {
      for (let i = 0; i < n; i += 1) (await limit.acquire())('ok');
    };
    await succeed(1);
    expect(limit.limit).toBe(2);
    await succeed(2);
    expect(limit.limit).toBe(2);
    await succeed(1);
    expect(limit.limit).toBe(3);
    await succeed(100);
    expect(limit.limit).toBe(4);
  });

  it('never lets more requests in than the current cap, in the order they asked', async () => {
    const limit = new AdaptiveLimit(2);
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const release = await limit.acquire();
        order.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        release('ok');
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(limit.maxObserved).toBe(2);
  });

  it('admits fewer once halved, even with requests already waiting', async () => {
    const limit = new AdaptiveLimit(4);
    const held = await Promise.all(Array.from({ length: 4 }, () => limit.acquire()));
    let admitted = 0;
    const waiting = Array.from({ length: 4 }, () =>
      limit.acquire().then(async (release) => {
        admitted++;
        await new Promise((resolve) => setTimeout(resolve, 0));
        release('ok');
      }),
    );
    held[0]!('rate-limited');
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Cap 2 with 3 still in flight: nobody new gets in.
    expect(admitted).toBe(0);
    held[1]!('failed');
    held[2]!('failed');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(admitted).toBe(1);
    held[3]!('failed');
    await Promise.all(waiting);
    expect(admitted).toBe(4);
    expect(limit.inFlight).toBe(0);
  });
});
