import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { total } from './catalogue.ts';
import { OrderBook } from './orders.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'khqr-orders-'));
  file = join(dir, 'data', 'orders.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('OrderBook', () => {
  it('keeps orders across a restart, paid state and checkout included', () => {
    const book = new OrderBook(file);
    const a = book.create({ items: [{ id: 'krama', qty: 2 }], currency: 'KHR', totalMinor: 40000 });
    const b = book.create({ items: [{ id: 'krama', qty: 1 }], currency: 'USD', totalMinor: 500 });
    book.update(a.id, { status: 'paid', paidAt: 1, transactionHash: 'abc' });
    const again = new OrderBook(file);
    expect(again.get(a.id)).toEqual(book.get(a.id));
    expect(again.get(a.id)?.status).toBe('paid');
    expect(again.get(b.id)?.status).toBe('awaiting-payment');
    expect(again.list().map((o) => o.id)).toEqual(book.list().map((o) => o.id));
  });

  it('writes through a temporary file and leaves none behind', () => {
    const book = new OrderBook(file);
    book.create({ items: [{ id: 'krama', qty: 1 }], currency: 'KHR', totalMinor: 20000 });
    expect(readdirSync(join(dir, 'data'))).toEqual(['orders.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(1);
  });

  it('refuses to start over an unreadable orders file, and leaves it as it was', () => {
    new OrderBook(file);
    writeFileSync(file, '[{"id": "KH-1", "status": "paid"');
    expect(() => new OrderBook(file)).toThrow(/not valid JSON.*Move it away/);
    expect(readFileSync(file, 'utf8')).toBe('[{"id": "KH-1", "status": "paid"');
    writeFileSync(file, '{"orders": []}');
    expect(() => new OrderBook(file)).toThrow(/does not hold a list/);
  });

  it('keeps orders in memory only when given no file', () => {
    const book = new OrderBook(null);
    book.create({ items: [{ id: 'krama', qty: 1 }], currency: 'KHR', totalMinor: 20000 });
    expect(book.list()).toHaveLength(1);
    expect(existsSync(join(dir, 'data'))).toBe(false);
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
