import type { KhqrCurrency } from '@khqr-checkout/khqr';
import type { PaidEvent, SqlDatabase } from '@khqr-checkout/proxy';

/** An order as the server knows it: `paid` only after the proxy's onPaid verified the payment. */
export interface Order {
  id: string;
  /** A cart, or a donation made from the plain page. */
  kind: 'order' | 'donation';
  items: Array<{ id: string; qty: number }>;
  currency: KhqrCurrency;
  /** Minor units. */
  totalMinor: number;
  status: 'awaiting-payment' | 'paid';
  createdAt: number;
  paidAt: number | null;
  transactionHash: string | null;
  /** The settlement that paid it: a redelivered event finds it paid and changes nothing. */
  paidEventId: string | null;
  /** The current checkout's md5 (a new one after "new QR"). */
  md5: string | null;
  /** The current server-generated checkout. */
  checkout: { qr: string; md5: string; expiresAt: number; checkoutId: string } | null;
}

/**
 * An order as its customer sees it: no transaction hash or settlement id (those stay on the
 * server), no owner.
 */
export type PublicOrder = Omit<Order, 'transactionHash' | 'paidEventId'>;

/** The customer's view of an order. */
export function publicOrder(order: Order): PublicOrder {
  const { transactionHash: _hash, paidEventId: _event, ...rest } = order;
  return rest;
}

/** What {@link OrderBook.markPaid} did with a paid event. */
export type MarkPaid = 'paid' | 'already-paid' | 'unknown-order' | 'amount-mismatch';

/**
 * The shop's orders, in the same embedded database as the proxy's ledger (its own table). Every
 * change is committed before the call resolves; a failed write throws and changes nothing.
 */
export class OrderBook {
  private constructor(private readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase): Promise<OrderBook> {
    await db.query('create schema if not exists shop');
    await db.query(`create table if not exists shop.orders (
      id text primary key,
      kind text not null default 'order',
      items text not null,
      currency text not null,
      total_minor double precision not null,
      status text not null,
      created_at double precision not null,
      paid_at double precision,
      transaction_hash text,
      paid_event_id text,
      md5 text,
      checkout text
    )`);
    // Whose order it is: a hash of the customer's cookie, so a list shows only their own orders.
    await db.query('alter table shop.orders add column if not exists owner text');
    return new OrderBook(db);
  }

  async create(order: {
    items: Order['items'];
    currency: KhqrCurrency;
    totalMinor: number;
    kind?: Order['kind'];
    id?: string;
    /** The customer's key (a hash of their cookie); donations have none. */
    owner?: string;
  }): Promise<Order> {
    const id =
      order.id ??
      `KH-${Date.now().toString(36).toUpperCase()}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const [row] = await this.db.query(
      `insert into shop.orders (id, kind, items, currency, total_minor, status, created_at, owner)
       values ($1, $2, $3, $4, $5, 'awaiting-payment', $6, $7)
       on conflict (id) do update set id = excluded.id returning *`,
      [
        id,
        order.kind ?? 'order',
        JSON.stringify(order.items),
        order.currency,
        order.totalMinor,
        Date.now(),
        order.owner ?? null,
      ],
    );
    return toOrder(row as Record<string, unknown>);
  }

  async get(id: string): Promise<Order | undefined> {
    const [row] = await this.db.query('select * from shop.orders where id = $1', [id]);
    return row ? toOrder(row) : undefined;
  }

  /** One customer's order, or undefined: another customer's order is as good as missing. */
  async getOwned(id: string, owner: string): Promise<Order | undefined> {
    const [row] = await this.db.query('select * from shop.orders where id = $1 and owner = $2', [
      id,
      owner,
    ]);
    return row ? toOrder(row) : undefined;
  }

  /** Every order, newest first: for the shop's staff and tests, never for a customer. */
  async list(): Promise<Order[]> {
    const rows = await this.db.query(
      'select * from shop.orders order by created_at desc, id desc limit 200',
    );
    return rows.map(toOrder);
  }

  /** One customer's orders, newest first. */
  async listOwned(owner: string): Promise<Order[]> {
    const rows = await this.db.query(
      'select * from shop.orders where owner = $1 order by created_at desc, id desc limit 200',
      [owner],
    );
    return rows.map(toOrder);
  }

  /** Records the order's current checkout. */
  async setCheckout(id: string, checkout: NonNullable<Order['checkout']>): Promise<void> {
    await this.db.query('update shop.orders set md5 = $2, checkout = $3 where id = $1', [
      id,
      checkout.md5,
      JSON.stringify(checkout),
    ]);
  }

  /**
   * Marks an order paid by a verified payment, once: the amount and currency must be the
   * order's; a second delivery of the same event (or a later one) changes nothing.
   */
  async markPaid(event: PaidEvent): Promise<MarkPaid> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query('select * from shop.orders where id = $1 for update', [
        event.orderId,
      ]);
      if (!row) return 'unknown-order';
      const order = toOrder(row);
      if (order.status === 'paid') return 'already-paid';
      if (order.totalMinor !== event.amountMinor || order.currency !== event.currency)
        return 'amount-mismatch';
      await tx.query(
        `update shop.orders set status = 'paid', paid_at = $2, transaction_hash = $3,
           paid_event_id = $4 where id = $1`,
        [order.id, event.paidAt, event.transactionHash, event.id],
      );
      return 'paid';
    });
  }
}

function toOrder(row: Record<string, unknown>): Order {
  return {
    id: row.id as string,
    kind: row.kind as Order['kind'],
    items: JSON.parse(row.items as string) as Order['items'],
    currency: row.currency as KhqrCurrency,
    totalMinor: Number(row.total_minor),
    status: row.status as Order['status'],
    createdAt: Number(row.created_at),
    paidAt: row.paid_at == null ? null : Number(row.paid_at),
    transactionHash: (row.transaction_hash as string | null) ?? null,
    paidEventId: (row.paid_event_id as string | null) ?? null,
    md5: (row.md5 as string | null) ?? null,
    checkout:
      row.checkout == null ? null : (JSON.parse(row.checkout as string) as Order['checkout']),
  };
}
