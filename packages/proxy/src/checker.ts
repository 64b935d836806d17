import { toMinorUnits } from '@khqr-checkout/khqr';
import type { BakongClient } from './bakong-client.ts';
import { CLOCK_SKEW_MS } from './checkout.ts';
import { ProxyError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { BakongOutcome, BakongTransaction } from './outcome.ts';
import type { CheckoutRecord, CheckoutStatus, ProxyStore, StatusEntry } from './store.ts';

/** What `onPaid` receives: the order's facts, verified against Bakong. No payer account ID. */
export interface PaidEvent {
  md5: string;
  checkoutId: string;
  orderId?: string;
  billNumber?: string;
  /** Minor units (cents, riel), as issued and as Bakong reported. */
  amountMinor: number;
  currency: 'KHR' | 'USD';
  toAccountId: string;
  /** Bakong's transaction hash, for reconciliation (`checkTransactionByHash`). */
  transactionHash: string;
  /** When the payer sent it (Bakong's `createdDateMs`), or when the proxy learned it. */
  paidAt: number;
}

/** Something the merchant's operators should hear about. */
export type ProxyAlert =
  | { type: 'mismatch'; md5: string; checkoutId: string; orderId?: string; problems: string[] }
  | { type: 'unauthorized'; message: string }
  | { type: 'forbidden'; message: string }
  | { type: 'token-expiring'; expiresAt: number; daysLeft: number }
  | { type: 'on-paid-failed'; md5: string; message: string };

/** The answer of one check. */
export interface CheckResult {
  status: CheckoutStatus;
  serverNow: number;
  expiresAt: number;
}

export interface CheckerOptions {
  client: BakongClient;
  store: ProxyStore;
  logger: Logger;
  now: () => number;
  onPaid?: (event: PaidEvent) => void | Promise<void>;
  onAlert?: (alert: ProxyAlert) => void;
  /** How long a "not found" answer is reused, ms. @default 1000 */
  notFoundCacheMs: number;
  /** After expiry, how long a late payment still counts, ms. @default 30000 */
  graceMs: number;
  /** Check pending md5s in bulk through check_transaction_by_md5_list. @default false */
  bulk: boolean;
}

const TERMINAL: CheckoutStatus[] = ['paid', 'failed', 'expired'];
/** How long terminal statuses and records are kept, ms. */
export const RETENTION_MS = 24 * 3600 * 1000;
const LOCK_MS = 15_000;
const PAID_CLAIM_MS = 90 * 24 * 3600 * 1000;
const BULK_WINDOW_MS = 20;
const BULK_COOLDOWN_MS = 5 * 60_000;

/**
 * Decides what a checkout's status is: one upstream call per md5 at a time (across instances when
 * the store is shared), "not found" reused briefly, terminal answers kept, and "paid" only when
 * Bakong's transaction matches what was issued. Fires `onPaid` exactly once per md5.
 */
export class Checker {
  private readonly inFlight = new Map<string, Promise<StatusEntry>>();
  private batch: Array<{ md5: string; resolve: (o: BakongOutcome<BakongTransaction>) => void }> =
    [];
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private bulkOffUntil = 0;

  constructor(private readonly o: CheckerOptions) {}

  /** The status of a registered checkout. */
  async check(record: CheckoutRecord): Promise<CheckResult> {
    const answer = (entry: StatusEntry): CheckResult => ({
      status: entry.status,
      serverNow: this.o.now(),
      expiresAt: record.expiresAt,
    });
    const cached = await this.o.store.getStatus(record.md5);
    if (cached && TERMINAL.includes(cached.status)) return answer(cached);
    const now = this.o.now();
    if (cached && now - cached.checkedAt < this.o.notFoundCacheMs) return answer(cached);
    return answer(await this.singleFlight(record, cached));
  }

  private singleFlight(record: CheckoutRecord, cached: StatusEntry | null): Promise<StatusEntry> {
    const running = this.inFlight.get(record.md5);
    if (running) return running;
    const run = this.crossInstance(record, cached).finally(() => this.inFlight.delete(record.md5));
    this.inFlight.set(record.md5, run);
    return run;
  }

  private async crossInstance(
    record: CheckoutRecord,
    cached: StatusEntry | null,
  ): Promise<StatusEntry> {
    const lock = `lock:${record.md5}`;
    if (!(await this.o.store.claim(lock, LOCK_MS))) {
      // Another instance is asking Bakong: wait briefly for its answer rather than asking twice.
      const started = this.o.now();
      while (this.o.now() - started < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const fresh = await this.o.store.getStatus(record.md5);
        if (fresh && (fresh.checkedAt >= started || TERMINAL.includes(fresh.status))) return fresh;
      }
      return cached ?? { status: 'pending', checkedAt: started };
    }
    try {
      return await this.ask(record);
    } finally {
      await this.o.store.release(lock);
    }
  }

  private async ask(record: CheckoutRecord): Promise<StatusEntry> {
    const outcome = await this.upstream(record.md5);
    const now = this.o.now();
    const settle = async (entry: StatusEntry) => {
      const terminal = TERMINAL.includes(entry.status);
      await this.o.store.setStatus(
        record.md5,
        entry,
        terminal
          ? RETENTION_MS
          : Math.max(this.o.notFoundCacheMs, record.expiresAt + this.o.graceMs - now),
      );
      if (terminal) await this.o.store.settle(record.md5);
      return entry;
    };
    switch (outcome.kind) {
      case 'success': {
        const problems = verifyPayment(record, outcome.data, this.o.graceMs);
        if (problems.length > 0) {
          this.o.logger.warn('payment does not match the checkout', {
            md5: record.md5,
            checkoutId: record.checkoutId,
            problems,
          });
          this.alert({
            type: 'mismatch',
            md5: record.md5,
            checkoutId: record.checkoutId,
            ...(record.orderId ? { orderId: record.orderId } : {}),
            problems,
          });
          return settle({ status: 'failed', checkedAt: now, reason: 'mismatch' });
        }
        const entry = await settle({ status: 'paid', checkedAt: now });
        await this.firePaid(record, outcome.data, now);
        return entry;
      }
      case 'not-found':
        return settle({
          status: now > record.expiresAt + this.o.graceMs ? 'expired' : 'pending',
          checkedAt: now,
        });
      case 'failed':
        return settle({ status: 'failed', checkedAt: now, reason: 'bakong' });
      case 'unauthorized':
        this.alert({
          type: 'unauthorized',
          message: 'Bakong refused the token (401 / errorCode 6): renew it.',
        });
        throw new ProxyError(
          503,
          'upstream_unauthorized',
          'The payment service is not available right now.',
        );
      case 'forbidden':
        this.alert({
          type: 'forbidden',
          message:
            'Bakong answered 403: it only answers Cambodian IP addresses; run the proxy in Cambodia or through a relay there.',
        });
        throw new ProxyError(
          503,
          'upstream_forbidden',
          'The payment service is not available right now.',
        );
      case 'rate-limited':
        throw new ProxyError(
          503,
          'upstream_rate_limited',
          'The payment service is busy; try again shortly.',
          {
            'retry-after': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))),
          },
        );
      default:
        this.o.logger.warn('Bakong check did not answer a status', {
          md5: record.md5,
          outcome: describe(outcome),
        });
        throw new ProxyError(
          502,
          'upstream_error',
          'The payment service did not answer; the status is unknown, try again.',
        );
    }
  }

  private upstream(md5: string): Promise<BakongOutcome<BakongTransaction>> {
    if (!this.o.bulk || this.o.now() < this.bulkOffUntil)
      return this.o.client.checkTransactionByMd5(md5);
    return new Promise((resolve) => {
      this.batch.push({ md5, resolve });
      if (this.batch.length >= 50) this.flush();
      else this.batchTimer ??= setTimeout(() => this.flush(), BULK_WINDOW_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const batch = this.batch.splice(0, 50);
    if (batch.length === 0) return;
    void this.o.client.checkTransactionByMd5List(batch.map((b) => b.md5)).then(async (outcome) => {
      const items =
        outcome.kind === 'success'
          ? new Map(outcome.data.map((item) => [item.md5, item.outcome]))
          : undefined;
      if (!items) {
        // The list endpoint is optional (production has answered it with 403): fall back to single checks.
        this.bulkOffUntil = this.o.now() + BULK_COOLDOWN_MS;
        this.o.logger.warn('bulk check failed; falling back to single checks', {
          outcome: describe(outcome),
        });
      }
      for (const { md5, resolve } of batch) {
        resolve(items?.get(md5) ?? (await this.o.client.checkTransactionByMd5(md5)));
      }
    });
  }

  private async firePaid(
    record: CheckoutRecord,
    transaction: BakongTransaction,
    now: number,
  ): Promise<void> {
    if (!this.o.onPaid) return;
    const claim = `paid:${record.md5}`;
    if (!(await this.o.store.claim(claim, PAID_CLAIM_MS))) return;
    const event: PaidEvent = {
      md5: record.md5,
      checkoutId: record.checkoutId,
      ...(record.orderId === undefined ? {} : { orderId: record.orderId }),
      ...(record.billNumber === undefined ? {} : { billNumber: record.billNumber }),
      amountMinor: record.amountMinor,
      currency: record.currency,
      toAccountId: record.toAccountId,
      transactionHash: transaction.hash,
      paidAt: typeof transaction.createdDateMs === 'number' ? transaction.createdDateMs : now,
    };
    try {
      await this.o.onPaid(event);
    } catch (error) {
      // Let a later check try again, rather than lose the fulfilment.
      await this.o.store.release(claim);
      await this.o.store.setStatus(record.md5, { status: 'pending', checkedAt: 0 }, RETENTION_MS);
      this.o.logger.error('onPaid failed; it will run again on the next check', {
        md5: record.md5,
        error: String((error as Error)?.message ?? error),
      });
      this.alert({
        type: 'on-paid-failed',
        md5: record.md5,
        message: String((error as Error)?.message ?? error),
      });
    }
  }

  private alert(alert: ProxyAlert): void {
    try {
      this.o.onAlert?.(alert);
    } catch {
      // An alert hook must not break a check.
    }
  }
}

/** What differs between the checkout and Bakong's transaction; empty when it is the order paid. */
export function verifyPayment(
  record: CheckoutRecord,
  t: BakongTransaction,
  graceMs: number,
): string[] {
  const problems: string[] = [];
  if (t.currency !== record.currency)
    problems.push(`currency ${t.currency} instead of ${record.currency}`);
  else {
    let paid: number | undefined;
    try {
      paid = toMinorUnits(t.amount, record.currency);
    } catch {
      paid = undefined;
    }
    if (paid !== record.amountMinor)
      problems.push(`amount ${t.amount} instead of ${record.amountMinor} minor units`);
  }
  if (t.toAccountId !== record.toAccountId) problems.push('paid to another account');
  if (typeof t.createdDateMs === 'number') {
    if (
      t.createdDateMs < record.createdAt - CLOCK_SKEW_MS ||
      t.createdDateMs > record.expiresAt + graceMs
    ) {
      problems.push('paid outside the QR lifetime');
    }
  }
  return problems;
}

/** An outcome for a log line: its kind and reason, nothing the answer carried. */
function describe(outcome: BakongOutcome): string {
  if (outcome.kind === 'upstream-error')
    return `upstream-error:${outcome.reason}${outcome.status ? `:${outcome.status}` : ''}`;
  if (outcome.kind === 'unknown' || outcome.kind === 'rejected' || outcome.kind === 'bad-request')
    return `${outcome.kind}:${outcome.errorCode}`;
  return outcome.kind;
}
