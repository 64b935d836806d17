// The shop's own API over HTTP, with its embedded sandbox and proxy: what the pages rely on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKhqr, khqrMd5, verifyKhqr } from '@khqr-checkout/khqr';
import { DEV_TOKEN, startSandbox } from '@khqr-checkout/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from './orders.ts';
import { startStorefront } from './storefront.ts';

let shop: Awaited<ReturnType<typeof startStorefront>>;
beforeAll(async () => {
  shop = await startStorefront({
    port: 0,
    sandboxPort: 0,
    dataDir: null,
    env: { SHOP_ORDERS_PER_MINUTE: '60' },
  });
}, 60_000);
afterAll(() => shop?.close());

/** Each customer's cookie, as a browser keeps it. */
const jars: Record<string, string> = {};

async function call(path: string, body?: unknown, raw?: string, customer = 'sok') {
  const response = await fetch(`${shop.url}${path}`, {
    method: body === undefined && raw === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(jars[customer] ? { cookie: jars[customer] } : {}),
    },
    ...(body === undefined && raw === undefined ? {} : { body: raw ?? JSON.stringify(body) }),
  });
  const set = response.headers.get('set-cookie');
  if (set) jars[customer] = set.split(';')[0] as string;
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
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
    const before = (await shop.orders.list()).length;
    const { status, json } = await call('/api/orders', body);
    expect(status).toBe(400);
    expect(json.error).toMatch(message);
    expect(await shop.orders.list()).toHaveLength(before);
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
    // Paid with its transaction recorded, and the hash stays on the server.
    const seen = (await call(`/api/orders/${created.id}`)).json;
    expect(seen).toMatchObject({ status: 'paid' });
    expect(seen).not.toHaveProperty('transactionHash');
    expect(seen).not.toHaveProperty('paidEventId');
    expect((await shop.orders.get(created.id))?.transactionHash).toEqual(expect.any(String));
    const again = await call(`/api/orders/${created.id}/checkout`, {});
    expect(again.status).toBe(409);
  });

  it('never marks an order paid for a payment of another amount', async () => {
    const created = (await order([{ id: 'krama', qty: 1 }])).json as unknown as Order;
    const md5 = created.md5 as string;
    shop.sandbox?.pay({ md5 }, { overrides: { amount: 100 } });
    expect((await check(md5)).json.status).toBe('failed');
    expect((await shop.orders.get(created.id))?.status).toBe('awaiting-payment');
  });

  it('gives an unpaid order its open QR again, a new one when the card asks to replace it, and the order follows', async () => {
    const created = (await order([{ id: 'palm-sugar', qty: 1 }])).json as unknown as Order;
    // A reload asks again: the same QR, which the customer may have paid.
    const again = await call(`/api/orders/${created.id}/checkout`, {});
    expect((again.json as unknown as Order).md5).toBe(created.md5);
    // Asked to replace a QR that can still be paid: the same one (never swapped under a payer).
    const live = await call(`/api/orders/${created.id}/checkout`, { md5: created.md5 });
    expect((live.json as unknown as Order).md5).toBe(created.md5);
    // Failed, as the proxy says: now a new one.
    shop.sandbox?.fail({ md5: created.md5 as string });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the not-found cache
    expect((await check(created.md5 as string)).json.status).toBe('failed');
    const renewed = await call(`/api/orders/${created.id}/checkout`, { md5: created.md5 });
    expect(renewed.status).toBe(201);
    const md5 = (renewed.json as unknown as Order).md5 as string;
    expect(md5).not.toBe(created.md5);
    shop.sandbox?.pay({ md5 });
    expect((await check(md5)).json.status).toBe('paid');
    expect((await shop.orders.get(created.id))?.status).toBe('paid');
  });
});

describe('the shop binds browser-made QRs to its orders', () => {
  const browserQr = (billNumber: string, amount: string, currency: 'KHR' | 'USD') =>
    generateKhqr({
      bakongAccountId: 'phsar_khmer@devb',
      merchantName: 'Phsar Khmer',
      currency,
      amount,
      billNumber,
      lifetime: 300,
    });

  it('refuses a one-cent QR that names a $100 order, and never marks that order paid', async () => {
    const created = (await order([{ id: 'silk-wallet', qty: 10 }], 'USD')).json as unknown as Order;
    expect(created.totalMinor).toBe(10_000);
    const cheap = browserQr(created.id, '0.01', 'USD');
    const refused = await call('/api/khqr/check', cheap);
    // Refused with the one answer every refusal gets: nothing about the order leaks.
    expect(refused).toMatchObject({
      status: 422,
      json: {
        error: { code: 'rejected', message: 'No open order has this bill number at this amount.' },
      },
    });
    // Paying it anyway changes nothing: the proxy never accepted that md5.
    shop.sandbox?.see(cheap.qr);
    shop.sandbox?.pay({ qr: cheap.qr });
    expect((await check(cheap.md5)).status).toBe(404);
    expect((await shop.orders.get(created.id))?.status).toBe('awaiting-payment');
  });

  it('accepts a browser QR for exactly the order, and settles it against that order', async () => {
    const created = (await order([{ id: 'krama', qty: 1 }], 'USD')).json as unknown as Order;
    const exact = browserQr(created.id, '5.00', 'USD');
    expect((await call('/api/khqr/check', exact)).json.status).toBe('pending');
    shop.sandbox?.pay({ qr: exact.qr });
    // A browser QR is asked about in list calls every few seconds, or at once on a signal:
    // the customer tapped "I've paid".
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the not-found cache
    expect((await check(exact.md5)).json.status).toBe('pending');
    expect((await call('/api/khqr/check', { md5: exact.md5, signal: 'paid' })).json.status).toBe(
      'paid',
    );
    expect(await shop.orders.get(created.id)).toMatchObject({
      status: 'paid',
      paidEventId: `evt_${exact.md5}`,
    });
  });

  it('refuses bill numbers of no order, and of an order already paid', async () => {
    expect((await call('/api/khqr/check', browserQr('KH-NOPE', '5.00', 'USD'))).json).toMatchObject(
      {
        error: { code: 'rejected', message: 'No open order has this bill number at this amount.' },
      },
    );
  });

  it("takes the plain page's donation at its fixed 4,000 riel, and nothing less", async () => {
    expect((await call('/api/khqr/check', browserQr('DONATION', '100', 'KHR'))).json).toMatchObject(
      { error: { code: 'amount_mismatch' } },
    );
    const gift = browserQr('DONATION', '4000', 'KHR');
    expect((await call('/api/khqr/check', gift)).json.status).toBe('pending');
    shop.sandbox?.pay({ qr: gift.qr });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call('/api/khqr/check', { md5: gift.md5, signal: 'visible' })).json.status).toBe(
      'paid',
    );
    const donations = (await shop.orders.list()).filter((o) => o.kind === 'donation');
    expect(donations).toEqual([
      expect.objectContaining({ status: 'paid', totalMinor: 4000, currency: 'KHR' }),
    ]);
  });
});

describe('paid orders survive what goes wrong', () => {
  it('keeps retrying onPaid while the order book cannot be written, then marks the order paid', async () => {
    const created = (await order([{ id: 'iced-coffee', qty: 1 }])).json as unknown as Order;
    const db = shop.database;
    await db.query(`create or replace function shop.refuse() returns trigger language plpgsql as
      $$ begin raise exception 'disk full (test)'; end $$`);
    await db.query(
      'create trigger refuse before update on shop.orders for each row execute function shop.refuse()',
    );
    try {
      shop.sandbox?.pay({ md5: created.md5 as string });
      // The payment is the shop's: the page hears "paid", the order is not marked yet.
      expect((await check(created.md5 as string)).json.status).toBe('paid');
      expect((await shop.orders.get(created.id))?.status).toBe('awaiting-payment');
      const health = (await call('/api/khqr/health')).json;
      expect(health.settlements).toMatchObject({ undelivered: 1 });
    } finally {
      await db.query('drop trigger refuse on shop.orders');
    }
    // The first retry comes within 30 s (10 s here), with no page open.
    for (let i = 0; i < 60 && (await shop.orders.get(created.id))?.status !== 'paid'; i++)
      await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await shop.orders.get(created.id))?.status).toBe('paid');
  }, 30_000);

  it('settles a checkout paid while the shop was down, after a restart', async () => {
    const bank = await startSandbox({ port: 0, accounts: ['phsar_khmer@devb'] });
    const dir = mkdtempSync(join(tmpdir(), 'khqr-shop-restart-'));
    const env = {
      BAKONG_TOKEN: DEV_TOKEN,
      BAKONG_BASE_URL: bank.url,
      KHQR_MERCHANT_ACCOUNTS: 'phsar_khmer@devb',
    };
    try {
      const first = await startStorefront({ port: 0, dataDir: dir, env });
      const created = (
        await (
          await fetch(`${first.url}/api/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ items: [{ id: 'krama', qty: 1 }], currency: 'KHR' }),
          })
        ).json()
      ).valueOf() as Order;
      await first.close();
      bank.see(created.checkout?.qr as string);
      bank.pay({ md5: created.md5 as string });
      const second = await startStorefront({ port: 0, dataDir: dir, env });
      try {
        const answer = await fetch(`${second.url}/api/khqr/check`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ md5: created.md5 }),
        });
        expect(await answer.json()).toMatchObject({ status: 'paid' });
        expect((await second.orders.get(created.id))?.status).toBe('paid');
      } finally {
        await second.close();
      }
    } finally {
      await bank.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('each customer sees only their own orders', () => {
  it('sets a cookie with the first order; lists and answers orders to that cookie only', async () => {
    const mine = await call(
      '/api/orders',
      { items: [{ id: 'krama', qty: 1 }], currency: 'KHR' },
      undefined,
      'dara',
    );
    expect(mine.headers.get('set-cookie')).toMatch(
      /^phsar_customer=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax/,
    );
    const id = (mine.json as unknown as Order).id;
    expect((await call(`/api/orders/${id}`, undefined, undefined, 'dara')).status).toBe(200);
    const list = (await call('/api/orders', undefined, undefined, 'dara'))
      .json as unknown as Order[];
    expect(list.map((o) => o.id)).toEqual([id]);
    expect(JSON.stringify(list)).not.toMatch(/transactionHash|paidEventId|owner/);
    // A stranger: no list, and the order, its QR and a new QR are as good as missing.
    expect((await call('/api/orders', undefined, undefined, 'stranger')).json).toEqual([]);
    expect((await call(`/api/orders/${id}`, undefined, undefined, 'stranger')).status).toBe(404);
    expect((await call(`/api/orders/${id}/checkout`, {}, undefined, 'stranger')).status).toBe(404);
    // Another customer with a cookie of their own sees theirs, not this one.
    await call(
      '/api/orders',
      { items: [{ id: 'krama', qty: 2 }], currency: 'KHR' },
      undefined,
      'chan',
    );
    const theirs = (await call('/api/orders', undefined, undefined, 'chan'))
      .json as unknown as Order[];
    expect(theirs.map((o) => o.id)).not.toContain(id);
  });

  it('takes orders only as JSON (415 otherwise)', async () => {
    const before = (await shop.orders.list()).length;
    const response = await fetch(`${shop.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ items: [{ id: 'krama', qty: 1 }], currency: 'KHR' }),
    });
    expect(response.status).toBe(415);
    expect((await shop.orders.list()).length).toBe(before);
  });

  it('limits new orders from one address (429 with Retry-After), and makes none past the limit', async () => {
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 61 && !refused; i++) {
      const answer = await order([{ id: 'iced-coffee', qty: 1 }]);
      if (answer.status === 429) refused = answer;
    }
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    const before = (await shop.orders.list()).length;
    expect((await order([{ id: 'iced-coffee', qty: 1 }])).status).toBe(429);
    expect((await shop.orders.list()).length).toBe(before);
  });
});
