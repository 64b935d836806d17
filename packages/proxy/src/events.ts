/**
 * What `onPaid` and the webhook receive: one payment, verified against Bakong and committed to the
 * ledger before it is delivered. No payer account ID.
 *
 * Delivery is **at least once**: a crash or a failing handler means the same event comes again,
 * with the same `id`. Handlers must be idempotent on `id` (e.g. "mark order paid unless already
 * paid by this event").
 */
export interface PaidEvent {
  /** Stable event id: the same on every delivery of one payment. */
  id: string;
  type: 'khqr.paid';
  md5: string;
  checkoutId: string;
  /**
   * Your order, as given to `createCheckout` or returned by `validate`. Never read from the QR: a
   * page can write any bill number into a QR it makes.
   */
  orderId?: string;
  /** Minor units (cents, riel), as issued and as Bakong reported. */
  amountMinor: number;
  currency: 'KHR' | 'USD';
  toAccountId: string;
  /** Bakong's transaction hash, for reconciliation (`checkTransactionByHash`). */
  transactionHash: string;
  /** When the payer sent it (Bakong's `createdDateMs`), or when the proxy learned it. */
  paidAt: number;
  /** Paid after the QR's expiry plus grace: still the order's money, settled, and alerted. */
  late: boolean;
  /** When the proxy committed the settlement (ms). */
  settledAt: number;
}

/** Something the merchant's operators should hear about. */
export type ProxyAlert =
  | { type: 'mismatch'; md5: string; checkoutId: string; orderId?: string; problems: string[] }
  | { type: 'unauthorized'; message: string }
  | { type: 'forbidden'; message: string }
  | { type: 'token-expiring'; expiresAt: number; daysLeft: number }
  | { type: 'late-payment'; md5: string; orderId?: string; paidAt: number; expiresAt: number }
  | {
      type: 'reconcile';
      md5: string;
      orderId?: string;
      message: string;
    }
  | {
      /** Failing after 3 attempts, or given up after 3 days (then it waits for a human). */
      type: 'settlement-failing' | 'settlement-abandoned';
      eventId: string;
      md5: string;
      orderId?: string;
      attempts: number;
      message: string;
    }
  | {
      /** One order paid more than once (a new QR after the old one was paid, say): refund one. */
      type: 'duplicate-payment';
      md5: string;
      orderId: string;
      otherMd5s: string[];
    }
  | { type: 'ledger-unavailable'; message: string }
  /** errorCode 17: no Bakong call until `resetsAt` (midnight in Phnom Penh); checkouts wait. */
  | { type: 'quota-exhausted'; resetsAt: number }
  /** The day's `dailyBudget` is spent: no call until `resetsAt`; pages hear `delayed`. */
  | { type: 'budget-exhausted'; dailyBudget: number; resetsAt: number }
  /** Bakong refuses to check this md5 for good (static QR, errorCode 5, a 400/404 page). */
  | { type: 'upstream-refused'; md5: string; orderId?: string; message: string };
