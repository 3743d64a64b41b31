/**
 * A FIFO counting semaphore. DocSpace rejects (429, no queue) a user's 51st concurrent GET and 16th concurrent
 * write, and every Lambda shares the key owner's limits, so each process keeps well below them by queueing here
 * instead of at the server.
 */
export class Semaphore {
  #available: number;
  readonly #waiters: Array<() => void> = [];
  #inFlight = 0;
  #maxObserved = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`semaphore capacity must be a positive integer, got ${capacity}`);
    this.#available = capacity;
  }

  /** Resolves with a release function once a slot is free; release is idempotent. */
  async acquire(): Promise<() => void> {
    if (this.#available > 0) {
      this.#available -= 1;
    } else {
      // The releaser hands its slot straight to us, so `#available` is not touched on this path.
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#inFlight += 1;
    this.#maxObserved = Math.max(this.#maxObserved, this.#inFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#available += 1;
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Highest number of holders seen at once (for tests and diagnostics). */
  get maxObserved(): number {
    return this.#maxObserved;
  }
}

export type Outcome = 'ok' | 'rate-limited' | 'failed';

/**
 * A concurrency cap that adapts (AIMD, as TCP does): it starts at `max`, grows by one slot per `limit` answers
 * that went through, and halves on a 429 — once per burst: only a request sent after the last halving can halve
 * it again (the others were sent under the old cap and say nothing new).
 *
 * Why adaptive rather than fixed: every Lambda of the bundle shares the key owner's 15 writes and 50 reads
 * (NOTES 2.4), but no process knows what the others are doing. A fixed split has to assume every function is busy
 * at once, so file moves alone would use 6 of 15 writes; a budget leased through DynamoDB would cost a round trip
 * per request (or a lease that a frozen Lambda holds while idle). DocSpace's own limiter rejects excess at once
 * (QueueLimit 0: nothing is done, nothing queued, and a rejected request does not count in the 1500/min window),
 * so a 429 is a cheap, exact signal that the bundle together is at the limit. Each function's ceiling (`max`
 * times its processes) fits the whole budget on its own; when several run, their 429s shrink them to a share.
 */
export class AdaptiveLimit {
  #limit: number;
  #inFlight = 0;
  #maxObserved = 0;
  /** Bumped at each halving; a lease remembers the epoch it was granted in. */
  #epoch = 0;
  readonly #waiters: Array<() => void> = [];
  readonly #min: number;
  #decreases = 0;

  constructor(
    readonly max: number,
    options: { min?: number } = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`limit must be a positive integer, got ${max}`);
    this.#limit = max;
    this.#min = Math.max(1, Math.min(max, options.min ?? 1));
  }

  /** The current cap (whole slots). */
  get limit(): number {
    return Math.floor(this.#limit);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get maxObserved(): number {
    return this.#maxObserved;
  }

  /** How many times the limit was halved (diagnostics, benchmarks). */
  get decreases(): number {
    return this.#decreases;
  }

  /** Resolves once a slot is free under the current cap, with a release that reports how the request went. */
  async acquire(): Promise<(outcome: Outcome) => void> {
    if (this.#inFlight >= this.limit || this.#waiters.length > 0) {
      // The releaser counts the slot for us before waking us (#wake), so nobody slips in between.
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#inFlight += 1;
    }
    this.#maxObserved = Math.max(this.#maxObserved, this.#inFlight);
    const epoch = this.#epoch;
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      this.#record(outcome, epoch);
      this.#wake();
    };
  }

  #record(outcome: Outcome, epoch: number): void {
    if (outcome === 'ok') {
      this.#limit = Math.min(this.max, this.#limit + 1 / this.#limit);
    } else if (outcome === 'rate-limited' && epoch === this.#epoch) {
      this.#epoch += 1;
      this.#limit = Math.max(this.#min, this.#limit / 2);
      this.#decreases += 1;
    }
  }

  #wake(): void {
    while (this.#waiters.length > 0 && this.#inFlight < this.limit) {
      this.#inFlight += 1;
      this.#waiters.shift()!();
    }
  }
}
