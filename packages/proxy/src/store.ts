import type { KhqrCurrency } from '@khqr-checkout/khqr';

/** What the proxy knows of a QR it issued (server) or accepted (browser). */
export interface CheckoutRecord {
  md5: string;
  qr: string;
  checkoutId: string;
  source: 'server' | 'browser';
  /** Amount in minor units (USD cents, whole riel): compared exactly, never as floats. */
  amountMinor: number;
  currency: KhqrCurrency;
  /** The receiving Bakong account written in the QR. */
  toAccountId: string;
  createdAt: number;
  expiresAt: number;
  orderId?: string;
  billNumber?: string;
}

/** The browser-facing status of a checkout. */
export type CheckoutStatus = 'pending' | 'paid' | 'failed' | 'expired';

/**
 * Coordination between proxy instances: single-flight locks and rate-limit counters. It is never
 * the only copy of a checkout or a settlement: those live in the ledger. Losing it (a Redis
 * restart, eviction) costs at most a duplicate Bakong call or a reset rate limit.
 */
export interface ProxyStore {
  /** Resolves true for exactly one caller until `ttlMs` passes or the key is released. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Counts a hit in a fixed window; resolves the count so far and the ms until the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  /** What is wrong with the store, for `/health`; null when nothing is. */
  problem?(): Promise<string | null>;
  close(): Promise<void>;
}

/** Expired locks and windows are dropped at most this often, on the next call after it. */
const SWEEP_MS = 60_000;
/** Rate-limit windows held at most: beyond it the oldest go first (a reset limit, nothing worse). */
const MAX_WINDOWS = 100_000;

/** The default store: one process's memory. Several instances share a `RedisStore`. */
export class MemoryStore implements ProxyStore {
  private readonly claims = new Map<string, number>();
  /** Windows in the order they started: a new window moves its key to the end. */
  private readonly hits = new Map<string, { count: number; until: number }>();
  private sweptAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.sweptAt = now();
  }

  /** Locks and rate-limit windows held now, expired ones included until the next sweep. */
  get size(): { claims: number; windows: number } {
    return { claims: this.claims.size, windows: this.hits.size };
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    this.sweepIfDue(now);
    const until = this.claims.get(key);
    if (until !== undefined && until > now) return false;
    this.claims.set(key, now + ttlMs);
    return true;
  }

  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const now = this.now();
    this.sweepIfDue(now);
    let entry = this.hits.get(key);
    if (!entry || entry.until <= now) {
      entry = { count: 0, until: now + windowMs };
      this.hits.delete(key);
      this.hits.set(key, entry);
      if (this.hits.size > MAX_WINDOWS) this.hits.delete(this.hits.keys().next().value as string);
    }
    entry.count++;
    return { count: entry.count, resetMs: entry.until - now };
  }

  async close(): Promise<void> {}

  /** Drops what expired, once a minute at most: a key never asked for again must not stay. */
  private sweepIfDue(now: number): void {
    if (now - this.sweptAt >= SWEEP_MS || now < this.sweptAt) this.sweep(now);
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, until] of this.claims) if (until <= now) this.claims.delete(key);
    for (const [key, entry] of this.hits) if (entry.until <= now) this.hits.delete(key);
  }
}
