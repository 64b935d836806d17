/** The sandbox's clock: a base clock plus an offset that the admin API moves. */
export interface SandboxClock {
  /** Current sandbox time, ms. */
  now(): number;
  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to `ms`. */
  set(ms: number): void;
  /** How far the sandbox clock is from the base clock, ms. */
  readonly offset: number;
}

/** A clock that follows `base` (default `Date.now`) shifted by an adjustable offset. */
export function createClock(base: () => number = Date.now): SandboxClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms) {
      offset += ms;
    },
    set(ms) {
      offset = ms - base();
    },
    get offset() {
      return offset;
    },
  };
}
