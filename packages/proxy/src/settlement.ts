import type { PaidEvent, ProxyAlert } from './events.ts';
import type { Ledger, SettlementRow } from './ledger.ts';
import type { Logger } from './logger.ts';

/**
 * Where a settlement can be interrupted, in order: Bakong answered a verified payment (nothing
 * written yet), the settlement is committed (not delivered), the handler returned (delivery not
 * yet recorded). Tests crash the proxy at each one.
 */
export type CrashPoint = 'answered' | 'committed' | 'handled';

/** Delay before retry n (1-based), like Stripe's: the first within 30 s, then growing. */
export const RETRY_DELAYS_MS = [
  10_000,
  30_000,
  120_000,
  600_000,
  3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
];
/** How long a settlement is retried before it is left for a human. */
export const RETRY_FOR_MS = 3 * 24 * 3_600_000;
const BATCH = 4;
/** Failed attempts after which operators are alerted. */
export const ALERT_AFTER_ATTEMPTS = 3;

export interface OutboxOptions {
  ledger: Ledger;
  onPaid: ((event: PaidEvent) => void | Promise<void>) | undefined;
  logger: Logger;
  alert: (alert: ProxyAlert) => void;
  crash: (point: CrashPoint) => void | Promise<void>;
  /** How long one delivery may hold a settlement before another worker may try it. @default 60000 */
  leaseMs?: number;
}

/**
 * The settlement outbox: committed settlements are handed to `onPaid` (or the webhook) until it
 * returns, at least once, under the event's stable id. A crash before the delivery is recorded
 * means one more delivery of the same event; handlers are idempotent on `id`.
 */
export class Outbox {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: OutboxOptions) {}

  /** Delivers one settlement now, if no other worker holds it. */
  async deliverNow(eventId: string): Promise<void> {
    if (!this.o.onPaid) return;
    const now = this.o.ledger.now();
    for (const row of await this.o.ledger.lease(now, this.leaseMs, 1, eventId))
      await this.deliver(row);
  }

  /** Whether anything receives settlements; without a handler they are recorded as delivered. */
  get hasHandler(): boolean {
    return this.o.onPaid !== undefined;
  }

  /** Delivers every settlement that is due. */
  async tick(): Promise<void> {
    if (!this.o.onPaid) return;
    // A few at a time: each lease must outlast the deliveries before it (10 s each at worst).
    for (;;) {
      const rows = await this.o.ledger.lease(this.o.ledger.now(), this.leaseMs, BATCH);
      for (const row of rows) {
        if (this.stopped) return;
        await this.deliver(row);
      }
      if (rows.length < BATCH || this.stopped) return;
    }
  }

  /** Runs {@link tick} every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    if (!this.o.onPaid) return;
    const loop = () => {
      this.running = this.tick()
        .catch((error: unknown) =>
          this.o.logger.error('settlement delivery failed to run', { error: message(error) }),
        )
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(loop, intervalMs);
            this.timer.unref?.();
          }
        });
    };
    this.timer = setTimeout(loop, 0);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private get leaseMs(): number {
    return this.o.leaseMs ?? 60_000;
  }

  private async deliver(row: SettlementRow): Promise<void> {
    const { ledger, logger } = this.o;
    const event = row.event;
    const about = {
      eventId: row.eventId,
      md5: row.md5,
      ...(event.orderId ? { orderId: event.orderId } : {}),
    };
    // This attempt's number: those that ended before it, plus one.
    const attempts = row.attempts + 1;
    try {
      await (this.o.onPaid as (event: PaidEvent) => void | Promise<void>)(event);
    } catch (error) {
      const at = ledger.now();
      const delay = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] as number;
      const next = at + delay <= row.createdAt + RETRY_FOR_MS ? at + delay : null;
      await ledger.failed(row.eventId, message(error), next, at);
      logger.warn(
        next === null
          ? 'onPaid kept failing: settlement given up'
          : 'onPaid failed; it will be retried',
        {
          ...about,
          attempts,
          error: message(error),
          ...(next === null ? {} : { retryAt: new Date(next).toISOString() }),
        },
      );
      if (next === null)
        this.o.alert({
          type: 'settlement-abandoned',
          ...about,
          attempts,
          message: message(error),
        });
      else if (attempts === ALERT_AFTER_ATTEMPTS)
        this.o.alert({
          type: 'settlement-failing',
          ...about,
          attempts,
          message: message(error),
        });
      return;
    }
    await this.o.crash('handled');
    await ledger.delivered(row.eventId, ledger.now());
    logger.info('settlement delivered', { ...about, attempts });
  }
}

function message(error: unknown): string {
  return String((error as Error)?.message ?? error);
}
