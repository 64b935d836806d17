// The upstream Limiter on fake timers: its queue holds live callers only, and a freed slot goes to
// the caller that waited longest, at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Limiter } from './limiter.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('Limiter', () => {
  it('a burst of 200 callers against concurrency 2: every slot handed on at once, in arrival order, and the queue drains to 0', async () => {
    const limiter = new Limiter({ concurrency: 2, ratePerSecond: 1000 });
    const start = Date.now();
    const order: number[] = [];
    const startedAt: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const caller = async (i: number) => {
      if (!(await limiter.acquire(Date.now() + 60_000))) return false;
      order.push(i);
      startedAt.push(Date.now() - start);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(30); // an upstream call of 30 ms
      inFlight--;
      limiter.release();
      return true;
    };
    const all = Promise.all(Array.from({ length: 200 }, (_, i) => caller(i)));
    expect(limiter.waitingCount).toBe(198);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await all).toEqual(Array.from({ length: 200 }, () => true));
    expect(limiter.waitingCount).toBe(0);
    expect(maxInFlight).toBe(2);
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Two at a time, each starting the moment one before it released: 0, 0, 30, 30, 60, …
    expect(startedAt).toEqual(Array.from({ length: 200 }, (_, i) => Math.floor(i / 2) * 30));
  });

  it('a waiter whose deadline passes leaves the queue, and the next release wakes a live one', async () => {
    const limiter = new Limiter({ concurrency: 1, ratePerSecond: 1000 });
    expect(await limiter.acquire(Date.now() + 10_000)).toBe(true);
    const hurried = limiter.acquire(Date.now() + 100);
    let patientAt: number | undefined;
    const patient = limiter.acquire(Date.now() + 10_000).then((ok) => {
      patientAt = Date.now();
      return ok;
    });
    expect(limiter.waitingCount).toBe(2);
    await vi.advanceTimersByTimeAsync(150);
    expect(await hurried).toBe(false);
    expect(limiter.waitingCount).toBe(1);
    const releasedAt = Date.now();
    limiter.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(patientAt).toBe(releasedAt);
    expect(await patient).toBe(true);
    expect(limiter.waitingCount).toBe(0);
  });

  it('a caller that cannot get a slot before its deadline is refused at once, and a waiter for tokens gets one when the bucket refills', async () => {
    const limiter = new Limiter({ concurrency: 5, ratePerSecond: 2 });
    expect(await limiter.acquire(Date.now() + 1000)).toBe(true);
    expect(await limiter.acquire(Date.now() + 1000)).toBe(true);
    // The bucket is empty: the next token comes in 500 ms.
    expect(await limiter.acquire(Date.now() + 100)).toBe(false);
    expect(limiter.waitingCount).toBe(0);
    let gotAt: number | undefined;
    const third = limiter.acquire(Date.now() + 5000).then((ok) => {
      gotAt = Date.now();
      return ok;
    });
    const asked = Date.now();
    await vi.advanceTimersByTimeAsync(1000);
    expect(await third).toBe(true);
    expect(gotAt).toBe(asked + 500);
    expect(limiter.waitingCount).toBe(0);
  });

  it('holds its waiters to an injected clock: a deadline not yet reached on it is not given up on', async () => {
    let clock = 0;
    const limiter = new Limiter({ concurrency: 1, ratePerSecond: 1000 }, () => clock);
    expect(await limiter.acquire(1000)).toBe(true);
    const waiting = limiter.acquire(1000);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    // Timers run on while the injected clock stands still.
    await vi.advanceTimersByTimeAsync(5000);
    expect(settled).toBe(false);
    clock = 2000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(await waiting).toBe(false);
    expect(limiter.waitingCount).toBe(0);
  });
});
