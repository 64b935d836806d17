// The proxy over real HTTP on 127.0.0.1 against the sandbox: once with the memory store, once as
// two instances sharing one real redis-server.
import { crc16, generateKhqr, type KhqrInput, khqrMd5 } from '@khqr-checkout/khqr';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  captured,
  closeEmbeddedDatabase,
  expectNoLeaks,
  MERCHANT,
  type ProxyUnderTest,
  type SetupKind,
  setupFor,
  startBank,
  startProxy,
} from '../test/harness.ts';
import { startPostgres } from '../test/postgres.ts';
import { startRedis } from '../test/redis.ts';

let sandbox: Sandbox;
let redis: Awaited<ReturnType<typeof startRedis>>;
let postgres: Awaited<ReturnType<typeof startPostgres>>;
const secrets: string[] = [DEV_TOKEN];
beforeAll(async () => {
  [sandbox, redis, postgres] = await Promise.all([startBank(), startRedis(), startPostgres()]);
});
afterAll(async () => {
  expectNoLeaks(secrets);
  await closeEmbeddedDatabase();
  await sandbox?.close();
  await redis?.stop();
  await postgres?.stop();
});

const upstreamCalls = (endpoint = 'check_transaction_by_md5') =>
  sandbox.counters()[endpoint]?.requests ?? 0;
/** Status checks of any kind: single and list calls. */
const checkCalls = () => upstreamCalls() + upstreamCalls('check_transaction_by_md5_list');

describe.each<SetupKind>(['embedded', 'postgres'])('proxy on the %s ledger', (kind) => {
  let instances: ProxyUnderTest[] = [];
  /** Instance i of the pool (two on Redis, so consecutive calls hit different instances). */
  const at = (i: number) => instances[i % instances.length] as ProxyUnderTest;
  const allPaid = () => instances.flatMap((p) => p.paid);
  const allAlerts = () => instances.flatMap((p) => p.alerts);

  async function pool(options: Parameters<typeof startProxy>[1] = {}, count = 2) {
    for (const p of instances) await p.close();
    const setups = await setupFor(
      kind,
      count,
      { postgresUrl: postgres.url, redisUrl: redis.url },
      () => sandbox.clock.now(),
    );
    instances = await Promise.all(
      setups.map((setup) => startProxy(sandbox, { ...setup, ...options })),
    );
  }
  beforeEach(async () => {
    sandbox.reset();
    await pool();
  });
  afterEach(async () => {
    for (const p of instances) await p.close();
    instances = [];
  });

  const browserQr = (input: Partial<KhqrInput> = {}) =>
    generateKhqr({
      bakongAccountId: MERCHANT,
      merchantName: 'KHQR Shop',
      currency: 'USD',
      amount: '4.50',
      lifetime: 300,
      now: sandbox.clock.now(),
      ...input,
    });

  describe('server-generated checkouts', () => {
    it('creates a KHQR for the order, answers pending, then paid once Bakong has it, and fires onPaid once', async () => {
      const checkout = await at(0).proxy.createCheckout({
        amount: 12000,
        currency: 'KHR',
        orderId: 'order-1',
        billNumber: 'INV-1',
      });
      expect(checkout).toMatchObject({
        md5: expect.stringMatching(/^[0-9a-f]{32}$/),
        checkoutId: expect.any(String),
      });
      const first = await at(1).post('/check', { md5: checkout.md5 });
      expect(first.status).toBe(200);
      expect(first.json).toEqual({
        status: 'pending',
        serverNow: expect.any(Number),
        expiresAt: checkout.expiresAt,
      });
      sandbox.pay({ qr: checkout.qr });
      sandbox.clock.advance(1500);
      expect((await at(0).post('/check', { md5: checkout.md5 })).json).toMatchObject({
        status: 'paid',
      });
      expect((await at(1).post('/check', { md5: checkout.md5 })).json).toMatchObject({
        status: 'paid',
      });
      expect(allPaid()).toEqual([
        expect.objectContaining({
          id: `evt_${checkout.md5}`,
          type: 'khqr.paid',
          md5: checkout.md5,
          orderId: 'order-1',
          amountMinor: 12000,
          currency: 'KHR',
          toAccountId: MERCHANT,
          late: false,
        }),
      ]);
      // The bill number is the page's to write: it is never handed back as if it named the order.
      expect(allPaid()[0]).not.toHaveProperty('billNumber');
      // The event is for fulfilment: it names the order, never the payer.
      expect(JSON.stringify(allPaid())).not.toContain('sok_dara');
    });

    it('answers only {status, serverNow, expiresAt}, and paidAt once paid: no payer, no hash, no envelope', async () => {
      const checkout = await at(0).proxy.createCheckout({ amount: '1.00', currency: 'USD' });
      const pending = await at(0).post('/check', { md5: checkout.md5 });
      expect(Object.keys(pending.json ?? {}).sort()).toEqual(['expiresAt', 'serverNow', 'status']);
      sandbox.clock.advance(1500);
      const paidAt = sandbox.clock.now();
      sandbox.pay({ qr: checkout.qr });
      const { json } = await at(0).post('/check', { md5: checkout.md5, signal: 'paid' });
      expect(json).toMatchObject({ status: 'paid' });
      expect(Object.keys(json ?? {}).sort()).toEqual([
        'expiresAt',
        'paidAt',
        'serverNow',
        'status',
      ]);
      // The receipt's time is Bakong's, not the time the page happened to ask.
      expect(Math.abs((json?.paidAt as number) - paidAt)).toBeLessThan(1000);
    });
  });

  describe('browser-generated QRs', () => {
    it('accepts a valid QR on its first check, then tracks it by md5 alone, in list calls only', async () => {
      const { qr, md5 } = browserQr();
      expect((await at(0).post('/check', { md5, qr })).json).toMatchObject({ status: 'pending' });
      sandbox.pay({ qr });
      // Anyone can make a browser QR: its page's checks ride in list calls every 5 s at most,
      // never a call of their own.
      sandbox.clock.advance(1500);
      expect((await at(1).post('/check', { md5 })).json).toMatchObject({ status: 'pending' });
      sandbox.clock.advance(3500);
      expect((await at(0).post('/check', { md5 })).json).toMatchObject({ status: 'paid' });
      expect(allPaid()).toHaveLength(1);
      expect(upstreamCalls('check_transaction_by_md5_list')).toBe(2);
      expect(upstreamCalls()).toBe(0);
    });

    it.each<[string, () => { qr: string; md5: string }, number, string]>([
      ['another account', () => browserQr({ bakongAccountId: 'thief@devb' }), 422, 'wrong_account'],
      [
        'a static QR',
        () => generateKhqr({ bakongAccountId: MERCHANT, merchantName: 'KHQR Shop' }),
        422,
        'static_qr',
      ],
      [
        'an expiry an hour away',
        () => browserQr({ lifetime: 3600, allowLongExpiry: true }),
        422,
        'invalid_qr',
      ],
      ['a second tag 29', () => withExtra(browserQr(), '29070003a@b'), 422, 'invalid_qr'],
      ['a second tag 54', () => withExtra(browserQr(), '54031.0'), 422, 'invalid_qr'],
      [
        'an md5 that is not the QR',
        () => ({ qr: browserQr().qr, md5: 'f'.repeat(32) }),
        400,
        'md5_mismatch',
      ],
    ])('refuses %s without asking Bakong', async (_, make, status, code) => {
      const { qr, md5 } = make();
      expect(await at(0).post('/check', { md5, qr })).toMatchObject({
        status,
        json: { error: { code } },
      });
      expect(upstreamCalls()).toBe(0);
      expect((await at(1).post('/check', { md5 })).status).toBe(404);
    });

    it('refuses every browser QR when the merchant gave no validate hook, without asking Bakong', async () => {
      await pool({ validate: null });
      const { qr, md5 } = browserQr();
      expect(await at(0).post('/check', { md5, qr })).toMatchObject({
        status: 422,
        json: { error: { code: 'browser_qr_not_accepted' } },
      });
      expect(upstreamCalls()).toBe(0);
      expect((await at(0).post('/check', { md5 })).status).toBe(404);
    });

    it("lets the merchant's validate hook refuse a QR", async () => {
      await pool({
        validate: (_qr, decoded) => (decoded.billNumber === 'OK' ? true : 'Unknown bill number.'),
      });
      const refused = browserQr({ billNumber: 'NOPE' });
      expect(await at(0).post('/check', refused)).toMatchObject({
        status: 422,
        json: { error: { code: 'rejected', message: 'Unknown bill number.' } },
      });
      expect((await at(0).post('/check', browserQr({ billNumber: 'OK' }))).status).toBe(200);
    });
  });

  it('answers an unknown md5 with 404 and no upstream call', async () => {
    expect(await at(0).post('/check', { md5: 'a'.repeat(32) })).toMatchObject({
      status: 404,
      json: { error: { code: 'unknown_md5' } },
    });
    expect(upstreamCalls()).toBe(0);
  });

  it('gives two orders of one amount made in the same millisecond two different QRs', async () => {
    // The proxies' clock stands still, so both checkouts are made at the same instant, on two
    // instances of one Redis store in the Redis run.
    const instant = sandbox.clock.now();
    await pool({ now: () => instant });
    const [a, b] = await Promise.all([
      at(0).proxy.createCheckout({ amount: '2.50', currency: 'USD', orderId: 'order-a' }),
      at(1).proxy.createCheckout({ amount: '2.50', currency: 'USD', orderId: 'order-b' }),
    ]);
    expect(a?.md5).not.toBe(b?.md5);
    sandbox.pay({ qr: b?.qr as string });
    expect((await at(0).post('/check', { md5: b?.md5 })).json).toMatchObject({ status: 'paid' });
    expect((await at(1).post('/check', { md5: a?.md5 })).json).toMatchObject({
      status: 'pending',
    });
    expect(allPaid().map((p) => p.orderId)).toEqual(['order-b']);
  });

  it('never reports a payment that does not match the order as paid', async () => {
    const checkout = await at(0).proxy.createCheckout({
      amount: '10.00',
      currency: 'USD',
      orderId: 'order-9',
    });
    sandbox.pay({ qr: checkout.qr }, { overrides: { amount: 1 } });
    expect((await at(0).post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'failed',
    });
    expect((await at(1).post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'failed',
    });
    expect(allPaid()).toEqual([]);
    expect(allAlerts()).toContainEqual(
      expect.objectContaining({
        type: 'mismatch',
        md5: checkout.md5,
        orderId: 'order-9',
        problems: [expect.stringContaining('amount')],
      }),
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['another receiving account', { toAccountId: 'thief@devb' }],
    ['another currency', { currency: 'KHR' }],
  ])('refuses %s', async (_, overrides) => {
    const checkout = await at(0).proxy.createCheckout({ amount: '10.00', currency: 'USD' });
    sandbox.pay({ qr: checkout.qr }, { overrides });
    expect((await at(0).post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'failed',
    });
    expect(allPaid()).toEqual([]);
  });

  it('answers failed when Bakong says the transaction failed', async () => {
    const checkout = await at(0).proxy.createCheckout({ amount: 5000, currency: 'KHR' });
    sandbox.fail({ qr: checkout.qr });
    expect((await at(0).post('/check', { md5: checkout.md5 })).json).toMatchObject({
      status: 'failed',
    });
  });

  it('answers expired only after expiry plus grace, and counts a payment made in the last seconds', async () => {
    const late = await at(0).proxy.createCheckout({ amount: 100, currency: 'KHR', ttl: 60 });
    const never = await at(0).proxy.createCheckout({ amount: 200, currency: 'KHR', ttl: 60 });
    // Paid just before expiry, first seen after expiry plus grace: still paid.
    sandbox.clock.advance(59_900);
    sandbox.pay({ qr: late.qr });
    sandbox.clock.advance(600);
    expect((await at(0).post('/check', { md5: never.md5 })).json).toMatchObject({
      status: 'pending',
    });
    sandbox.clock.advance(2_000);
    expect((await at(1).post('/check', { md5: never.md5 })).json).toMatchObject({
      status: 'expired',
    });
    expect((await at(0).post('/check', { md5: late.md5 })).json).toMatchObject({ status: 'paid' });
  });

  it('fires onPaid exactly once under 50 concurrent checks, with one upstream call at a time', async () => {
    const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
    sandbox.pay({ qr: checkout.qr });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => at(i).post('/check', { md5: checkout.md5 })),
    );
    expect(answers.every((a) => a.json?.status === 'paid')).toBe(true);
    expect(allPaid()).toHaveLength(1);
    expect(checkCalls()).toBeLessThanOrEqual(instances.length);
  });

  it('coalesces 50 concurrent checks of a pending md5 into one upstream call per cache window', async () => {
    const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => at(i).post('/check', { md5: checkout.md5 })),
    );
    expect(answers.every((a) => a.json?.status === 'pending')).toBe(true);
    expect(checkCalls()).toBe(1);
  });

  describe('Bakong trouble is never "failed"', () => {
    it.each<[string, number, Record<string, unknown>, Parameters<Sandbox['injectFault']>[0]]>([
      [
        '403 from outside Cambodia',
        503,
        { error: { code: 'upstream_forbidden' } },
        { endpoint: '*', kind: 'forbidden', count: 10 },
      ],
      // An outage: the page keeps waiting, told that confirmation comes later.
      [
        '429',
        200,
        { status: 'pending', delayed: true },
        { endpoint: '*', kind: 'rate-limit', retryAfter: 30, count: 10 },
      ],
      [
        '5xx',
        200,
        { status: 'pending', delayed: true },
        { endpoint: '*', kind: 'server-error', count: 10 },
      ],
      [
        'a connection reset',
        200,
        { status: 'pending', delayed: true },
        { endpoint: '*', kind: 'reset', count: 10 },
      ],
      [
        'a non-JSON 200',
        200,
        { status: 'pending', delayed: true },
        { endpoint: '*', kind: 'non-json', count: 10 },
      ],
      [
        'a hang until timeout',
        200,
        { status: 'pending', delayed: true },
        { endpoint: '*', kind: 'hang', count: 10 },
      ],
    ])('%s → %i, then the true status', async (_, status, json, fault) => {
      await pool({
        bakong: { token: DEV_TOKEN, baseUrl: sandbox.url, timeoutMs: 600 },
      });
      const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
      sandbox.injectFault(fault);
      const answer = await at(0).post('/check', { md5: checkout.md5 });
      expect(answer).toMatchObject({ status, json });
      sandbox.clearFaults();
      sandbox.pay({ qr: checkout.qr });
      expect((await at(1).post('/check', { md5: checkout.md5 })).json).toMatchObject({
        status: 'paid',
      });
    });

    it('does not retry behind the scheduler: one call per failure, every call counted', async () => {
      const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
      sandbox.injectFault({ endpoint: '*', kind: 'server-error', count: 1 });
      expect((await at(0).post('/check', { md5: checkout.md5 })).json).toMatchObject({
        status: 'pending',
        delayed: true,
      });
      expect(checkCalls()).toBe(1);
      expect((await at(0).post('/check', { md5: checkout.md5 })).json).toEqual({
        status: 'pending',
        serverNow: expect.any(Number),
        expiresAt: checkout.expiresAt,
      });
      expect(checkCalls()).toBe(2);
    });

    it('alerts on an expired token (401 / errorCode 6) and answers 503', async () => {
      const { token } = sandbox.issueToken(60_000);
      secrets.push(token);
      await pool({ tokenForBakong: token });
      const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
      sandbox.expireToken(token);
      expect(await at(0).post('/check', { md5: checkout.md5 })).toMatchObject({
        status: 503,
        json: { error: { code: 'upstream_unauthorized' } },
      });
      expect(allAlerts()).toContainEqual(expect.objectContaining({ type: 'unauthorized' }));
    });
  });

  describe('the browser contract', () => {
    it.each<
      [
        string,
        () => Promise<{ status: number; json: Record<string, unknown> | null }>,
        number,
        string,
      ]
    >([
      ['a bad md5', () => at(0).post('/check', { md5: 'ABC' }), 400, 'invalid_md5'],
      ['an uppercase md5', () => at(0).post('/check', { md5: 'A'.repeat(32) }), 400, 'invalid_md5'],
      [
        'a body over 1 KiB',
        () => at(0).post('/check', { md5: 'a'.repeat(32), pad: 'x'.repeat(1100) }),
        413,
        'too_large',
      ],
      [
        'text/plain',
        () => at(0).post('/check', '{"md5":"x"}', { headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported_media_type',
      ],
      ['broken JSON', () => at(0).post('/check', '{"md5":', {}), 400, 'invalid_json'],
      ['GET /check', () => at(0).get('/check'), 405, 'method_not_allowed'],
      ['an unknown route', () => at(0).get('/nope'), 404, 'not_found'],
    ])('refuses %s', async (_, send, status, code) => {
      expect(await send()).toMatchObject({
        status,
        json: { error: { code, message: expect.any(String) } },
      });
    });

    it('allows listed origins only, with CORS headers and preflight', async () => {
      const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
      const allowed = await at(0).post(
        '/check',
        { md5: checkout.md5 },
        { headers: { origin: 'https://shop.test' } },
      );
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.test');
      const refused = await at(0).post(
        '/check',
        { md5: checkout.md5 },
        { headers: { origin: 'https://evil.test' } },
      );
      expect(refused).toMatchObject({
        status: 403,
        json: {
          error: {
            code: 'origin_not_allowed',
            message: expect.stringContaining('https://evil.test'),
          },
        },
      });
      // Readable by that page (CORS on this refusal only), so its card names the cause instead
      // of "reconnecting" forever; its preflight passes for the same reason. Nothing was done.
      expect(refused.headers.get('access-control-allow-origin')).toBe('https://evil.test');
      const refusedPreflight = await at(0).get('/check', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
      });
      expect(refusedPreflight.status).toBe(204);
      // An Origin equal to the Host is not trusted by itself (DNS rebinding): it must be listed.
      const rebound = await at(0).proxy.handler(
        new Request('http://rebound.test/check', {
          method: 'POST',
          headers: { origin: 'http://rebound.test', 'content-type': 'application/json' },
          body: JSON.stringify({ md5: checkout.md5 }),
        }),
      );
      expect(rebound.status).toBe(403);
      const preflight = await at(0).get('/check', {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    });

    it('limits checks per md5 and per client with 429 and Retry-After', async () => {
      await pool({ rateLimit: { perMd5: 3, perClient: 1000, windowMs: 60_000 } });
      const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push(await at(i).post('/check', { md5: checkout.md5 }));
      expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 429, 429]);
      expect(Number(statuses[3]?.headers.get('retry-after'))).toBeGreaterThan(0);
      await pool({ rateLimit: { perMd5: 1000, perClient: 2, windowMs: 60_000 } });
      const a = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await at(i).post('/check', { md5: a.md5 })).status);
      expect(results).toEqual([200, 200, 429]);
    });
  });

  it('offers a deep link for known md5s only', async () => {
    const checkout = await at(0).proxy.createCheckout({ amount: '3.00', currency: 'USD' });
    expect((await at(0).post('/deeplink', { md5: checkout.md5 })).json).toEqual({
      shortLink: `${sandbox.url}/bank/?md5=${checkout.md5}`,
    });
    expect(await at(0).post('/deeplink', { md5: 'b'.repeat(32) })).toMatchObject({ status: 404 });
  });

  it('checks pending md5s in bulk when asked, and falls back to single checks when the list is refused', async () => {
    await pool({ bulk: true });
    const checkouts = await Promise.all(
      [1, 2, 3].map((n) => at(0).proxy.createCheckout({ amount: n, currency: 'USD' })),
    );
    sandbox.pay({ qr: checkouts[1]?.qr as string });
    const answers = await Promise.all(checkouts.map((c) => at(0).post('/check', { md5: c.md5 })));
    expect(answers.map((a) => a.json?.status)).toEqual(['pending', 'paid', 'pending']);
    expect(upstreamCalls('check_transaction_by_md5_list')).toBe(1);
    expect(upstreamCalls()).toBe(0);
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5_list', kind: 'forbidden' });
    sandbox.clock.advance(1500);
    expect((await at(0).post('/check', { md5: checkouts[0]?.md5 })).json).toMatchObject({
      status: 'pending',
    });
    expect(upstreamCalls()).toBe(1);
  });

  it('settles a checkout in the background when no browser polls (sweeper)', async () => {
    await pool({ sweeper: { intervalMs: 100 } }, 1);
    const checkout = await at(0).proxy.createCheckout({
      amount: '3.00',
      currency: 'USD',
      orderId: 'tab-closed',
    });
    sandbox.pay({ qr: checkout.qr });
    for (let i = 0; i < 50 && allPaid().length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(allPaid()).toEqual([expect.objectContaining({ orderId: 'tab-closed' })]);
  });
});

/** A QR with an extra data object inserted before the CRC (and the CRC recomputed). */
function withExtra({ qr }: { qr: string }, extra: string): { qr: string; md5: string } {
  const body = `${qr.slice(0, -8)}${extra}6304`;
  const tampered = body + crc16(body);
  return { qr: tampered, md5: khqrMd5(tampered) };
}

it('captures every response and log line for the leak scan', () => {
  expect(captured.responses.length).toBeGreaterThan(50);
});
