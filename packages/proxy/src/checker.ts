import { toMinorUnits } from '@khqr-checkout/khqr';
import type { BakongClient } from './bakong-client.ts';
import { Budget, type CallKind } from './budget.ts';
import { ProxyError } from './errors.ts';
import type { PaidEvent, ProxyAlert } from './events.ts';
import {
  type CheckoutRow,
  type Ledger,
  nextPhnomPenhMidnight,
  type UpstreamPause,
} from './ledger.ts';
import type { Logger } from './logger.ts';
import {
  type BakongOutcome,
  type BakongTransaction,
  type UpstreamClass,
  upstreamClass,
} from './outcome.ts';
import type { CrashPoint, Outbox } from './settlement.ts';
import type { CheckoutRecord, CheckoutStatus, ProxyStore } from './store.ts';

/** The answer of one check. */
export interface CheckResult {
  status: CheckoutStatus;
  serverNow: number;
  expiresAt: number;
  /**
   * Bakong cannot be asked for now (its daily quota or the day's budget is spent, or it is out):
   * the server confirms later, also with the page closed.
   */
  delayed?: true;
  /** When it was paid (ms, server clock), for the card's receipt. */
  paidAt?: number;
}

export interface CheckerOptions {
  client: BakongClient;
  ledger: Ledger;
  /** Coordination only: the cross-instance single-flight lock, signal caps. */
  store: ProxyStore;
  outbox: Outbox;
  logger: Logger;
  alert: (alert: ProxyAlert) => void;
  crash: (point: CrashPoint) => void | Promise<void>;
  /** How long a "not found" answer is reused, ms. */
  notFoundCacheMs: number;
  /** Check pending md5s in bulk through check_transaction_by_md5_list. */
  bulk: boolean;
  /** Bakong calls allowed a Phnom Penh day, or null: unlimited until errorCode 17 teaches one. */
  dailyBudget: number | null;
}

const LOCK_MS = 15_000;
/** No call for this long after Bakong refused the token. */
const TOKEN_PAUSE_MS = 10 * 60_000;
/**
 * How long after expiry plus grace the server still looks for a payment (every couple of minutes),
 * in case the bank's clock runs behind the proxy's and it accepted the QR a little longer.
 */
export const LATE_WATCH_MS = 5 * 60_000;
/** How long a check that settled a payment waits for its first delivery before answering. */
const DELIVERY_WAIT_MS = 2_000;
/** Calls wanted within this window share one md5_list call. */
const BATCH_WINDOW_MS = 20;
/** With a daily budget, signals wait this long for others to share their call. */
const SIGNAL_WINDOW_MS = 300;
/** How long the list endpoint is left alone after it refused a call. */
const LIST_COOLDOWN_MS = 5 * 60_000;
/** Bakong's limit of md5s in one list call. */
const LIST_MAX = 50;
/** Pages of browser-made QRs start a list call this often at most, all of them together. */
const BROWSER_PAGE_MS = 5_000;
/** A signal is honoured only when the last answer about its md5 is at least this old. */
const SIGNAL_FRESH_MS = 1_000;
/** Signals honoured per md5 in an hour (a QR lives 10 minutes at most). */
export const SIGNALS_PER_MD5 = 3;
/** Signals (and deep links) honoured per client address in an hour. */
export const SIGNALS_PER_CLIENT = 10;

/** What the page tells the server, on a check, about the customer. */
export type CheckSignal = 'paid' | 'visible';

/**
 * An answer, `deferred`: the budget did not let the call go, nothing was learned, or `paused`: no
 * call was made, a pause is in force (never a reason to extend it: only Bakong's own answers are).
 */
type Outcome =
  | BakongOutcome<BakongTransaction>
  | { kind: 'deferred' }
  | { kind: 'paused'; pause: UpstreamPause['kind'] };
interface Waiter {
  row: CheckoutRow;
  kind: CallKind;
  resolve: (outcome: Outcome) => void;
}
const PRIORITY: CallKind[] = ['probe', 'paced', 'final', 'expiry', 'page', 'signal'];

/**
 * Decides what a checkout's status is. Pages read what the server knows; the server decides when
 * Bakong is asked (see {@link Budget}): for every open checkout at once through
 * `check_transaction_by_md5_list` (single checks while that endpoint is refused), promptly on a
 * page's signal, on the pacing clock, and, with no daily budget, as fast as pages poll. One call
 * per md5 at a time (across instances when the store is shared); "paid" only when Bakong's
 * transaction matches what was issued. A verified payment is committed to the ledger with its
 * settlement, then delivered through the outbox.
 */
export class Checker {
  readonly budget: Budget;
  /** Bakong's last answer, of any call: what `/health` reports between probes. */
  lastAnswer: { at: number; upstream: UpstreamClass } | undefined;
  private readonly inFlight = new Map<string, Promise<CheckoutRow>>();
  private waiting: Waiter[] = [];
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private listOffUntil = 0;
  private limited = false;
  /** When each server-made QR's page last asked (no budget). */
  private readonly pageAskedAt = new Map<string, number>();
  private exhaustedAlertUntil = Number.NEGATIVE_INFINITY;
  /** When a browser QR's page last started a call. */
  private browserCallAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: CheckerOptions) {
    this.budget = new Budget(o.ledger, o.dailyBudget);
  }

  /**
   * What the page is told about a checkout. Bakong is asked first only when the server wants an
   * answer now: on a signal, or (with no daily budget) when a server-made QR's last answer is
   * over a second old.
   */
  async check(row: CheckoutRow, signal?: CheckSignal, client = 'unknown'): Promise<CheckResult> {
    let current = row;
    // Paid and final states answer from the ledger; `failed` ends the page's wait while the
    // server goes on watching (a later success still settles).
    const open =
      current.watching &&
      (current.state === 'pending' || (current.reconcile && current.state === 'expired'));
    let delayed = false;
    if (open) {
      const kind = await this.wanted(current, signal, client);
      try {
        if (kind) current = await this.refresh(current, kind);
      } catch (error) {
        // While Bakong is paused or out, the page keeps waiting, told why; the server settles later.
        if (!(error instanceof ProxyError && error.code === 'upstream_paused')) throw error;
        delayed = true;
      }
      if (!delayed && current.state === 'pending') delayed = await this.paused();
    }
    const paidAt = current.state === 'paid' ? await this.o.ledger.paidAt(current.md5) : null;
    return {
      status: current.state,
      serverNow: this.o.ledger.now(),
      expiresAt: current.expiresAt,
      ...(delayed ? { delayed: true as const } : {}),
      ...(paidAt !== null ? { paidAt } : {}),
    };
  }

  /** Why a page's check should ask Bakong now, or null: it reads what the server knows. */
  private async wanted(
    row: CheckoutRow,
    signal: CheckSignal | undefined,
    client: string,
  ): Promise<CallKind | null> {
    const age =
      row.checkedAt === null ? Number.POSITIVE_INFINITY : this.o.ledger.now() - row.checkedAt;
    const { limit } = await this.budget.state();
    this.limited = limit !== null;
    // Signals are capped per md5 and per client, so neither a page nor a stranger rotating over
    // many md5s can spend the budget.
    if (
      signal &&
      age >= SIGNAL_FRESH_MS &&
      (await this.o.store.hit(`signal:${row.md5}`, 3_600_000)).count <= SIGNALS_PER_MD5 &&
      (await this.o.store.hit(`signal-client:${client}`, 3_600_000)).count <= SIGNALS_PER_CLIENT
    )
      return 'signal';
    if (this.limited) {
      // The page is there at expiry plus grace: its verdict (paid or expired) is asked for once,
      // within pacing's share, so a customer who paid without saying so is not told "expired".
      // Server-made QRs only: anyone can make browser QRs.
      const now = this.o.ledger.now();
      const final =
        row.source === 'server' && now > row.watchUntil && (row.checkedAt ?? 0) <= row.watchUntil;
      return final ? 'expiry' : null;
    }
    // Anyone can make a browser QR: their pages start one list call each 5 s at most, all of
    // them together (the call carries the stalest open checkouts), never a call of their own.
    if (row.source === 'browser') {
      const now = this.o.ledger.now();
      if (!this.listOn() || age < BROWSER_PAGE_MS || now - this.browserCallAt < BROWSER_PAGE_MS)
        return null;
      this.browserCallAt = now;
      return 'page';
    }
    // A page's own cadence: its check asks when this page's last ask is over notFoundCacheMs
    // old, even if another page's call carried the md5 since (that answer may predate the
    // payment by up to that long, and would cost this page a whole poll interval).
    const now = this.o.ledger.now();
    const asked = this.pageAskedAt.get(row.md5) ?? Number.NEGATIVE_INFINITY;
    if (age < this.o.notFoundCacheMs && now - asked < this.o.notFoundCacheMs) return null;
    this.pageAskedAt.delete(row.md5);
    this.pageAskedAt.set(row.md5, now);
    // Oldest first (each ask re-inserts): an entry past notFoundCacheMs no longer matters.
    for (const [md5, at] of this.pageAskedAt) {
      if (now - at < this.o.notFoundCacheMs && this.pageAskedAt.size <= 20_000) break;
      this.pageAskedAt.delete(md5);
    }
    return 'page';
  }

  /** Bakong cannot be asked now (quota, refused token, budget spent): confirmation comes later. */
  private async paused(): Promise<boolean> {
    if (await this.o.ledger.paused()) return true;
    return (await this.budget.state()).exhausted;
  }

  /**
   * The scheduler's own round, every sweeper interval: with no budget, every checkout nobody
   * asked about lately (a closed tab still settles; past expiry, a late look or a reconciliation
   * every 2 minutes); with one, every open checkout when the pacing clock allows a call.
   */
  async sweep(intervalMs: number): Promise<void> {
    const { ledger } = this.o;
    const now = ledger.now();
    const { limit } = await this.budget.state();
    this.limited = limit !== null;
    let rows: CheckoutRow[];
    let kind: CallKind = 'paced';
    if (limit === null) rows = await ledger.due(now, intervalMs, 120_000);
    else {
      rows = await ledger.due(now, 0, 0, LIST_MAX);
      // Nothing is spent while no checkout is open.
      if (rows.length === 0) return;
      if (rows.some((r) => now > r.watchUntil && (r.checkedAt ?? 0) <= r.watchUntil))
        kind = 'final';
      if (!(await this.budget.due(kind))) return;
    }
    await Promise.all(rows.map((row) => this.refresh(row, kind).catch(() => undefined)));
  }

  /** Asks Bakong about a watched checkout (one call at a time per md5) and records the answer. */
  refresh(row: CheckoutRow, kind: CallKind = 'page'): Promise<CheckoutRow> {
    const running = this.inFlight.get(row.md5);
    if (running) return running;
    const run = this.crossInstance(row, kind).finally(() => this.inFlight.delete(row.md5));
    this.inFlight.set(row.md5, run);
    return run;
  }

  private async crossInstance(row: CheckoutRow, kind: CallKind): Promise<CheckoutRow> {
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
      return await this.record(row, await this.upstream(row, kind));
    } finally {
      await this.o.store.release(lock);
    }
  }

  /** Records what Bakong answered about one checkout. */
  private async record(row: CheckoutRow, outcome: Outcome): Promise<CheckoutRow> {
    const { ledger } = this.o;
    const now = ledger.now();
    const over = now > row.watchUntil;
    const noted = async (change: Parameters<Ledger['note']>[1]) =>
      (await ledger.note(row.md5, change)) ?? (await ledger.get(row.md5)) ?? row;
    switch (outcome.kind) {
      case 'deferred':
        return row;
      case 'paused':
        // No call went out: the page hears why, and the pause stays as Bakong's answer set it.
        return this.inconclusive(
          row,
          now,
          outcome.pause === 'quota'
            ? new ProxyError(503, 'upstream_paused', 'Payments are confirmed a little later today.')
            : new ProxyError(
                503,
                'upstream_unauthorized',
                'The payment service is not available right now.',
              ),
        );
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
        // Permanent for the token: no instance with this token asks again for 10 minutes,
        // instead of a refused call per page check. Only Bakong's own 401 sets the pause (checks
        // meanwhile make no call, so cannot extend it); a restart with a renewed token ignores it.
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
      default:
        // An outage (5xx, timeout, 429, an answer without a status): the page keeps waiting,
        // told that confirmation comes later; the scheduler asks again on its clock.
        this.o.logger.warn('Bakong check did not answer a status', {
          md5: row.md5,
          outcome: describe(outcome),
        });
        return this.inconclusive(
          row,
          now,
          new ProxyError(503, 'upstream_paused', 'Bakong did not answer; it is asked again.'),
        );
    }
  }

  /**
   * Bakong gave no status. Before expiry plus grace the page hears of it (an outage or the quota:
   * it keeps waiting, told confirmation comes later; a refused token or network: 503); after it, the checkout goes to reconciliation: the page is told "expired",
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

  /** Queues a checkout for the next call; resolves with Bakong's answer about it. */
  private async upstream(row: CheckoutRow, kind: CallKind): Promise<Outcome> {
    const pause = await this.o.ledger.paused();
    if (pause) return { kind: 'paused', pause: pause.kind };
    return new Promise((resolve) => {
      this.waiting.push({ row, kind, resolve });
      if (this.waiting.length >= LIST_MAX) this.flush();
      else
        this.waitTimer ??= setTimeout(
          () => this.flush(),
          kind === 'signal' && this.limited ? SIGNAL_WINDOW_MS : BATCH_WINDOW_MS,
        );
    });
  }

  private listOn(): boolean {
    return this.o.bulk && this.o.ledger.now() >= this.listOffUntil;
  }

  private flush(): void {
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    const batch = this.waiting.splice(0, LIST_MAX);
    if (batch.length === 0) return;
    if (this.waiting.length > 0) this.waitTimer = setTimeout(() => this.flush(), BATCH_WINDOW_MS);
    this.send(batch).catch((error: unknown) => {
      this.o.logger.error('a Bakong call failed to run', {
        error: String((error as Error)?.message ?? error),
      });
      for (const w of batch) w.resolve({ kind: 'upstream-error', reason: 'network' });
    });
  }

  /** One call for the batch (a list call with every other open checkout riding along), or singles. */
  private async send(batch: Waiter[]): Promise<void> {
    const kind = batch.reduce<CallKind>(
      (k, w) => (PRIORITY.indexOf(w.kind) > PRIORITY.indexOf(k) ? w.kind : k),
      'probe',
    );
    if (!this.listOn()) return this.singles(batch, kind);
    if (!(await this.take(kind))) {
      for (const w of batch) w.resolve({ kind: 'deferred' });
      return;
    }
    const riders = await this.riders(batch);
    try {
      await this.list(batch, riders, kind);
    } finally {
      // Whatever failed on the way, no rider is left waiting (its md5 would stay in flight).
      for (const w of riders) w.resolve({ kind: 'deferred' });
    }
  }

  private async list(batch: Waiter[], riders: Waiter[], kind: CallKind): Promise<void> {
    const outcome = await this.o.client.checkTransactionByMd5List(
      [...batch, ...riders].map((w) => w.row.md5),
    );
    await this.observe(outcome);
    if (outcome.kind !== 'success') {
      if (isListRefusal(outcome)) {
        // The list endpoint is optional (production has answered it with 403): single checks
        // for what was asked, and no list call for a while.
        this.listOffUntil = this.o.ledger.now() + LIST_COOLDOWN_MS;
        this.o.logger.warn('bulk check refused; falling back to single checks', {
          outcome: describe(outcome),
        });
        for (const w of riders) w.resolve({ kind: 'deferred' });
        return this.singles(batch, kind);
      }
      for (const w of [...batch, ...riders]) w.resolve(outcome);
      return;
    }
    const items = new Map(outcome.data.map((item) => [item.md5, item.outcome]));
    const unanswered: Waiter[] = [];
    for (const w of [...batch, ...riders]) {
      const item = items.get(w.row.md5);
      // A missing item, or a success without its transaction, is asked about alone.
      const unconfirmed = item?.kind === 'upstream-error' && item.reason === 'unconfirmed';
      if (item && !unconfirmed) w.resolve(item);
      else if (batch.includes(w) || unconfirmed) unanswered.push(w);
      else w.resolve({ kind: 'deferred' });
    }
    if (unanswered.length > 0) await this.singles(unanswered, kind);
  }

  /**
   * Other open checkouts, to fill the list call (it costs the same for 1 md5 or 50); each is
   * recorded like any asked one, under the same one-call-per-md5 rule.
   */
  private async riders(batch: Waiter[]): Promise<Waiter[]> {
    const room = LIST_MAX - batch.length;
    if (room <= 0) return [];
    const asked = new Set(batch.map((w) => w.row.md5));
    const rows = (
      await this.o.ledger.due(this.o.ledger.now(), 0, 0, room + asked.size + this.inFlight.size)
    )
      .filter((row) => !asked.has(row.md5) && !this.inFlight.has(row.md5))
      .slice(0, room);
    return rows.map((row) => {
      let resolve: (outcome: Outcome) => void = () => undefined;
      const answered = new Promise<Outcome>((r) => {
        resolve = r;
      });
      const run = answered
        .then((outcome) => this.record(row, outcome))
        .catch(() => row)
        .finally(() => this.inFlight.delete(row.md5));
      this.inFlight.set(row.md5, run);
      return { row, kind: 'paced' as const, resolve };
    });
  }

  /** Single checks, each counted; with a budget a paced round asks only the stalest one. */
  private async singles(batch: Waiter[], kind: CallKind): Promise<void> {
    const asked =
      this.limited && (kind === 'paced' || kind === 'final') ? batch.slice(0, 1) : batch;
    for (const w of batch) if (!asked.includes(w)) w.resolve({ kind: 'deferred' });
    await Promise.all(
      asked.map(async (w) => {
        if (!(await this.take(kind))) return w.resolve({ kind: 'deferred' });
        const outcome = await this.o.client.checkTransactionByMd5(w.row.md5);
        await this.observe(outcome);
        w.resolve(outcome);
      }),
    );
  }

  /**
   * Counts a call against the day's budget; when the budget refuses it for being spent, tells the
   * operator once a day.
   */
  async take(kind: CallKind): Promise<boolean> {
    if (await this.budget.take(kind)) return true;
    const state = await this.budget.state();
    const now = this.o.ledger.now();
    if (state.exhausted && state.limit !== null && now >= this.exhaustedAlertUntil) {
      this.exhaustedAlertUntil = nextPhnomPenhMidnight(now);
      this.o.logger.warn("the day's Bakong budget is spent: payments are confirmed from midnight", {
        dailyBudget: state.limit,
      });
      this.o.alert({
        type: 'budget-exhausted',
        dailyBudget: state.limit,
        resetsAt: this.exhaustedAlertUntil,
      });
    }
    return false;
  }

  /**
   * Every answer of a Bakong call, whoever made it: remembered for `/health`; errorCode 17 stops
   * every instance until midnight.
   */
  async observe(outcome: BakongOutcome): Promise<void> {
    const upstream = upstreamClass(outcome);
    if (upstream) this.lastAnswer = { at: this.o.ledger.now(), upstream };
    if (outcome.kind === 'quota-exhausted') await this.quotaSpent();
  }

  /** errorCode 17: every instance stops asking until midnight in Phnom Penh. */
  private async quotaSpent(): Promise<void> {
    const now = this.o.ledger.now();
    const until = nextPhnomPenhMidnight(now);
    const already = await this.o.ledger.paused();
    await this.o.ledger.pause('quota', until);
    if (already?.kind === 'quota') return;
    const learned = await this.budget.learn();
    this.o.logger.warn("Bakong's daily quota for this token is spent: no call until it resets", {
      resetsAt: new Date(until).toISOString(),
      dailyBudget: learned,
    });
    this.o.alert({ type: 'quota-exhausted', resetsAt: until });
  }
}

/** A list call refused for what it is (not an outage): its md5s are asked about one by one. */
function isListRefusal(outcome: BakongOutcome): boolean {
  return (
    outcome.kind === 'forbidden' ||
    outcome.kind === 'bad-request' ||
    outcome.kind === 'unknown' ||
    outcome.kind === 'rejected' ||
    (outcome.kind === 'upstream-error' &&
      (outcome.reason === 'non-json' || outcome.reason === 'bad-envelope'))
  );
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
