// Money that arrives is never lost: crashes at every step of a settlement, a failing handler, a
// restart mid-checkout, Redis flushed, clocks that disagree, a failure followed by a payment, and
// a payment that comes late. The proxy runs over real HTTP against the sandbox, on the embedded
// ledger and on a real Postgres server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CrashPoint,
  createKhqrProxy,
  type PaidEvent,
  RETRY_DELAYS_MS,
  type SqlDatabase,
  verifyKhqrWebhook,
  webhookDelivery,
} from '@khqr-checkout/proxy';
import { RedisStore } from '@khqr-checkout/proxy/redis';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  closeEmbeddedDatabase,
  embeddedDatabase,
  freshSchema,
  MERCHANT,
  type ProxyUnderTest,
  startBank,
  startProxy,
} from '../test/harness.ts';
import { startPostgres } from '../test/postgres.ts';
import { startRedis } from '../test/redis.ts';

let sandbox: Sandbox;
let redis: Awaited<ReturnType<typeof startRedis>>;
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let database: SqlDatabase;
beforeAll(async () => {
  [sandbox, redis, postgres, database] = await Promise.all([
    startBank(),
    startRedis(),
    startPostgres(),
    embeddedDatabase(),
  ]);
}, 60_000);
afterAll(async () => {
  await closeEmbeddedDatabase();
  await sandbox?.close();
  await redis?.stop();
  await postgres?.stop();
});

let open: ProxyUnderTest[] = [];
beforeEach(() => sandbox.reset());
afterEach(async () => {
  for (const p of open) await p.close().catch(() => undefined);
  open = [];
});

/** A proxy on `schema` of the embedded database (or Postgres), closed after the test. */
async function proxyOn(schema: string, options: Parameters<typeof startProxy>[1] = {}) {
  const p = await startProxy(sandbox, { database, schema, ...options });
  open.push(p);
  return p;
}

/** An order system whose effect is idempotent on the event id, counting every delivery. */
function orderSystem() {
  const deliveries: PaidEvent[] = [];
  const paid = new Map<string, string>(); // orderId → event id
  return {
    deliveries,
    paid,
    onPaid: (event: PaidEvent) => {
      deliveries.push(event);
      if (!paid.has(event.orderId as string)) paid.set(event.orderId as string, event.id);
    },
  };
}

const crashed = (point: CrashPoint) => () => {
  throw new Error(`crash at ${point} (test)`);
};

describe.each(['embedded', 'postgres'])(
  'a crash at every step of a settlement (%s ledger)',
  (kind) => {
    it.each<[CrashPoint | 'none', number, number]>([
      ['answered', 500, 1],
      ['committed', 500, 1],
      ['handled', 200, 2],
      ['none', 200, 1],
    ])(
      'crashing at %s (the page gets %i) loses nothing and fulfils the order once (%i deliveries)',
      async (point, status, deliveries) => {
        const schema = freshSchema();
        const on = kind === 'postgres' ? { database: postgres.url } : {};
        const shop = orderSystem();
        const first = await proxyOn(schema, {
          ...on,
          onPaid: shop.onPaid,
          ...(point === 'none'
            ? {}
            : {
                crashAt: (at: CrashPoint) => {
                  if (at === point) crashed(point)();
                },
              }),
        });
        const checkout = await first.proxy.createCheckout({
          amount: '7.00',
          currency: 'USD',
          orderId: 'A-1',
        });
        sandbox.pay({ qr: checkout.qr });
        const answer = await first.post('/check', { md5: checkout.md5 });
        expect(answer.status).toBe(status);
        // The process dies here: nothing it had in memory survives.
        await first.close();
        open = open.filter((p) => p !== first);

        const second = await proxyOn(schema, { ...on, onPaid: shop.onPaid });
        // A delivery lease taken by the dead process runs out before another worker may deliver.
        sandbox.clock.advance(61_000);
        expect((await second.post('/check', { md5: checkout.md5 })).json).toMatchObject({
          status: 'paid',
        });
        await second.proxy.deliver();
        sandbox.clock.advance(RETRY_DELAYS_MS[0] as number);
        await second.proxy.deliver();

        expect(shop.paid).toEqual(new Map([['A-1', `evt_${checkout.md5}`]]));
        expect(shop.deliveries).toHaveLength(deliveries);
        expect(new Set(shop.deliveries.map((e) => e.id))).toEqual(new Set([`evt_${checkout.md5}`]));
        expect((await second.get('/health')).json).toMatchObject({
          settlements: { undelivered: 0, abandoned: 0 },
        });
      },
    );
  },
);

describe('a handler that fails', () => {
  let receiver: Server;
  let url: string;
  let refuse = 0;
  const received: Array<{ id: string; signatureOk: boolean }> = [];
  const SECRET = 'whsec_test_0123456789';
  /** The receiver's clock and the proxy's: they move only when the test moves them. */
  let t = 0;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', async () => {
        const event = await verifyKhqrWebhook(
          SECRET,
          req.headers['x-khqr-signature'] as string,
          body,
          { now: () => t },
        ).catch(() => null);
        received.push({ id: event?.id ?? JSON.parse(body).id, signatureOk: event !== null });
        res.writeHead(refuse-- > 0 ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/paid`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('retries a webhook that refuses 4 times on the backoff schedule, with one id, then stops', async () => {
    refuse = 4;
    received.length = 0;
    // A clock that moves only when the test moves it, so "not before" is exact.
    t = sandbox.clock.now();
    const p = await proxyOn(freshSchema(), {
      now: () => t,
      onPaid: webhookDelivery({ url, secret: SECRET, now: () => t }),
    });
    const checkout = await p.proxy.createCheckout({
      amount: 4000,
      currency: 'KHR',
      orderId: 'W-1',
    });
    sandbox.pay({ qr: checkout.qr });
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
    expect(received).toHaveLength(1);
    expect((await p.get('/health')).json).toMatchObject({ settlements: { undelivered: 1 } });
    for (const [i, delay] of RETRY_DELAYS_MS.slice(0, 4).entries()) {
      t += delay - 1;
      await p.proxy.deliver();
      expect(received, `no retry before ${delay} ms`).toHaveLength(i + 1);
      t += 1;
      await p.proxy.deliver();
      expect(received).toHaveLength(i + 2);
    }
    t += 24 * 3_600_000;
    await p.proxy.deliver();
    expect(received).toHaveLength(5);
    expect(received.every((r) => r.id === `evt_${checkout.md5}` && r.signatureOk)).toBe(true);
    expect(p.alerts).toContainEqual(
      expect.objectContaining({ type: 'settlement-failing', attempts: 3, orderId: 'W-1' }),
    );
    expect((await p.get('/health')).json).toMatchObject({ settlements: { undelivered: 0 } });
  });

  it('gives up after 3 days of failures, alerts, shows it in /health, and redelivers on request', async () => {
    let down = true;
    const delivered: string[] = [];
    const p = await proxyOn(freshSchema(), {
      onPaid: (event) => {
        if (down) throw new Error('order system down');
        delivered.push(event.id);
      },
    });
    const checkout = await p.proxy.createCheckout({
      amount: 4000,
      currency: 'KHR',
      orderId: 'W-2',
    });
    sandbox.pay({ qr: checkout.qr });
    await p.post('/check', { md5: checkout.md5 });
    let attempts = 1;
    for (let hour = 0; hour < 80; hour++) {
      sandbox.clock.advance(3_600_000);
      await p.proxy.deliver();
      const health = (await p.get('/health')).json as { settlements: { abandoned: number } };
      if (health.settlements.abandoned === 1) break;
      attempts++;
    }
    expect(p.alerts).toContainEqual(
      expect.objectContaining({ type: 'settlement-abandoned', orderId: 'W-2' }),
    );
    expect((await p.get('/health')).json).toMatchObject({
      settlements: { undelivered: 0, abandoned: 1 },
    });
    // About 3 days: never sooner, and not long after.
    expect(attempts).toBeGreaterThanOrEqual(70);
    expect(attempts).toBeLessThanOrEqual(80);
    // A human fixed the order system: the settlement is delivered once more, on request.
    down = false;
    expect(await p.proxy.redeliver('evt_unknown')).toBe(false);
    expect(await p.proxy.redeliver(`evt_${checkout.md5}`)).toBe(true);
    expect(delivered).toEqual([`evt_${checkout.md5}`]);
    expect((await p.get('/health')).json).toMatchObject({
      settlements: { ok: true, undelivered: 0, abandoned: 0 },
    });
    expect(await p.proxy.redeliver(`evt_${checkout.md5}`)).toBe(false);
  });
});

describe('restarts and lost coordination', () => {
  it('settles a checkout paid while the proxy was down, by the sweeper, with no page open', async () => {
    const schema = freshSchema();
    const shop = orderSystem();
    const first = await proxyOn(schema, { onPaid: shop.onPaid });
    const checkout = await first.proxy.createCheckout({
      amount: '2.00',
      currency: 'USD',
      orderId: 'R-1',
    });
    await first.close();
    open = [];
    sandbox.pay({ qr: checkout.qr });
    await proxyOn(schema, { onPaid: shop.onPaid, sweeper: { intervalMs: 100 } });
    for (let i = 0; i < 60 && shop.paid.size === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(shop.paid).toEqual(new Map([['R-1', `evt_${checkout.md5}`]]));
  });

  it('keeps every checkout and pays each once when Redis is flushed mid-checkout (Postgres ledger, two instances)', async () => {
    const schema = freshSchema();
    const shop = orderSystem();
    const prefix = `khqr-flush-${schema}:`;
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        proxyOn(schema, {
          database: postgres.url,
          store: new RedisStore(new Redis(redis.url), { prefix }),
          onPaid: shop.onPaid,
        }),
      ),
    );
    const checkouts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b)?.proxy.createCheckout({
          amount: 100 + i,
          currency: 'KHR',
          orderId: `F-${i}`,
        }),
      ),
    );
    const admin = new Redis(redis.url);
    await admin.flushall();
    for (const c of checkouts) sandbox.pay({ qr: c?.qr as string });
    await Promise.all(
      checkouts.flatMap((c) => [a, b].map((p) => p?.post('/check', { md5: c?.md5 }))),
    );
    await admin.flushall();
    sandbox.clock.advance(2000);
    const answers = await Promise.all(checkouts.map((c) => b?.post('/check', { md5: c?.md5 })));
    expect(answers.map((x) => x?.json?.status)).toEqual(checkouts.map(() => 'paid'));
    expect(shop.paid.size).toBe(20);
    expect(shop.deliveries).toHaveLength(20);
    // An evicting Redis is reported (it may drop locks, never payments).
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect((await a?.get('/health'))?.json).toMatchObject({
      store: { ok: false, message: expect.stringContaining('noeviction') },
    });
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.quit();
  });
});

describe('clocks that disagree', () => {
  it('two instances 60 s ahead and 60 s behind agree on paid and on expiry (one Postgres clock)', async () => {
    const schema = freshSchema();
    const shop = orderSystem();
    const ahead = await proxyOn(schema, {
      database: postgres.url,
      now: () => sandbox.clock.now() + 60_000,
      onPaid: shop.onPaid,
    });
    const behind = await proxyOn(schema, {
      database: postgres.url,
      now: () => sandbox.clock.now() - 60_000,
      onPaid: shop.onPaid,
    });
    const paidOne = await ahead.proxy.createCheckout({
      amount: '1.00',
      currency: 'USD',
      orderId: 'S-1',
      ttl: 60,
    });
    const unpaid = await behind.proxy.createCheckout({ amount: '2.00', currency: 'USD', ttl: 60 });
    // Both QRs are stamped on the same clock, whichever instance made them.
    expect(Math.abs(paidOne.expiresAt - unpaid.expiresAt)).toBeLessThan(1000);
    sandbox.pay({ qr: paidOne.qr });
    expect((await behind.post('/check', { md5: paidOne.md5 })).json).toMatchObject({
      status: 'paid',
    });
    expect(shop.deliveries).toEqual([expect.objectContaining({ orderId: 'S-1', late: false })]);
    // A second before expiry plus grace (2 s) both say pending; just after, both say expired.
    sandbox.clock.advance(60_000 + 1_000);
    expect((await ahead.post('/check', { md5: unpaid.md5 })).json).toMatchObject({
      status: 'pending',
    });
    sandbox.clock.advance(-1_000);
    expect((await behind.post('/check', { md5: unpaid.md5 })).json).toMatchObject({
      status: 'pending',
    });
    sandbox.clock.advance(2_500);
    expect((await behind.post('/check', { md5: unpaid.md5 })).json).toMatchObject({
      status: 'expired',
    });
    expect((await ahead.post('/check', { md5: unpaid.md5 })).json).toMatchObject({
      status: 'expired',
    });
  });

  it('pays a prompt payment even when the proxy runs 6 s ahead of Bakong', async () => {
    const shop = orderSystem();
    const p = await proxyOn(freshSchema(), {
      now: () => sandbox.clock.now() + 6_000,
      onPaid: shop.onPaid,
    });
    const checkout = await p.proxy.createCheckout({
      amount: '1.00',
      currency: 'USD',
      orderId: 'S-2',
    });
    sandbox.pay({ qr: checkout.qr });
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
    expect(shop.deliveries).toEqual([expect.objectContaining({ orderId: 'S-2', late: false })]);
  });
});

describe('money that arrives after "failed", late, or during an outage', () => {
  it('settles a payment that follows a failed one; the page heard "failed", the order is paid', async () => {
    const shop = orderSystem();
    const p = await proxyOn(freshSchema(), { onPaid: shop.onPaid, sweeper: { intervalMs: 100 } });
    const checkout = await p.proxy.createCheckout({
      amount: 9000,
      currency: 'KHR',
      orderId: 'P-1',
    });
    sandbox.fail({ qr: checkout.qr });
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'failed',
    });
    sandbox.pay({ qr: checkout.qr });
    for (let i = 0; i < 60 && shop.paid.size === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(shop.paid).toEqual(new Map([['P-1', `evt_${checkout.md5}`]]));
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
  });

  it('settles a payment Bakong dates after expiry as late, with an alert, never as failed', async () => {
    const shop = orderSystem();
    const p = await proxyOn(freshSchema(), { onPaid: shop.onPaid });
    const checkout = await p.proxy.createCheckout({
      amount: 9000,
      currency: 'KHR',
      orderId: 'L-1',
      ttl: 60,
    });
    sandbox.pay({ qr: checkout.qr }, { overrides: { createdDateMs: checkout.expiresAt + 10_000 } });
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
    expect(shop.deliveries).toEqual([expect.objectContaining({ orderId: 'L-1', late: true })]);
    expect(p.alerts).toContainEqual(
      expect.objectContaining({ type: 'late-payment', orderId: 'L-1' }),
    );
  });

  it('reconciles a checkout that expired during an outage, and settles the payment found after it', async () => {
    const shop = orderSystem();
    const p = await proxyOn(freshSchema(), {
      onPaid: shop.onPaid,
      bakong: { token: DEV_TOKEN, baseUrl: sandbox.url, timeoutMs: 500, retries: 0 },
    });
    const checkout = await p.proxy.createCheckout({
      amount: 9000,
      currency: 'KHR',
      orderId: 'O-1',
      ttl: 60,
    });
    sandbox.pay({ qr: checkout.qr });
    sandbox.injectFault({ endpoint: '*', kind: 'server-error', count: 1000 });
    // An outage: the page keeps waiting, told confirmation comes later.
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'pending',
      delayed: true,
    });
    sandbox.clock.advance(63_000);
    // Past expiry plus grace with no answer: the page is told "expired", the server keeps asking.
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'expired',
    });
    expect(p.alerts).toContainEqual(expect.objectContaining({ type: 'reconcile', orderId: 'O-1' }));
    sandbox.clearFaults();
    sandbox.clock.advance(2_000);
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
    expect(shop.deliveries).toEqual([expect.objectContaining({ orderId: 'O-1', late: false })]);
  });
});

describe('a slow handler', () => {
  it('does not hold the page: "paid" is answered while onPaid is still running, which then completes', async () => {
    let release: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delivered: string[] = [];
    const p = await proxyOn(freshSchema(), {
      onPaid: async (event) => {
        await running;
        delivered.push(event.id);
      },
    });
    const checkout = await p.proxy.createCheckout({
      amount: 4000,
      currency: 'KHR',
      orderId: 'H-1',
    });
    sandbox.pay({ qr: checkout.qr });
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
    expect(delivered).toEqual([]);
    expect((await p.get('/health')).json).toMatchObject({ settlements: { undelivered: 1 } });
    release();
    for (let i = 0; i < 40 && delivered.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(delivered).toEqual([`evt_${checkout.md5}`]);
    await p.proxy.deliver();
    expect((await p.get('/health')).json).toMatchObject({ settlements: { undelivered: 0 } });
  });
});

describe('a bank whose clock runs behind the proxy', () => {
  it('still settles a payment the bank took after the proxy told the page "expired"', async () => {
    const shop = orderSystem();
    const p = await proxyOn(freshSchema(), {
      now: () => sandbox.clock.now() + 45_000,
      onPaid: shop.onPaid,
      sweeper: { intervalMs: 100 },
    });
    const checkout = await p.proxy.createCheckout({
      amount: 9000,
      currency: 'KHR',
      orderId: 'K-1',
      ttl: 60,
    });
    sandbox.clock.advance(63_000); // past expiry plus grace on the proxy's clock, not the bank's
    await p.proxy.check(checkout.md5).catch(() => undefined);
    for (let i = 0; i < 40; i++) {
      if ((await p.post('/check', { md5: checkout.md5 })).json?.status === 'expired') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'expired',
    });
    sandbox.pay({ qr: checkout.qr }); // the bank still takes it: by its clock the QR is valid
    sandbox.clock.advance(121_000); // the sweeper's next late look
    for (let i = 0; i < 60 && shop.paid.size === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // By the bank's own time it was paid within the QR's life, so it is not even late.
    expect(shop.deliveries).toEqual([expect.objectContaining({ orderId: 'K-1', late: false })]);
    expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
  });
});

describe('an order paid twice', () => {
  it('settles both payments (the money arrived) and alerts so one can be refunded', async () => {
    const shop = orderSystem();
    const p = await proxyOn(freshSchema(), { onPaid: shop.onPaid });
    const first = await p.proxy.createCheckout({ amount: '3.00', currency: 'USD', orderId: 'D-1' });
    const second = await p.proxy.createCheckout({
      amount: '3.00',
      currency: 'USD',
      orderId: 'D-1',
      ttl: 200,
    });
    sandbox.pay({ qr: first.qr });
    sandbox.pay({ qr: second.qr });
    expect((await p.post('/check', { md5: first.md5 })).json).toMatchObject({ status: 'paid' });
    expect((await p.post('/check', { md5: second.md5 })).json).toMatchObject({ status: 'paid' });
    // One list call found both (in either order).
    expect(shop.deliveries.map((e) => e.id).sort()).toEqual(
      [`evt_${first.md5}`, `evt_${second.md5}`].sort(),
    );
    expect(p.alerts).toContainEqual({
      type: 'duplicate-payment',
      md5: second.md5,
      orderId: 'D-1',
      otherMd5s: [first.md5],
    });
  });
});

describe("Bakong's daily quota (errorCode 17)", () => {
  it('stops every instance asking until midnight in Phnom Penh, keeps pages waiting, and settles after', async () => {
    const schema = freshSchema();
    const shop = orderSystem();
    const [a, b] = [
      await proxyOn(schema, { database: postgres.url, onPaid: shop.onPaid }),
      await proxyOn(schema, { database: postgres.url, onPaid: shop.onPaid }),
    ];
    const checkout = await a.proxy.createCheckout({
      amount: '4.00',
      currency: 'USD',
      orderId: 'Q-1',
    });
    expect((await a.post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'pending',
    });
    sandbox.clock.advance(2_000);
    sandbox.quota.setLimit(1); // one call a day: the next one is refused
    expect((await a.post('/check', { md5: checkout.md5 })).json).toEqual({
      status: 'pending',
      serverNow: expect.any(Number),
      expiresAt: checkout.expiresAt,
      delayed: true,
    });
    const spent = sandbox.quota.state().used;
    const resetsAt = sandbox.quota.state().resetsAt;
    expect(a.alerts).toEqual([{ type: 'quota-exhausted', resetsAt }]);
    sandbox.pay({ qr: checkout.qr });
    // The latch is shared: the other instance, later checks and /health make no call.
    sandbox.clock.advance(5_000);
    for (const p of [b, a, b]) {
      expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({
        status: 'pending',
        delayed: true,
      });
    }
    expect((await b.get('/health')).json).toMatchObject({
      ok: false,
      upstream: { status: 'quota_exhausted', resetsAt },
    });
    expect((await b.get('/health')).status).toBe(503);
    expect(sandbox.quota.state().used).toBe(spent);
    expect(b.alerts).toEqual([]);
    // After midnight the checkout (expired meanwhile) is asked about again, within the budget
    // learned yesterday: its page, there past expiry plus grace, gets its verdict in one call.
    sandbox.clock.set(resetsAt + 1_000);
    sandbox.quota.setLimit(100);
    expect((await b.post('/check', { md5: checkout.md5 })).json).toMatchObject({ status: 'paid' });
    expect(sandbox.quota.state().used).toBe(1);
    await b.proxy.sweep();
    expect(sandbox.quota.state().used).toBe(1);
    expect(shop.deliveries).toEqual([expect.objectContaining({ orderId: 'Q-1', late: false })]);
  });

  it('stops asking about an md5 Bakong refuses for good, and alerts once', async () => {
    let calls = 0;
    const refusing = {
      ...(await import('@khqr-checkout/proxy')).createBakongClient({
        token: DEV_TOKEN,
        baseUrl: sandbox.url,
      }),
      checkTransactionByMd5: async () => {
        calls++;
        return { kind: 'bad-request', errorCode: 5 } as const;
      },
    };
    const p = await proxyOn(freshSchema(), { bakong: refusing, token: DEV_TOKEN, bulk: false });
    const checkout = await p.proxy.createCheckout({ amount: '4.00', currency: 'USD' });
    for (let i = 0; i < 5; i++) {
      sandbox.clock.advance(2_000);
      expect((await p.post('/check', { md5: checkout.md5 })).json).toMatchObject({
        status: 'pending',
      });
    }
    expect(calls).toBe(1);
    expect(p.alerts).toEqual([
      expect.objectContaining({ type: 'upstream-refused', md5: checkout.md5 }),
    ]);
  });
});

describe('a proxy with no onPaid', () => {
  it('records settlements as delivered, so /health has nothing waiting', async () => {
    const proxy = createKhqrProxy({
      bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
      merchant: { accounts: [MERCHANT] },
      database,
      schema: freshSchema(),
      sweeper: false,
      now: () => sandbox.clock.now(),
      logger: { info() {}, warn() {}, error() {} },
    });
    try {
      const checkout = await proxy.createCheckout({ amount: '1.00', currency: 'USD' });
      sandbox.pay({ qr: checkout.qr });
      expect(await proxy.check(checkout.md5)).toMatchObject({ status: 'paid' });
      const health = await proxy.handler(new Request('http://proxy.test/health'));
      expect(await health.json()).toMatchObject({
        settlements: { ok: true, undelivered: 0, abandoned: 0 },
      });
    } finally {
      await proxy.close();
    }
  });
});
