// The proxy's door, as an attacker and a bad day try it: forwarded addresses, what /health says,
// what is refused and how.
import { connect } from 'node:net';
import { createKhqrProxy, type ProxyStore } from '@khqr-checkout/proxy';
import { clientAddress, listen, nodeHandler } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';
import {
  captured,
  captureLogger,
  MERCHANT,
  request,
  startBank,
  startProxy,
} from '../test/harness.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startBank();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Sends raw bytes (requests `fetch` refuses to write) and resolves the status code. */
function raw(url: string, text: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('behind reverse proxies', () => {
  it('takes the address the trusted hop appended, so forged X-Forwarded-For entries do not dodge limits', async () => {
    const proxy = createKhqrProxy({
      database: temporaryDataDir('door-xff'),
      bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
      merchant: { accounts: [MERCHANT] },
      rateLimit: { perClient: 20, perClientCostly: 1000, perMd5: 1000 },
      logger: captureLogger,
      sweeper: false,
    });
    const server = await listen(proxy, 0, '127.0.0.1', { trustProxy: 1 });
    closers.push(server.close, () => proxy.close());
    const checkout = await proxy.createCheckout({ amount: 100, currency: 'KHR', ttl: 300 });
    // nginx appends the address it saw; what the client wrote is on the left.
    const check = (forged: string, real: string) =>
      request(`${server.url}/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `${forged}, ${real}` },
        body: JSON.stringify({ md5: checkout.md5 }),
      });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await check(`10.0.0.${i}`, '198.51.100.7')).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // Another real client behind the same nginx is not affected.
    expect((await check('198.51.100.7', '203.0.113.5')).status).toBe(200);
  });

  it('refuses a trustProxy that is no count of hops, instead of sharing one address among all', () => {
    const proxy = { handler: async () => new Response() } as never;
    for (const bad of [-1, 0.5, 11, 'yes'])
      expect(() => nodeHandler(proxy, { trustProxy: bad as never }), String(bad)).toThrow(
        /trustProxy/,
      );
    expect(() => nodeHandler(proxy, { trustProxy: 2 })).not.toThrow();
  });

  it('counts trusted hops from the right, as Express does', () => {
    expect(clientAddress('1.1.1.1, 2.2.2.2', '10.0.0.1', 1)).toBe('2.2.2.2');
    expect(clientAddress('1.1.1.1, 2.2.2.2, 3.3.3.3', '10.0.0.1', 2)).toBe('2.2.2.2');
    expect(clientAddress(['1.1.1.1', '2.2.2.2'], '10.0.0.1', 1)).toBe('2.2.2.2');
    // Fewer entries than hops: the leftmost there is.
    expect(clientAddress('', '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientAddress('2.2.2.2', '10.0.0.1', 5)).toBe('2.2.2.2');
    expect(clientAddress('2.2.2.2', '10.0.0.1', 0)).toBe('10.0.0.1');
  });
});

describe('/health says what checks see; /livez says the process serves', () => {
  it.each([
    ['server-error', 'server_error'],
    ['rate-limit', 'rate_limited'],
    ['non-json', 'bad_response'],
    ['forbidden', 'blocked'],
  ])(
    'a Bakong answering %s: /health 503 %s within one check, /livez 200',
    async (fault, upstream) => {
      const p = await startProxy(sandbox, { bulk: false, database: temporaryDataDir('door') });
      closers.push(p.close);
      const checkout = await p.proxy.createCheckout({ amount: 100, currency: 'KHR' });
      expect((await p.get('/health')).status).toBe(200);
      sandbox.injectFault({ endpoint: '*', kind: fault as 'server-error' });
      sandbox.clock.advance(1500);
      await p.post('/check', { md5: checkout.md5, signal: 'paid' });
      const health = await p.get('/health');
      expect(health).toMatchObject({
        status: 503,
        json: { ok: false, upstream: { status: upstream } },
      });
      expect((await p.get('/livez')).status).toBe(200);
    },
  );

  it('a token Bakong refuses (not a JWT: any non-empty token starts): 503 unauthorized and a log line', async () => {
    const p = await startProxy(sandbox, {
      tokenForBakong: 'a-plain-token-bakong-never-issued',
      database: temporaryDataDir('door'),
    });
    closers.push(p.close);
    expect((await p.get('/health')).json).toMatchObject({ token: { expiresAt: null } });
    const checkout = await p.proxy.createCheckout({ amount: 100, currency: 'KHR' });
    captured.logs.length = 0;
    // The page is told to retry (it shows "reconnecting"); the server settles once renewed.
    expect(await p.post('/check', { md5: checkout.md5 })).toMatchObject({
      status: 503,
      json: { error: { code: 'upstream_unauthorized' } },
    });
    expect(await p.get('/health')).toMatchObject({
      status: 503,
      json: { ok: false, upstream: { status: 'unauthorized' } },
    });
    expect(captured.logs.some((line) => line.includes('alert: unauthorized'))).toBe(true);
    expect(captured.logs.join('\n')).not.toContain('a-plain-token-bakong-never-issued');
  });

  it('a store that does not answer: checks 503 store_unavailable (the card reconnects), /health 503 with the cause', async () => {
    const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
    const store: ProxyStore = {
      claim: down,
      release: down,
      hit: down,
      problem: async () => 'Redis does not answer (ECONNREFUSED).',
      close: async () => undefined,
    };
    const p = await startProxy(sandbox, { store, database: temporaryDataDir('door') });
    closers.push(p.close);
    const checkout = await p.proxy.createCheckout({ amount: 100, currency: 'KHR' });
    expect(await p.post('/check', { md5: checkout.md5 })).toMatchObject({
      status: 503,
      json: { error: { code: 'store_unavailable' } },
    });
    expect(await p.get('/health')).toMatchObject({
      status: 503,
      json: { store: { ok: false, message: expect.stringContaining('ECONNREFUSED') } },
    });
    expect((await p.get('/livez')).status).toBe(200);
  });

  it('a spent daily budget: /health 503 (payments cannot be confirmed now), /livez 200', async () => {
    const p = await startProxy(sandbox, {
      bakong: { token: DEV_TOKEN, baseUrl: sandbox.url, dailyBudget: 4 },
      database: temporaryDataDir('door'),
    });
    closers.push(p.close);
    const checkouts = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => p.proxy.createCheckout({ amount: 100 * i, currency: 'KHR' })),
    );
    for (const c of checkouts) {
      sandbox.clock.advance(1500);
      await p.post('/check', { md5: c.md5, signal: 'paid' });
    }
    expect(await p.get('/health')).toMatchObject({
      status: 503,
      json: { budget: { dailyBudget: 4, exhausted: true } },
    });
    expect((await p.get('/livez')).status).toBe(200);
  });
});

describe('refused, with a 4xx that says why', () => {
  it('requires a currency and a lifetime of whole seconds, 60 to 600', async () => {
    const p = await startProxy(sandbox, {
      checkoutSecret: 'door-secret-value',
      database: temporaryDataDir('door'),
    });
    closers.push(p.close);
    const create = (body: Record<string, unknown>) =>
      p.post('/checkouts', body, { headers: { authorization: 'Bearer door-secret-value' } });
    const noCurrency = await create({ amount: 1 });
    expect(noCurrency).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_checkout' } },
    });
    expect(JSON.stringify(noCurrency.json)).toContain('currency is required');
    for (const ttl of [0.001, 59, 60.5, 601, '300'])
      expect((await create({ amount: 1, currency: 'USD', ttl })).status, String(ttl)).toBe(400);
    for (const ttl of [60, 600])
      expect((await create({ amount: 1, currency: 'USD', ttl })).status, String(ttl)).toBe(201);
    await expect(p.proxy.createCheckout({ amount: 1, currency: 'USD', ttl: 5 })).rejects.toThrow(
      /60–600/,
    );
  });

  it('a malformed Host or an absolute-form target is a 400, not a 500', async () => {
    const p = await startProxy(sandbox, { database: temporaryDataDir('door') });
    closers.push(p.close);
    const body = '{"md5":"0123456789abcdef0123456789abcdef"}';
    const post = (target: string, host: string) =>
      raw(
        p.url,
        `POST ${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    expect(await post('/check', 'user@evil')).toBe(400);
    expect(await post('/check', 'a b')).toBe(400);
    // Shaped like a host, refused by the URL parser: the client's mistake too.
    for (const host of ['localhost:99999', '999.999.999.999', '[:::]', '[1.2.3.4]'])
      expect(await post('/check', host), host).toBe(400);
    expect(await post('http://other.test/check', 'shop.test')).toBe(400);
    expect(await post('/check', 'shop.test:8080')).toBe(404);
  });

  it('/health lists the origins it refused in the last hour, most recent first, 20 at most', async () => {
    // The proxy's clock stands still but where the test moves it.
    let now = Date.now();
    const p = await startProxy(sandbox, { database: temporaryDataDir('door'), now: () => now });
    closers.push(p.close);
    const checkout = await p.proxy.createCheckout({ amount: 100, currency: 'KHR' });
    const from = (origin: string) =>
      p.post('/check', { md5: checkout.md5 }, { headers: { origin } });
    const refused = async () => (await p.get('/health')).json?.refusedOrigins;
    expect(await refused()).toEqual([]);
    const t0 = now;
    for (let i = 0; i < 3; i++) {
      const answer = await from('https://evil.test');
      // The page can read why (CORS on this refusal), so its card names the cause.
      expect(answer).toMatchObject({
        status: 403,
        json: { error: { code: 'origin_not_allowed' } },
      });
      expect(answer.headers.get('access-control-allow-origin')).toBe('https://evil.test');
    }
    // A preflight passes (it is not the refusal), and the listed shop is not refused.
    await p.get('/check', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect((await from('https://shop.test')).status).toBe(200);
    now += 5000;
    await from('http://localhost:5173');
    expect(await refused()).toEqual([
      { origin: 'http://localhost:5173', count: 1, firstAt: t0 + 5000, lastAt: t0 + 5000 },
      { origin: 'https://evil.test', count: 3, firstAt: t0, lastAt: t0 },
    ]);
    // Refused again: first again, its count going on.
    now += 1000;
    await from('https://evil.test');
    expect(await refused()).toMatchObject([
      { origin: 'https://evil.test', count: 4, firstAt: t0, lastAt: t0 + 6000 },
      { origin: 'http://localhost:5173', count: 1 },
    ]);
    // Twenty at most, the most recent kept.
    for (let i = 0; i < 25; i++) await from(`https://site${i}.test`);
    const list = (await refused()) as Array<{ origin: string }>;
    expect(list.map((r) => r.origin)).toEqual(
      Array.from({ length: 20 }, (_, i) => `https://site${24 - i}.test`),
    );
    // An hour later, none of them.
    now += 3_600_000;
    expect(await refused()).toEqual([]);
    // Origins and counts only: nothing a request carried besides its Origin.
    await from('https://evil.test');
    expect(JSON.stringify(await refused())).toBe(
      JSON.stringify([
        { origin: 'https://evil.test', count: 1, firstAt: t0 + 3_606_000, lastAt: t0 + 3_606_000 },
      ]),
    );
  });

  it('an Origin no browser sends (markup, a bare word) is refused but neither logged nor listed', async () => {
    const p = await startProxy(sandbox, { database: temporaryDataDir('door') });
    closers.push(p.close);
    const checkout = await p.proxy.createCheckout({ amount: 100, currency: 'KHR' });
    for (const origin of [
      '<script>alert(1)</script>',
      'shop.test',
      'https://a.test/path',
      'javascript:x',
    ])
      expect((await p.post('/check', { md5: checkout.md5 }, { headers: { origin } })).status).toBe(
        403,
      );
    await p.post('/check', { md5: checkout.md5 }, { headers: { origin: 'https://[::1]:8443' } });
    await p.post('/check', { md5: checkout.md5 }, { headers: { origin: 'null' } });
    const listed = (await p.get('/health')).json?.refusedOrigins as Array<{ origin: string }>;
    expect(listed.map((r) => r.origin)).toEqual(['null', 'https://[::1]:8443']);
  });

  it('outside basePath nothing belongs to the proxy: no route, no origin check, handed on', async () => {
    const p = await startProxy(sandbox, {
      database: temporaryDataDir('door'),
      basePath: '/api/khqr',
    });
    closers.push(p.close);
    // Mounted at the site root: the shop's own /health and /orders are not answered by the proxy.
    for (const path of ['/health', '/livez', '/orders', '/api/khqrx/check']) {
      const answer = await p.get(path, { headers: { origin: 'https://partner.test' } });
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('x-khqr-no-route'), path).toBe('1');
      expect(answer.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    expect((await p.get('/api/khqr/health')).json).toMatchObject({ upstream: expect.any(Object) });
    expect((await p.get('/api/khqr/livez')).status).toBe(200);
  });

  it('a route it does not have is not_found, told apart from an md5 it does not know', async () => {
    const p = await startProxy(sandbox, {
      database: temporaryDataDir('door'),
      basePath: '/api/khqr',
    });
    closers.push(p.close);
    const headers = { origin: 'https://shop.test' };
    const route = await p.post('/api/khqr/chek', { md5: 'a'.repeat(32) }, { headers });
    expect(route).toMatchObject({
      status: 404,
      json: { error: { code: 'not_found', message: expect.stringContaining('/api/khqr/check') } },
    });
    // Readable by the shop's page, whose card then says no payment server is at that URL: its
    // preflight passes too (a page on another origin would otherwise see a network error only).
    expect(route.headers.get('access-control-allow-origin')).toBe('https://shop.test');
    const preflight = await p.get('/api/khqr/chek', {
      method: 'OPTIONS',
      headers: { ...headers, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.test');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(await p.post('/api/khqr/check', { md5: 'a'.repeat(32) }, { headers })).toMatchObject({
      status: 404,
      json: { error: { code: 'unknown_md5' } },
    });
  });

  it('lists a development host on any port with host:*, and nothing else', async () => {
    const p = await startProxy(sandbox, {
      allowedOrigins: ['http://localhost:*'],
      database: temporaryDataDir('door'),
    });
    closers.push(p.close);
    const from = async (origin: string) =>
      (await p.get('/health', { headers: { origin } })).status === 403 ? 'refused' : 'allowed';
    expect(await from('http://localhost:5173')).toBe('allowed');
    expect(await from('http://localhost:3000')).toBe('allowed');
    expect(await from('http://localhost.evil.test:3000')).toBe('refused');
    expect(await from('https://localhost:3000')).toBe('refused');
    expect(await from('http://localhost:3000@evil.test')).toBe('refused');
  });
});
