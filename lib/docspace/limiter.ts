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
