// When Bakong is asked: the server decides, within a daily budget; pages read what it knows and
// signal when the customer says they paid or comes back from the bank app. Calls are counted by
// the sandbox, which stands for Bakong's own meter.
import { generateKhqr } from '@khqr-checkout/khqr';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
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
import { createBakongClient } from './bakong-client.ts';
import { nextPhnomPenhMidnight } from './ledger.ts';
import type { KhqrProxyOptions } from './proxy.ts';

let sandbox: Sandbox;
let postgres: Awaited<ReturnType<typeof startPostgres>>;
beforeAll(async () => {
  [sandbox, postgres] = await Promise.all([startBank(), startPostgres()]);
});
afterAll(async () => {
  await closeEmbeddedDatabase();
  await sandbox?.close();
  await postgres?.stop();
});

let open: ProxyUnderTest[] = [];
afterEach(async () => {
  for (const p of open) await p.close();
  open = [];
});
beforeEach(() => {
  sandbox.reset();
  // 09:00 in Phnom Penh, so a simulated day does not cross midnight unless a test says so.
  const midnight = nextPhnomPenhMidnight(sandbox.clock.now());
  sandbox.clock.set(midnight + 9 * 3_600_000);
});

async function proxyWith(
  options: Parameters<typeof startProxy>[1] & { dailyBudget?: number } = {},
): Promise<ProxyUnderTest> {
  const { dailyBudget, ...rest } = options;
  const p = await startProxy(sandbox, {
    database: await embeddedDatabase(),
    schema: freshSchema(),
    bakong: {
      token: DEV_TOKEN,
      baseUrl: sandbox.url,
      timeoutMs: 2000,
      ...(dailyBudget === undefined ? {} : { dailyBudget }),
    },
    ...rest,
  });
  open.push(p);
  return p;
}

/** Bakong calls of every kind the sandbox counted. */
const calls = () =>
  Object.values(sandbox.counters()).reduce((sum, endpoint) => sum + endpoint.requests, 0);

/** A page's check, through the handler, from a client address. */
async function check(
  p: ProxyUnderTest,
  body: Record<string, unknown>,
  clientIp = '203.0.113.7',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await p.proxy.handler(
    new Request('http://proxy.test/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    { clientIp },
  );
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function checkouts(p: ProxyUnderTest, n: number, ttl = 600) {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      p.proxy.createCheckout({ amount: 1000 + i, currency: 'KHR', orderId: `O-${i}`, ttl }),
    ),
  );
}

describe('with a daily budget', () => {
  it('a minute of 20 pages polling every 2 s, five of them signalling, costs a handful of calls', async () => {
    const p = await proxyWith({ dailyBudget: 40 });
    const open20 = await checkouts(p, 20);
    await p.proxy.sweep(); // the first paced look: one list call for all 20
    expect(calls()).toBe(1);
    const paidAt = new Map<string, number>();
    for (let second = 0; second < 60; second += 2) {
      sandbox.clock.advance(2_000);
      for (const [i, c] of open20.entries()) {
        // Payer i taps "I've paid" (or comes back from the bank app) at second 10 i.
        const signal = i < 5 && second === 10 * i ? (i % 2 ? 'visible' : 'paid') : undefined;
        if (signal) sandbox.pay({ qr: c.qr });
        const answer = await check(p, { md5: c.md5, ...(signal ? { signal } : {}) });
        expect(answer.status).toBe(200);
        if (answer.json.status === 'paid' && !paidAt.has(c.md5)) paidAt.set(c.md5, second);
      }
    }
    // Each signal was answered on the check that carried it; no page poll made a call.
    expect([...paidAt.values()]).toEqual([0, 10, 20, 30, 40]);
    expect(calls()).toBeLessThanOrEqual(6);
    expect(p.paid.map((e) => e.orderId).sort()).toEqual(['O-0', 'O-1', 'O-2', 'O-3', 'O-4']);
  });

  it('paces a whole day of open checkouts: short of the reserve for signals, about 1/24 of the budget an hour at most, none while nothing is open', async () => {
    const budget = 96;
    const p = await proxyWith({ dailyBudget: budget });
    const perHour = new Map<number, number>();
    let before = calls();
    // 09:00 to 09:00 the next day, a sweep a minute; the shop is open 09:00–21:00 with a new
    // 10-minute checkout every 5 minutes, and nobody pays or signals.
    for (let minute = 0; minute < 24 * 60; minute++) {
      if (minute < 12 * 60 && minute % 5 === 0) await checkouts(p, 1);
      sandbox.clock.advance(60_000);
      await p.proxy.sweep();
      const now = calls();
      const hour = Math.floor(minute / 60);
      perHour.set(hour, (perHour.get(hour) ?? 0) + now - before);
      before = now;
    }
    const spentToday = [...perHour.entries()].filter(([h]) => h < 15).map(([, n]) => n);
    const total = spentToday.reduce((a, b) => a + b, 0);
    // Pacing stops short of the signals' reserve (60 %).
    expect(total).toBeLessThanOrEqual(Math.floor(budget * 0.4));
    expect(Math.max(...spentToday)).toBeLessThanOrEqual(budget / 24 + 1);
    // Every checkout was still asked about after it expired (its last check), on the pacing clock.
    expect(total).toBeGreaterThan(30);
    // After 21:00 plus the last checkouts' life, nothing is open: nothing is spent.
    const night = [...perHour.entries()].filter(([h]) => h >= 13 && h < 15).map(([, n]) => n);
    expect(night.every((n) => n === 0)).toBe(true);
  }, 120_000);

  it('asks once at expiry plus grace while the page is there, so a customer who paid without saying so is not told "expired"', async () => {
    const p = await proxyWith({ dailyBudget: 100 });
    await p.proxy.sweep(); // nothing open: no call
    const [paid, unpaid] = await checkouts(p, 2, 120);
    await p.proxy.sweep(); // the first paced look
    expect(calls()).toBe(1);
    sandbox.clock.advance(30_000);
    sandbox.pay({ qr: paid?.qr as string });
    const seen: string[] = [];
    for (let second = 30; second <= 124; second += 2) {
      sandbox.clock.advance(2_000);
      seen.push(String((await check(p, { md5: paid?.md5 })).json.status));
      seen.push(String((await check(p, { md5: unpaid?.md5 })).json.status));
    }
    // No page poll made a call before expiry; at expiry one list call gave both verdicts.
    expect(seen.slice(0, 44).every((status) => status === 'pending')).toBe(true);
    expect(seen.slice(-2)).toEqual(['paid', 'expired']);
    expect(calls()).toBe(2);
  });

  it('never spends past the budget, however many signals arrive', async () => {
    const p = await proxyWith({ dailyBudget: 7 });
    // 150 open checkouts: three list calls of 50 for each round of signals.
    const many = await checkouts(p, 150);
    for (let round = 0; round < 5; round++) {
      sandbox.clock.advance(1_500);
      await Promise.all(
        many.map((c, i) => check(p, { md5: c.md5, signal: 'paid' }, `198.51.100.${i}`)),
      );
    }
    expect(calls()).toBe(7);
    // Pages hear that confirmation comes later once the day's budget is spent.
    expect((await check(p, { md5: many[0]?.md5 })).json).toMatchObject({ delayed: true });
  });

  it('shares the budget between two instances on one Postgres server', async () => {
    const schema = freshSchema();
    const on = (): Parameters<typeof startProxy>[1] => ({
      database: postgres.url,
      schema,
      bakong: { token: DEV_TOKEN, baseUrl: sandbox.url, dailyBudget: 8 },
    });
    const a = await startProxy(sandbox, on());
    const b = await startProxy(sandbox, on());
    open.push(a, b);
    const many = await checkouts(a, 12);
    for (let round = 0; round < 4; round++) {
      sandbox.clock.advance(1_500);
      await Promise.all(
        many.map((c, i) =>
          check(i % 2 ? a : b, { md5: c.md5, signal: 'visible' }, `198.51.100.${i}`),
        ),
      );
      await Promise.all([a.proxy.sweep(), b.proxy.sweep()]);
    }
    expect(calls()).toBeLessThanOrEqual(8);
  });
});

describe('signals', () => {
  it('asks at once on a signal, once for signals that arrive together, and not for a fresh answer', async () => {
    const p = await proxyWith({ dailyBudget: 200 });
    const [a, b] = await checkouts(p, 2);
    sandbox.clock.advance(5_000);
    sandbox.pay({ qr: a?.qr as string });
    sandbox.pay({ qr: b?.qr as string });
    const [one, two] = await Promise.all([
      check(p, { md5: a?.md5, signal: 'paid' }),
      check(p, { md5: b?.md5, signal: 'visible' }),
    ]);
    expect([one.json.status, two.json.status]).toEqual(['paid', 'paid']);
    expect(calls()).toBe(1);
  });

  it('honours 3 signals per md5 an hour, however often a page sends them', async () => {
    const p = await proxyWith({ dailyBudget: 200 });
    const [c] = await checkouts(p, 1);
    for (let i = 0; i < 6; i++) {
      sandbox.clock.advance(1_500);
      await check(p, { md5: c?.md5, signal: 'visible' });
    }
    expect(calls()).toBe(3);
  });

  it('refuses an unknown signal with a clear 400', async () => {
    const p = await proxyWith();
    const [c] = await checkouts(p, 1);
    expect(await check(p, { md5: c?.md5, signal: 'paid!' })).toEqual({
      status: 400,
      json: {
        error: { code: 'invalid_signal', message: 'signal must be "paid" or "visible".' },
      },
    });
  });
});

describe('with no budget (unlimited until Bakong says otherwise)', () => {
  it('asks as pages poll, in one list call for every open checkout', async () => {
    const p = await proxyWith();
    const many = await checkouts(p, 20);
    sandbox.clock.advance(1_500);
    await Promise.all(many.map((c) => check(p, { md5: c.md5 })));
    expect(sandbox.counters().check_transaction_by_md5_list?.requests).toBe(1);
    sandbox.pay({ qr: many[7]?.qr as string });
    sandbox.clock.advance(1_500);
    expect((await check(p, { md5: many[7]?.md5 })).json.status).toBe('paid');
    expect(calls()).toBe(2);
  });

  it('learns the budget from errorCode 17: the next day, pages make no calls and pacing spreads it', async () => {
    const p = await proxyWith();
    const [c] = await checkouts(p, 1);
    sandbox.quota.setLimit(5);
    for (let i = 0; i < 8; i++) {
      sandbox.clock.advance(1_500);
      await check(p, { md5: c?.md5 });
    }
    // 5 calls answered, the 6th refused: no more calls today.
    expect(sandbox.quota.state()).toMatchObject({ used: 6, refused: 1 });
    sandbox.clock.set(nextPhnomPenhMidnight(sandbox.clock.now()) + 8 * 3_600_000);
    sandbox.quota.setLimit(1000);
    const [d] = await checkouts(p, 1);
    const before = calls();
    for (let i = 0; i < 30; i++) {
      sandbox.clock.advance(2_000);
      await check(p, { md5: d?.md5 });
    }
    expect(calls()).toBe(before);
    await p.proxy.sweep();
    expect(calls()).toBe(before + 1);
  });
});

describe('what went wrong before', () => {
  it('leaves no checkout waiting when a list call throws: the other checkouts it carried are asked again', async () => {
    const real = createBakongClient({ token: DEV_TOKEN, baseUrl: sandbox.url, retries: 0 });
    let throws = 1;
    const p = await proxyWith({
      token: DEV_TOKEN,
      bakong: {
        ...real,
        checkTransactionByMd5List: async (md5s: string[]) => {
          if (throws-- > 0) throw new Error('socket torn (test)');
          return real.checkTransactionByMd5List(md5s);
        },
      },
    });
    const [a, b] = await checkouts(p, 2);
    sandbox.pay({ qr: b?.qr as string });
    sandbox.clock.advance(1_500);
    // A's check carried B; the call threw.
    expect((await check(p, { md5: a?.md5 })).json).toMatchObject({
      status: 'pending',
      delayed: true,
    });
    sandbox.clock.advance(1_500);
    const answer = await Promise.race([
      check(p, { md5: b?.md5 }),
      new Promise((resolve) => setTimeout(() => resolve('stuck'), 3_000)),
    ]);
    expect(answer).toMatchObject({ json: { status: 'paid' } });
    await Promise.race([
      p.proxy.sweep(),
      new Promise((_, no) => setTimeout(() => no(new Error('sweep stuck')), 3_000)),
    ]);
  });

  it('caps signals per client address too: rotating over many md5s does not spend the budget', async () => {
    const p = await proxyWith({ dailyBudget: 100 });
    const many = await checkouts(p, 40);
    sandbox.clock.advance(1_500);
    for (const c of many) {
      sandbox.clock.advance(100);
      await check(p, { md5: c.md5, signal: 'paid' }, '203.0.113.66');
    }
    expect(calls()).toBeLessThanOrEqual(10);
  });

  it('asks for a deep link once per QR, and for none under a daily budget (it confirms no payment)', async () => {
    const link = (p: ProxyUnderTest, md5: string | undefined) =>
      p.proxy.handler(
        new Request('http://proxy.test/deeplink', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ md5 }),
        }),
        { clientIp: '203.0.113.9' },
      );
    const free = await proxyWith();
    const [c] = await checkouts(free, 1);
    for (let i = 0; i < 5; i++) expect((await link(free, c?.md5)).status).toBe(200);
    expect(sandbox.counters().generate_deeplink_by_qr?.requests).toBe(1);
    const budgeted = await proxyWith({ dailyBudget: 100 });
    const [d] = await checkouts(budgeted, 1);
    expect(await (await link(budgeted, d?.md5)).json()).toEqual({
      error: { code: 'deeplink_unavailable', message: 'No bank-app link is available right now.' },
    });
    expect(sandbox.counters().generate_deeplink_by_qr?.requests).toBe(1);
  });

  it('with a budget, /health sends no probe and shows the budget; without one, one probe however many ask', async () => {
    const budgeted = await proxyWith({ dailyBudget: 40 });
    const health = await budgeted.get('/health');
    expect(health.json).toMatchObject({
      upstream: { status: 'unknown' },
      budget: { dailyBudget: 40, spentToday: 0, exhausted: false },
    });
    expect(health.status).toBe(200);
    expect(sandbox.counters().probe?.requests ?? 0).toBe(0);
    const free = await proxyWith();
    const answers = await Promise.all(Array.from({ length: 20 }, () => free.get('/health')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(calls()).toBe(1);
    expect((await free.get('/health')).json).toMatchObject({
      budget: { dailyBudget: null, spentToday: 1 },
    });
  });

  it('learns the quota as what was spent before the refusal, at least 4; a configured budget wins', async () => {
    const schema = freshSchema();
    const database = await embeddedDatabase();
    const on = (budget?: number): Parameters<typeof startProxy>[1] => ({
      database,
      schema,
      bakong: {
        token: DEV_TOKEN,
        baseUrl: sandbox.url,
        ...(budget === undefined ? {} : { dailyBudget: budget }),
      },
    });
    const p = await startProxy(sandbox, on());
    open.push(p);
    const [c] = await checkouts(p, 1);
    sandbox.quota.setLimit(7);
    for (let i = 0; i < 10; i++) {
      sandbox.clock.advance(1_500);
      await check(p, { md5: c?.md5 });
    }
    expect(p.alerts).toContainEqual(expect.objectContaining({ type: 'quota-exhausted' }));
    sandbox.clock.set(nextPhnomPenhMidnight(sandbox.clock.now()) + 9 * 3_600_000);
    expect((await p.get('/health')).json).toMatchObject({ budget: { dailyBudget: 7 } });
    await p.close();
    open = open.filter((x) => x !== p);
    const q = await startProxy(sandbox, on(50));
    open.push(q);
    expect((await q.get('/health')).json).toMatchObject({ budget: { dailyBudget: 50 } });
  });

  it('alerts once when the budget of the day is spent', async () => {
    const p = await proxyWith({ dailyBudget: 4 });
    const many = await checkouts(p, 60);
    for (let round = 0; round < 4; round++) {
      sandbox.clock.advance(1_500);
      await Promise.all(
        many.map((c, i) => check(p, { md5: c.md5, signal: 'paid' }, `198.51.100.${i}`)),
      );
    }
    expect(calls()).toBe(4);
    expect(p.alerts.filter((a) => a.type === 'budget-exhausted')).toEqual([
      expect.objectContaining({ type: 'budget-exhausted', dailyBudget: 4 }),
    ]);
  });
});

describe('browser-made QRs and rate limits', () => {
  const browserQr = (n: number) =>
    generateKhqr({
      bakongAccountId: MERCHANT,
      merchantName: 'KHQR Shop',
      currency: 'KHR',
      amount: String(100 + n),
      billNumber: `B${n}`,
      lifetime: 600,
      now: sandbox.clock.now(),
    });

  it('caps browser QRs per client per day, and checks those it took in list calls, one each 5 s at most', async () => {
    const p = await proxyWith({
      rateLimit: { perClientCostly: 10_000 },
    } as Partial<KhqrProxyOptions>);
    const statuses = new Map<number, number>();
    const accepted: Array<{ md5: string; client: string }> = [];
    let n = 0;
    for (let client = 0; client < 10; client++) {
      for (let i = 0; i < 120; i++) {
        const { qr, md5 } = browserQr(n++);
        const { status } = await check(p, { md5, qr }, `192.0.2.${client}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) accepted.push({ md5, client: `192.0.2.${client}` });
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 1000, 429: 200 });
    // A minute of 200 of those pages polling every 2 s (the flood that drove 18 calls a second):
    // browser pages start one list call each 5 s at most, of 50 md5s.
    const before = calls();
    for (let second = 0; second < 60; second += 2) {
      sandbox.clock.advance(2_000);
      await Promise.all(accepted.slice(0, 200).map((a) => check(p, { md5: a.md5 }, a.client)));
    }
    expect(sandbox.counters().check_transaction_by_md5?.requests ?? 0).toBe(0);
    expect(calls() - before).toBeLessThanOrEqual(13);
    // A legitimate browser QR among them still settles, on its signal.
    const { qr, md5 } = browserQr(5000);
    await check(p, { md5, qr }, '203.0.113.50');
    sandbox.pay({ qr });
    sandbox.clock.advance(1_500);
    expect((await check(p, { md5, signal: 'paid' }, '203.0.113.50')).json.status).toBe('paid');
  }, 60_000);

  it('never refuses 20 pages behind one carrier NAT address at their normal cadence', async () => {
    const p = await proxyWith();
    const twenty = await checkouts(p, 20);
    const statuses = new Set<number>();
    for (let second = 0; second < 60; second += 2) {
      sandbox.clock.advance(2_000);
      for (const c of twenty) statuses.add((await check(p, { md5: c.md5 }, '100.64.0.1')).status);
    }
    expect([...statuses]).toEqual([200]);
  });

  it('still limits unknown md5s and signals per client', async () => {
    const p = await proxyWith({ rateLimit: { perClientCostly: 5 } } as Partial<KhqrProxyOptions>);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await check(p, { md5: i.toString(16).padStart(32, 'a') })).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
  });
});
