// Fault injection and DocSpace's per-user rate limiter (NOTES 2.4). Every API request draws the same number of
// random values in the same order, so a seed replays the same faults for the same request sequence.
import { seededRandom } from './rng';
import type { Faults } from './types';

export const defaultFaults = (): Faults => ({
  rate429: 0,
  next429: 0,
  retryAfter429: undefined,
  rate5xx: 0,
  hangRate: 0,
  hangMs: 0,
  hangBeforeHandling: false,
  latencyMs: 0,
  failFileIds: [],
  enforceUserLimits: false,
  failNextTemplates: 0,
});

export interface Draw {
  proxyError?: 502 | 503 | 504;
  rateLimited: boolean;
  hang: boolean;
}

export type Admission = { ok: true; release(): void } | { ok: false; limit: number };

const limits = { gets: 50, writes: 15, perMinute: 1500 };

export class FaultInjector {
  faults: Faults = defaultFaults();
  private random: () => number;
  private readonly inFlight = new Map<string, { gets: number; writes: number }>();
  private readonly window = new Map<string, number[]>();

  constructor(private readonly seed: number) {
    this.random = seededRandom(seed);
  }

  set(partial: Partial<Faults>): void {
    this.faults = { ...this.faults, ...partial, failFileIds: [...(partial.failFileIds ?? this.faults.failFileIds)] };
  }

  reset(initial: Partial<Faults> = {}): void {
    this.faults = defaultFaults();
    this.set(initial);
    this.random = seededRandom(this.seed);
    this.inFlight.clear();
    this.window.clear();
  }

  draw(): Draw {
    const [r5xx, rStatus, r429, rHang] = [this.random(), this.random(), this.random(), this.random()];
    const f = this.faults;
    let rateLimited = r429 < f.rate429;
    if (f.next429 > 0) {
      f.next429--;
      rateLimited = true;
    }
    return {
      proxyError: r5xx < f.rate5xx ? ([502, 503, 504] as const)[Math.floor(rStatus * 3)] : undefined,
      rateLimited,
      hang: rHang < f.hangRate,
    };
  }

  /** The limiter chain: sliding window, then concurrency. QueueLimit is 0, so excess is rejected at once. */
  admit(userId: string, isGet: boolean, now: number): Admission {
    if (!this.faults.enforceUserLimits) return { ok: true, release: () => undefined };
    const stamps = (this.window.get(userId) ?? []).filter((t) => t > now - 60_000);
    this.window.set(userId, stamps);
    if (stamps.length >= limits.perMinute) return { ok: false, limit: limits.perMinute };
    const c = this.inFlight.get(userId) ?? { gets: 0, writes: 0 };
    this.inFlight.set(userId, c);
    if (isGet ? c.gets >= limits.gets : c.writes >= limits.writes) {
      return { ok: false, limit: isGet ? limits.gets : limits.writes };
    }
    stamps.push(now);
    if (isGet) c.gets++;
    else c.writes++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        if (isGet) c.gets--;
        else c.writes--;
      },
    };
  }

  /** Consumes one pending template failure, if any. */
  takeTemplateFailure(): boolean {
    if (this.faults.failNextTemplates > 0) {
      this.faults.failNextTemplates--;
      return true;
    }
    return false;
  }
}
