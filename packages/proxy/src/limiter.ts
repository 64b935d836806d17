/** A global budget for upstream calls: at most `concurrency` in flight and `ratePerSecond` started. */
export interface LimiterOptions {
  /** @default 8 */
  concurrency?: number;
  /** @default 20 */
  ratePerSecond?: number;
}

/** A caller waiting for a slot. */
interface Waiter {
  /** Hands it the slot (already counted) and ends its wait. */
  grant(): void;
}

/**
 * Token bucket plus semaphore. `acquire` waits for a slot, or resolves `false` once `deadline`
 * (ms, by `now`) would pass first. Callers are served first come, first served: a slot that
 * frees goes to the caller that waited longest, at once.
 */
export class Limiter {
  private readonly concurrency: number;
  private readonly rate: number;
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;
  /**
   * Live waiters only, oldest first: a waiter leaves when it is granted a slot or when its
   * deadline passes, so a release always wakes someone who still wants the slot.
   */
  private readonly waiting = new Set<Waiter>();
  /** Wakes the queue when the bucket has its next token (only while a waiter is held by it). */
  private refillTimer: ReturnType<typeof setTimeout> | undefined;

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

  /** Callers waiting for a slot now (for tests and diagnostics). */
  get waitingCount(): number {
    return this.waiting.size;
  }

  acquire(deadline: number): Promise<boolean> {
    this.refill();
    if (this.waiting.size === 0 && this.free()) {
      this.take();
      return Promise.resolve(true);
    }
    // The tokens this caller and those ahead of it need cannot come before the deadline.
    const tokenWait = Math.ceil(((this.waiting.size + 1 - this.tokens) / this.rate) * 1000);
    if (this.now() + Math.max(0, tokenWait) >= deadline) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const expire = () => {
        // Timers and an injected clock can disagree: the deadline is the clock's.
        const left = deadline - this.now();
        if (left > 0) {
          timer = setTimeout(expire, left);
          return;
        }
        this.waiting.delete(waiter);
        resolve(false);
      };
      timer = setTimeout(expire, Math.max(0, deadline - this.now()));
      this.waiting.add(waiter);
      this.pump();
    });
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.pump();
  }

  private free(): boolean {
    return this.inFlight < this.concurrency && this.tokens >= 1;
  }

  private take(): void {
    this.tokens -= 1;
    this.inFlight++;
  }

  /** Grants slots to the oldest waiters while there are any; else waits for the next token. */
  private pump(): void {
    this.refill();
    for (const waiter of this.waiting) {
      if (!this.free()) break;
      this.waiting.delete(waiter);
      this.take();
      waiter.grant();
    }
    if (
      this.waiting.size > 0 &&
      this.inFlight < this.concurrency &&
      this.refillTimer === undefined
    ) {
      this.refillTimer = setTimeout(
        () => {
          this.refillTimer = undefined;
          this.pump();
        },
        Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000)),
      );
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
