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

/** A status as last learned from Bakong. */
export interface StatusEntry {
  status: CheckoutStatus;
  /** When it was learned (ms). */
  checkedAt: number;
  /** Why a checkout failed: Bakong said so, or the payment did not match the order. */
  reason?: 'bakong' | 'mismatch';
}

/**
 * Shared state of one or several proxy instances: registrations, statuses, one-time claims
 * (single-flight locks and the exactly-once `onPaid`), rate-limit counters and the pending set.
 */
export interface ProxyStore {
  /** Registers a checkout unless its md5 is known; resolves whether it was added. */
  addCheckout(record: CheckoutRecord, ttlMs: number): Promise<boolean>;
  getCheckout(md5: string): Promise<CheckoutRecord | null>;
  getStatus(md5: string): Promise<StatusEntry | null>;
  setStatus(md5: string, entry: StatusEntry, ttlMs: number): Promise<void>;
  /** Resolves true for exactly one caller until `ttlMs` passes or the key is released. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Counts a hit in a fixed window; resolves the count so far and the ms until the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  /** md5s of checkouts still pending (for the background sweeper). */
  pending(): Promise<string[]>;
  settle(md5: string): Promise<void>;
  close(): Promise<void>;
}

/** The default store: one process's memory. Several instances need `RedisStore`. */
export class MemoryStore implements ProxyStore {
  private readonly checkouts = new Map<string, { record: CheckoutRecord; until: number }>();
  private readonly statuses = new Map<string, { entry: StatusEntry; until: number }>();
  private readonly claims = new Map<string, number>();
  private readonly hits = new Map<string, { count: number; until: number }>();
  private readonly open = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  async addCheckout(record: CheckoutRecord, ttlMs: number): Promise<boolean> {
    if (this.live(this.checkouts, record.md5)) return false;
    this.checkouts.set(record.md5, { record, until: this.now() + ttlMs });
    this.open.add(record.md5);
    return true;
  }

  async getCheckout(md5: string): Promise<CheckoutRecord | null> {
    return this.live(this.checkouts, md5)?.record ?? null;
  }

  async getStatus(md5: string): Promise<StatusEntry | null> {
    return this.live(this.statuses, md5)?.entry ?? null;
  }

  async setStatus(md5: string, entry: StatusEntry, ttlMs: number): Promise<void> {
    this.statuses.set(md5, { entry, until: this.now() + ttlMs });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const until = this.claims.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.claims.set(key, this.now() + ttlMs);
    return true;
  }

  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const now = this.now();
    let entry = this.hits.get(key);
    if (!entry || entry.until <= now) {
      entry = { count: 0, until: now + windowMs };
      this.hits.set(key, entry);
      if (this.hits.size > 50_000) this.sweep();
    }
    entry.count++;
    return { count: entry.count, resetMs: entry.until - now };
  }

  async pending(): Promise<string[]> {
    return [...this.open].filter((md5) => this.live(this.checkouts, md5));
  }

  async settle(md5: string): Promise<void> {
    this.open.delete(md5);
  }

  async close(): Promise<void> {}

  private live<T extends { until: number }>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.until <= this.now()) {
      map.delete(key);
      this.open.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.hits) if (entry.until <= now) this.hits.delete(key);
  }
}
