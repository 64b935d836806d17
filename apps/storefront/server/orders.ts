import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KhqrCurrency } from '@khqr-checkout/khqr';

/** An order as the server knows it: `paid` only after the proxy's onPaid verified the payment. */
export interface Order {
  id: string;
  items: Array<{ id: string; qty: number }>;
  currency: KhqrCurrency;
  /** Minor units. */
  totalMinor: number;
  status: 'awaiting-payment' | 'paid';
  createdAt: number;
  paidAt: number | null;
  transactionHash: string | null;
  /** The current checkout's md5 (a new one after "new QR"). */
  md5: string | null;
  /** The current server-generated checkout. */
  checkout: { qr: string; md5: string; expiresAt: number; checkoutId: string } | null;
}

/** Orders in memory, written to a JSON file after every change (atomically: temp file + rename). */
export class OrderBook {
  private orders = new Map<string, Order>();

  constructor(private readonly file: string | null) {
    if (file) mkdirSync(dirname(file), { recursive: true });
    if (file && existsSync(file)) {
      let saved: unknown;
      try {
        saved = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        // Never start over an unreadable file: the next save would replace the orders in it.
        throw new Error(
          `The orders file ${file} is not valid JSON (${(error as Error).message}). Move it away to start with no orders.`,
        );
      }
      if (!Array.isArray(saved))
        throw new Error(`The orders file ${file} does not hold a list of orders.`);
      for (const order of saved as Order[]) this.orders.set(order.id, order);
    }
  }

  create(
    order: Omit<
      Order,
      'id' | 'status' | 'createdAt' | 'paidAt' | 'transactionHash' | 'md5' | 'checkout'
    >,
  ): Order {
    const id = `KH-${Date.now().toString(36).toUpperCase()}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const created: Order = {
      ...order,
      id,
      status: 'awaiting-payment',
      createdAt: Date.now(),
      paidAt: null,
      transactionHash: null,
      md5: null,
      checkout: null,
    };
    this.orders.set(id, created);
    this.save();
    return created;
  }

  get(id: string): Order | undefined {
    return this.orders.get(id);
  }

  list(): Order[] {
    return [...this.orders.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  update(id: string, patch: Partial<Order>): Order | undefined {
    const order = this.orders.get(id);
    if (!order) return undefined;
    Object.assign(order, patch);
    this.save();
    return order;
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.list(), null, 1));
    renameSync(tmp, this.file);
  }
}
