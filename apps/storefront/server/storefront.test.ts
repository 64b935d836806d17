// The shop's own API over HTTP, with its embedded sandbox and proxy: what the pages rely on.
import { khqrMd5, verifyKhqr } from '@khqr-checkout/khqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from './orders.ts';
import { startStorefront } from './storefront.ts';

let shop: Awaited<ReturnType<typeof startStorefront>>;
beforeAll(async () => {
  shop = await startStorefront({ port: 0, sandboxPort: 0, ordersFile: null, env: {} });
}, 60_000);
afterAll(() => shop?.close());

async function call(path: string, body?: unknown, raw?: string) {
  const response = await fetch(`${shop.url}${path}`, {
    method: body === undefined && raw === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined && raw === undefined ? {} : { body: raw ?? JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
const order = (items: unknown, currency: unknown = 'KHR') =>
  call('/api/orders', { items, currency });
/** Asks the proxy, as the page would; a paid answer runs onPaid, which marks the order. */
const check = (md5: string) => call('/api/khqr/check', { md5 });

describe('the shop API', () => {
  it('creates an order with a server-made KHQR for exactly its total', async () => {
    const { status, json } = await order([
      { id: 'krama', qty: 2 },
      { id: 'iced-coffee', qty: 1 },
    ]);
    expect(status).toBe(201);
    const created = json as unknown as Order;
    expect(created).toMatchObject({
      status: 'awaiting-payment',
      currency: 'KHR',
      totalMinor: 48000,
    });
    const qr = created.checkout?.qr as string;
    const verified = verifyKhqr(qr);
    expect(verified.valid && verified.data).toMatchObject({
      amount: '48000',
      currency: 'KHR',
      bakongAccountId: 'phsar_khmer@devb',
      billNumber: created.id,
    });
    expect(created.md5).toBe(khqrMd5(qr));
  });

  it.each<[string, unknown, RegExp]>([
    ['no currency', { items: [{ id: 'krama', qty: 1 }] }, /currency/],
    ['a foreign currency', { items: [{ id: 'krama', qty: 1 }], currency: 'EUR' }, /currency/],
    ['an empty cart', { items: [], currency: 'KHR' }, /empty/],
    ['a null item', { items: [null], currency: 'KHR' }, /\{id, qty\}/],
    ['an unknown product', { items: [{ id: 'gold', qty: 1 }], currency: 'USD' }, /Unknown/],
    ['a list instead of an object', [1, 2], /currency/],
  ])('refuses %s with 400 and a message', async (_, body, message) => {
    const before = shop.orders.list().length;
    const { status, json } = await call('/api/orders', body);
    expect(status).toBe(400);
    expect(json.error).toMatch(message);
    expect(shop.orders.list()).toHaveLength(before);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const { status, json } = await call('/api/orders', undefined, '{"items": [');
    expect(status).toBe(400);
    expect(json.error).toMatch(/currency/);
  });

  it('keeps only id and qty of each item, whatever else the client sent', async () => {
    const { json } = await order([{ id: 'krama', qty: 1, price: 1, note: '<script>' }]);
    expect((json as unknown as Order).items).toEqual([{ id: 'krama', qty: 1 }]);
  });

  it('answers 404 for an unknown order', async () => {
    expect((await call('/api/orders/KH-NOPE')).status).toBe(404);
    expect((await call('/api/orders/KH-NOPE/checkout', {})).status).toBe(404);
  });

  it('marks an order paid only when the proxy verified the payment, then refuses a new QR for it', async () => {
    const created = (await order([{ id: 'silk-wallet', qty: 1 }], 'USD')).json as unknown as Order;
    const md5 = created.md5 as string;
    shop.sandbox?.pay({ md5 });
    expect((await check(md5)).json.status).toBe('paid');
    expect((await call(`/api/orders/${created.id}`)).json).toMatchObject({
      status: 'paid',
      transactionHash: expect.any(String),
    });
    const again = await call(`/api/orders/${created.id}/checkout`, {});
    expect(again.status).toBe(409);
  });

  it('never marks an order paid for a payment of another amount', async () => {
    const created = (await order([{ id: 'krama', qty: 1 }])).json as unknown as Order;
    const md5 = created.md5 as string;
    shop.sandbox?.pay({ md5 }, { overrides: { amount: 100 } });
    expect((await check(md5)).json.status).toBe('failed');
    expect(shop.orders.get(created.id)?.status).toBe('awaiting-payment');
  });

  it('gives an unpaid order a new QR on request, and the order follows the new one', async () => {
    const created = (await order([{ id: 'palm-sugar', qty: 1 }])).json as unknown as Order;
    await new Promise((resolve) => setTimeout(resolve, 5)); // a new creation time, so a new QR
    const renewed = await call(`/api/orders/${created.id}/checkout`, {});
    expect(renewed.status).toBe(201);
    const md5 = (renewed.json as unknown as Order).md5 as string;
    expect(md5).not.toBe(created.md5);
    shop.sandbox?.pay({ md5 });
    expect((await check(md5)).json.status).toBe('paid');
    expect(shop.orders.get(created.id)?.status).toBe('paid');
  });
});
