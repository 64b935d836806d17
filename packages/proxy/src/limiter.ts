/** A global budget for upstream calls: at most `concurrency` in flight and `ratePerSecond` started. */
export interface LimiterOptions {
  /** @default 8 */
  concurrency?: number;
  /** @default 20 */
  ratePerSecond?: number;
}

/**
 * Token bucket plus semaphore. `acquire` waits for a slot, or resolves `false` once `deadline`
 * (ms, by `now`) would pass first.
 */
export class Limiter {
  private readonly concurrency: number;
  private readonly rate: number;
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;
  private readonly waiting: Array<() => void> = [];

  constructor(
    options: LimiterOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.rate = options.ratePerSecond ?? 20;
    if (!(this.concurrency >= 1) || !(this.rate > 0))
      throw new Error('[khqr-proxy] Upstream budget: concurrency ≥ 1 and ratePerSecond > 0.');
    this.tokens = this.rate;
    this.refilledAt = now();
  }

  async acquire(deadline: number): Promise<boolean> {
    for (;;) {
      this.refill();
      if (this.inFlight < this.concurrency && this.tokens >= 1) {
        this.tokens -= 1;
        this.inFlight++;
        return true;
      }
      const wait =
        this.inFlight >= this.concurrency ? 50 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      if (this.now() + wait > deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiting.push(done);
      });
    }
  }

  release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
