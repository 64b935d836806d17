import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbedded, type PaidEvent, type SqlDatabase } from '@khqr-checkout/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { total } from './catalogue.ts';
import { OrderBook } from './orders.ts';

let dir: string;
let db: SqlDatabase;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'khqr-orders-'));
  db = await openEmbedded(dir);
}, 60_000);
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const paidEvent = (orderId: string, amountMinor: number, currency: 'KHR' | 'USD'): PaidEvent => ({
  id: `evt_${orderId}`,
  type: 'khqr.paid',
  md5: 'a'.repeat(32),
  checkoutId: 'c1',
  orderId,
  amountMinor,
  currency,
  toAccountId: 'phsar_khmer@devb',
  transactionHash: 'f'.repeat(64),
  paidAt: 1_000,
  late: false,
  settledAt: 2_000,
});

describe('OrderBook', () => {
  it('keeps orders across a restart (the database closed and opened again), paid state and checkout included', async () => {
    const book = await OrderBook.open(db);
    const a = await book.create({
      items: [{ id: 'krama', qty: 2 }],
      currency: 'KHR',
      totalMinor: 40000,
    });
    const b = await book.create({
      items: [{ id: 'krama', qty: 1 }],
      currency: 'USD',
      totalMinor: 500,
    });
    const checkout = { qr: '0002…', md5: 'b'.repeat(32), expiresAt: 9, checkoutId: 'c2' };
    await book.setCheckout(b.id, checkout);
    expect(await book.markPaid(paidEvent(a.id, 40000, 'KHR'))).toBe('paid');
    await db.close();
    db = await openEmbedded(dir);
    const again = await OrderBook.open(db);
    expect(await again.get(a.id)).toMatchObject({
      status: 'paid',
      paidEventId: `evt_${a.id}`,
      transactionHash: 'f'.repeat(64),
    });
    expect(await again.get(b.id)).toMatchObject({
      status: 'awaiting-payment',
      checkout,
      md5: checkout.md5,
    });
    expect((await again.list()).map((o) => o.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('marks paid once: a redelivered event changes nothing', async () => {
    const book = await OrderBook.open(db);
    const order = await book.create({
      items: [{ id: 'krama', qty: 1 }],
      currency: 'USD',
      totalMinor: 500,
    });
    const event = paidEvent(order.id, 500, 'USD');
    expect(await book.markPaid(event)).toBe('paid');
    const first = await book.get(order.id);
    expect(await book.markPaid({ ...event, paidAt: 5_000 })).toBe('already-paid');
    expect(await book.get(order.id)).toEqual(first);
  });

  it('never marks an order paid for another amount or currency, or an unknown order', async () => {
    const book = await OrderBook.open(db);
    const order = await book.create({
      items: [{ id: 'silk-wallet', qty: 10 }],
      currency: 'USD',
      totalMinor: 10000,
    });
    expect(await book.markPaid(paidEvent(order.id, 1, 'USD'))).toBe('amount-mismatch');
    expect(await book.markPaid(paidEvent(order.id, 10000, 'KHR'))).toBe('amount-mismatch');
    expect(await book.markPaid(paidEvent('KH-NOPE', 10000, 'USD'))).toBe('unknown-order');
    expect((await book.get(order.id))?.status).toBe('awaiting-payment');
  });

  it('throws, and changes nothing, when the paid write fails', async () => {
    const book = await OrderBook.open(db);
    const order = await book.create({
      items: [{ id: 'krama', qty: 1 }],
      currency: 'KHR',
      totalMinor: 20000,
    });
    // A real database refusal: a trigger that rejects every update of the orders table.
    await db.query(`create or replace function shop.refuse() returns trigger language plpgsql as
      $$ begin raise exception 'disk full (test)'; end $$`);
    await db.query(
      'create trigger refuse before update on shop.orders for each row execute function shop.refuse()',
    );
    try {
      await expect(book.markPaid(paidEvent(order.id, 20000, 'KHR'))).rejects.toThrow(/disk full/);
    } finally {
      await db.query('drop trigger refuse on shop.orders');
    }
    expect((await book.get(order.id))?.status).toBe('awaiting-payment');
    expect(await book.markPaid(paidEvent(order.id, 20000, 'KHR'))).toBe('paid');
  });
});

describe('total', () => {
  it('adds up in the minor units of the currency', () => {
    const items = [
      { id: 'krama', qty: 2 },
      { id: 'palm-sugar', qty: 1 },
    ];
    expect(total(items, 'KHR')).toBe(2 * 20000 + 12000);
    expect(total(items, 'USD')).toBe(2 * 500 + 300);
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty cart', [], /empty/],
    ['not a list', 'krama', /empty/],
    ['over 20 lines', Array.from({ length: 21 }, () => ({ id: 'krama', qty: 1 })), /empty/],
    ['a null item', [null], /\{id, qty\}/],
    ['an unknown product', [{ id: 'gold', qty: 1 }], /Unknown product "gold"/],
    ['a zero quantity', [{ id: 'krama', qty: 0 }], /1 to 99/],
    ['a fractional quantity', [{ id: 'krama', qty: 1.5 }], /1 to 99/],
    ['a quantity as text', [{ id: 'krama', qty: '2' }], /1 to 99/],
  ])('refuses %s with a message', (_, items, message) => {
    expect(total(items as Array<{ id: string; qty: number }>, 'KHR')).toMatch(message);
  });
});
