import { toMinorUnits } from '@khqr-checkout/khqr';
import type { BakongClient } from './bakong-client.ts';
import { ProxyError } from './errors.ts';
import type { PaidEvent, ProxyAlert } from './events.ts';
import type { CheckoutRow, Ledger } from './ledger.ts';
import type { Logger } from './logger.ts';
import type { BakongOutcome, BakongTransaction } from './outcome.ts';
import type { CrashPoint, Outbox } from './settlement.ts';
import type { CheckoutRecord, CheckoutStatus, ProxyStore } from './store.ts';

/** The answer of one check. */
export interface CheckResult {
  status: CheckoutStatus;
  serverNow: number;
  expiresAt: number;
  /** Bakong cannot be asked for now (its daily quota is spent): the server confirms later. */
  delayed?: true;
}

export interface CheckerOptions {
  client: BakongClient;
  ledger: Ledger;
  /** Coordination only: the cross-instance single-flight lock. */
  store: ProxyStore;
  outbox: Outbox;
  logger: Logger;
  alert: (alert: ProxyAlert) => void;
  crash: (point: CrashPoint) => void | Promise<void>;
  /** How long a "not found" answer is reused, ms. */
  notFoundCacheMs: number;
  /** Check pending md5s in bulk through check_transaction_by_md5_list. */
  bulk: boolean;
}

const LOCK_MS = 15_000;
/** No call for this long after Bakong refused the token. */
const TOKEN_PAUSE_MS = 10 * 60_000;
const PHNOM_PENH_OFFSET_MS = 7 * 3_600_000; // UTC+7 all year

/** The next midnight in Phnom Penh after `now`, when Bakong's daily quota starts again. */
export function nextPhnomPenhMidnight(now: number): number {
  const day = 86_400_000;
  return (Math.floor((now + PHNOM_PENH_OFFSET_MS) / day) + 1) * day - PHNOM_PENH_OFFSET_MS;
}
/**
 * How long after expiry plus grace the server still looks for a payment (every couple of minutes),
 * in case the bank's clock runs behind the proxy's and it accepted the QR a little longer.
 */
export const LATE_WATCH_MS = 5 * 60_000;
/** How long a check that settled a payment waits for its first delivery before answering. */
const DELIVERY_WAIT_MS = 2_000;
const BULK_WINDOW_MS = 20;
const BULK_COOLDOWN_MS = 5 * 60_000;

/**
 * Decides what a checkout's status is, from the ledger and, when it is due, from Bakong: one
 * upstream call per md5 at a time (across instances when the store is shared), "not found"
 * reused briefly, and "paid" only when Bakong's transaction matches what was issued. A verified
 * payment is committed to the ledger with its settlement, then delivered through the outbox.
 */
export class Checker {
  private readonly inFlight = new Map<string, Promise<CheckoutRow>>();
  private batch: Array<{ md5: string; resolve: (o: BakongOutcome<BakongTransaction>) => void }> =
    [];
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private bulkOffUntil = 0;

  constructor(private readonly o: CheckerOptions) {}

  /** What the page is told about a checkout, asking Bakong first when the answer is stale. */
  async check(row: CheckoutRow): Promise<CheckResult> {
    let current = row;
    // Paid and final states answer from the ledger; `failed` ends the page's wait while the
    // server goes on watching (a later success still settles).
    const asking =
      current.watching &&
      (current.state === 'pending' || (current.reconcile && current.state === 'expired'));
    if (asking) {
      const fresh =
        current.checkedAt !== null &&
        this.o.ledger.now() - current.checkedAt < this.o.notFoundCacheMs;
      try {
        if (!fresh) current = await this.refresh(current);
      } catch (error) {
        // While Bakong is paused the page keeps waiting, told why; the server settles later.
        if (!(error instanceof ProxyError && error.code === 'upstream_paused')) throw error;
        return {
          status: current.state,
          serverNow: this.o.ledger.now(),
          expiresAt: current.expiresAt,
          delayed: true,
        };
      }
    }
    return { status: current.state, serverNow: this.o.ledger.now(), expiresAt: current.expiresAt };
  }

  /** Asks Bakong about a watched checkout (one call at a time per md5) and records the answer. */
  refresh(row: CheckoutRow): Promise<CheckoutRow> {
    const running = this.inFlight.get(row.md5);
    if (running) return running;
    const run = this.crossInstance(row).finally(() => this.inFlight.delete(row.md5));
    this.inFlight.set(row.md5, run);
    return run;
  }

  private async crossInstance(row: CheckoutRow): Promise<CheckoutRow> {
    const lock = `lock:${row.md5}`;
    if (!(await this.o.store.claim(lock, LOCK_MS))) {
      // Another instance is asking Bakong: wait briefly for its answer rather than asking twice.
      const started = this.o.ledger.now();
      while (this.o.ledger.now() - started < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const fresh = await this.o.ledger.get(row.md5, true);
        if (fresh && ((fresh.checkedAt ?? 0) >= started || fresh.state === 'paid')) return fresh;
      }
      return row;
    }
    try {
      return await this.ask(row);
    } finally {
      await this.o.store.release(lock);
    }
  }

  private async ask(row: CheckoutRow): Promise<CheckoutRow> {
    const outcome = await this.upstream(row.md5);
    const { ledger } = this.o;
    const now = ledger.now();
    const over = now > row.watchUntil;
    const noted = async (change: Parameters<Ledger['note']>[1]) =>
      (await ledger.note(row.md5, change)) ?? (await ledger.get(row.md5)) ?? row;
    switch (outcome.kind) {
      case 'success':
        return this.paid(row, outcome.data, now);
      case 'not-found':
        // Past expiry plus grace the page is told "expired" (the bank refuses an expired QR by
        // its own clock). The server still looks a few more times, for a bank whose clock runs
        // behind this one; a payment found then settles as late.
        return noted(
          over
            ? {
                state: row.state === 'failed' ? 'failed' : 'expired',
                watching: now <= row.watchUntil + LATE_WATCH_MS,
                reconcile: false,
                checkedAt: now,
              }
            : { checkedAt: now },
        );
      case 'failed':
        // The page's wait ends; the server keeps watching until expiry plus grace, since the
        // same QR may still be paid after a failed attempt.
        return noted({
          state: 'failed',
          reason: 'bakong',
          watching: now <= row.watchUntil + LATE_WATCH_MS,
          reconcile: false,
          checkedAt: now,
        });
      case 'quota-exhausted':
        return this.inconclusive(
          row,
          now,
          new ProxyError(503, 'upstream_paused', 'Payments are confirmed a little later today.'),
        );
      case 'static-qr':
      case 'bad-request': {
        // Permanent for this md5: asking again only spends quota. Nothing is concluded about
        // the payment; an operator looks (a static QR, a wrong base URL or request).
        const problem =
          outcome.kind === 'static-qr'
            ? 'Bakong cannot track this QR by md5 (errorCode 2: static QR).'
            : `Bakong refused the request (${outcome.errorCode === null ? 'HTTP 400/404 without JSON: check BAKONG_BASE_URL' : `errorCode ${outcome.errorCode}`}).`;
        this.o.logger.warn('Bakong refuses to check this md5: no longer asked', {
          md5: row.md5,
          outcome: describe(outcome),
        });
        this.o.alert({
          type: 'upstream-refused',
          md5: row.md5,
          ...(row.orderId ? { orderId: row.orderId } : {}),
          message: problem,
        });
        return noted({ watching: false, checkedAt: now });
      }
      case 'unauthorized':
        // Permanent for the token: no instance asks again for 10 minutes (a renewed token
        // needs a restart anyway), instead of a refused call per page check.
        await ledger.pause('token', now + TOKEN_PAUSE_MS);
        this.o.alert({
          type: 'unauthorized',
          message: 'Bakong refused the token (401 / errorCode 6): renew it.',
        });
        return this.inconclusive(
          row,
          now,
          new ProxyError(
            503,
            'upstream_unauthorized',
            'The payment service is not available right now.',
          ),
        );
      case 'forbidden':
        this.o.alert({
          type: 'forbidden',
          message:
            'Bakong answered 403: it only answers Cambodian IP addresses; run the proxy in Cambodia or through a relay there.',
        });
        return this.inconclusive(
          row,
          now,
          new ProxyError(
            503,
            'upstream_forbidden',
            'The payment service is not available right now.',
          ),
        );
      case 'rate-limited':
        return this.inconclusive(
          row,
          now,
          new ProxyError(
            503,
            'upstream_rate_limited',
            'The payment service is busy; try again shortly.',
            {
              'retry-after': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))),
            },
          ),
        );
      default:
        this.o.logger.warn('Bakong check did not answer a status', {
          md5: row.md5,
          outcome: describe(outcome),
        });
        return this.inconclusive(
          row,
          now,
          new ProxyError(
            502,
            'upstream_error',
            'The payment service did not answer; the status is unknown, try again.',
          ),
        );
    }
  }

  /**
   * Bakong gave no status. Before expiry plus grace the page hears of the trouble (it shows
   * "reconnecting"); after it, the checkout goes to reconciliation: the page is told "expired",
   * the server goes on asking until Bakong answers, and a payment found then still settles.
   */
  private async inconclusive(
    row: CheckoutRow,
    now: number,
    error: ProxyError,
  ): Promise<CheckoutRow> {
    if (now <= row.watchUntil) throw error;
    if (!row.reconcile) {
      this.o.logger.warn('checkout expired without an answer from Bakong: reconciling', {
        md5: row.md5,
      });
      this.o.alert({
        type: 'reconcile',
        md5: row.md5,
        ...(row.orderId ? { orderId: row.orderId } : {}),
        message: `Bakong gave no answer by the QR's expiry (${error.code}); it is asked again until it does.`,
      });
    }
    const state = row.state === 'pending' ? 'expired' : row.state;
    return (await this.o.ledger.note(row.md5, { state, reconcile: true, checkedAt: now })) ?? row;
  }

  private async paid(
    row: CheckoutRow,
    transaction: BakongTransaction,
    now: number,
  ): Promise<CheckoutRow> {
    const { ledger, logger } = this.o;
    const problems = verifyPayment(row, transaction);
    if (problems.length > 0) {
      logger.warn('payment does not match the checkout', {
        md5: row.md5,
        checkoutId: row.checkoutId,
        problems,
      });
      this.o.alert({
        type: 'mismatch',
        md5: row.md5,
        checkoutId: row.checkoutId,
        ...(row.orderId ? { orderId: row.orderId } : {}),
        problems,
      });
      return (
        (await ledger.note(row.md5, {
          state: 'failed',
          reason: 'mismatch',
          watching: false,
          checkedAt: now,
        })) ?? row
      );
    }
    const paidAt = paidTime(transaction) ?? now;
    const late = paidAt > row.watchUntil;
    const event: PaidEvent = {
      id: `evt_${row.md5}`,
      type: 'khqr.paid',
      md5: row.md5,
      checkoutId: row.checkoutId,
      ...(row.orderId === undefined ? {} : { orderId: row.orderId }),
      amountMinor: row.amountMinor,
      currency: row.currency,
      toAccountId: row.toAccountId,
      transactionHash: transaction.hash,
      paidAt,
      late,
      settledAt: now,
    };
    await this.o.crash('answered');
    if (await ledger.settle(event, !this.o.outbox.hasHandler)) {
      logger.info('payment settled', {
        md5: row.md5,
        eventId: event.id,
        ...(row.orderId ? { orderId: row.orderId } : {}),
        ...(late ? { late } : {}),
      });
      const others = row.orderId ? await ledger.otherPaid(row.orderId, row.md5) : [];
      if (row.orderId && others.length > 0) {
        // Settled all the same (the money arrived); the merchant refunds one.
        logger.warn('an order was paid more than once', {
          md5: row.md5,
          orderId: row.orderId,
          otherMd5s: others,
        });
        this.o.alert({
          type: 'duplicate-payment',
          md5: row.md5,
          orderId: row.orderId,
          otherMd5s: others,
        });
      }
      if (late) {
        this.o.alert({
          type: 'late-payment',
          md5: row.md5,
          ...(row.orderId ? { orderId: row.orderId } : {}),
          paidAt,
          expiresAt: row.expiresAt,
        });
      }
      await this.o.crash('committed');
      // Deliver now, so the order is usually marked paid by the time the page hears it; a slow
      // handler (a webhook taking its 10 s) goes on in the background instead of holding the page.
      const delivery = this.o.outbox.deliverNow(event.id).catch((error: unknown) =>
        logger.error('settlement delivery failed to run', {
          md5: row.md5,
          error: String((error as Error)?.message ?? error),
        }),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        delivery,
        new Promise((resolve) => {
          timer = setTimeout(resolve, DELIVERY_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    return (await ledger.get(row.md5)) ?? row;
  }

  private async upstream(md5: string): Promise<BakongOutcome<BakongTransaction>> {
    const pause = await this.o.ledger.paused();
    if (pause)
      return pause.kind === 'quota'
        ? { kind: 'quota-exhausted', errorCode: null }
        : { kind: 'unauthorized' };
    const outcome = await this.call(md5);
    if (outcome.kind === 'quota-exhausted') await this.quotaSpent();
    return outcome;
  }

  /** errorCode 17: every instance stops asking until midnight in Phnom Penh. */
  private async quotaSpent(): Promise<void> {
    const now = this.o.ledger.now();
    const until = nextPhnomPenhMidnight(now);
    const already = await this.o.ledger.paused();
    await this.o.ledger.pause('quota', until);
    if (already?.kind === 'quota') return;
    this.o.logger.warn("Bakong's daily quota for this token is spent: no call until it resets", {
      resetsAt: new Date(until).toISOString(),
    });
    this.o.alert({ type: 'quota-exhausted', resetsAt: until });
  }

  private call(md5: string): Promise<BakongOutcome<BakongTransaction>> {
    if (!this.o.bulk || this.o.ledger.now() < this.bulkOffUntil)
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
        this.bulkOffUntil = this.o.ledger.now() + BULK_COOLDOWN_MS;
        this.o.logger.warn('bulk check failed; falling back to single checks', {
          outcome: describe(outcome),
        });
      }
      for (const { md5, resolve } of batch) {
        const item = items?.get(md5);
        // A missing item, or a success without its transaction, is asked about alone.
        const unconfirmed = item?.kind === 'upstream-error' && item.reason === 'unconfirmed';
        resolve(item && !unconfirmed ? item : await this.o.client.checkTransactionByMd5(md5));
      }
    });
  }
}

/** When the payer sent it, from either spelling Bakong's clients see. */
function paidTime(t: BakongTransaction): number | undefined {
  const at = t.createdDateMs ?? (t as { createDateMs?: unknown }).createDateMs;
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
}

/**
 * What differs between the checkout and Bakong's transaction; empty when it is the order paid.
 * Only money decides (amount, currency, receiving account): the time of a payment never makes it
 * fail, since clocks disagree; a late one is settled and flagged.
 */
export function verifyPayment(record: CheckoutRecord, t: BakongTransaction): string[] {
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
