import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKhqrProxy } from '@khqr-checkout/proxy';
import { nodeHandler } from '@khqr-checkout/proxy/node';
import { DEV_TOKEN, makeJwt, type Sandbox } from '@khqr-checkout/sandbox';
import express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test-utils/data-dir.ts';
import { spawnProxyCli } from '../../../test-utils/proxy-cli.ts';
import {
  captureLogger,
  expectNoLeaks,
  MERCHANT,
  request,
  startBank,
  startProxy,
} from '../test/harness.ts';

let sandbox: Sandbox;
const secrets = [DEV_TOKEN, 's3cret-checkout-key'];
beforeAll(async () => {
  sandbox = await startBank();
});
afterAll(async () => {
  expectNoLeaks(secrets);
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const options = () => ({
  database: temporaryDataDir('adapters'),
  bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
  merchant: { accounts: [MERCHANT], name: 'Shop' },
  logger: captureLogger,
});

describe('adapters', () => {
  it('mounts in Express under a base path, after express.json(), leaving other routes alone', async () => {
    const proxy = createKhqrProxy({ ...options(), basePath: '/api/khqr' });
    const app = express();
    app.use(express.json());
    app.use('/api/khqr', nodeHandler(proxy));
    app.get('/hello', (_req, res) => {
      res.send('world');
    });
    app.options('/api/khqr/extra', (_req, res) => {
      res.send('the app preflight');
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const checkout = await proxy.createCheckout({ amount: '1.00', currency: 'USD' });
      const answer = await request(`${url}/api/khqr/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ md5: checkout.md5 }),
      });
      expect(answer).toMatchObject({ status: 200, json: { status: 'pending' } });
      expect(await (await fetch(`${url}/hello`)).text()).toBe('world');
      expect((await fetch(`${url}/api/khqr/elsewhere`)).status).toBe(404);
      // The preflight of a path that is none of the proxy's routes is the app's too.
      const preflight = await fetch(`${url}/api/khqr/extra`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      });
      expect(await preflight.text()).toBe('the app preflight');
    } finally {
      server.close();
      await proxy.close();
    }
  });

  it('answers as a plain Fetch handler (Workers, Deno, Bun)', async () => {
    const proxy = createKhqrProxy({ ...options(), allowedOrigins: ['https://shop.example'] });
    const checkout = await proxy.createCheckout({ amount: 4000, currency: 'KHR' });
    sandbox.pay({ qr: checkout.qr });
    const response = await proxy.handler(
      new Request('https://shop.example/check', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
        body: JSON.stringify({ md5: checkout.md5 }),
      }),
      { clientIp: '203.0.113.9' },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'paid' });
    await proxy.close();
  });
});

describe('health and server-to-server creation', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  afterEach(() => proxy.close());

  it('reports token expiry and that Bakong is reachable, without the token', async () => {
    proxy = await startProxy(sandbox);
    const { status, json } = await proxy.get('/health');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      ok: true,
      token: { expired: false, expiringSoon: false },
      upstream: { status: 'reachable' },
    });
  });

  it('explains the Cambodian-IP rule when Bakong answers 403, and warns of a token about to expire', async () => {
    const soon = makeJwt(sandbox.clock.now(), sandbox.clock.now() + 2 * 86_400_000);
    secrets.push(soon);
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'forbidden' });
    proxy = await startProxy(sandbox, { tokenForBakong: soon });
    const { status, json } = await proxy.get('/health');
    expect(status).toBe(503);
    expect(json).toMatchObject({
      ok: false,
      token: { expiringSoon: true, daysLeft: 1 },
      upstream: { status: 'blocked', message: expect.stringContaining('Cambodian IP') },
    });
    expect(proxy.alerts).toContainEqual(expect.objectContaining({ type: 'token-expiring' }));
  });

  it('creates checkouts for a server holding the shared secret', async () => {
    proxy = await startProxy(sandbox, { checkoutSecret: 's3cret-checkout-key' });
    const created = await proxy.post(
      '/checkouts',
      { amount: '9.99', currency: 'USD', orderId: 'php-42' },
      { headers: { authorization: 'Bearer s3cret-checkout-key' } },
    );
    expect(created).toMatchObject({
      status: 201,
      json: {
        qr: expect.stringMatching(/^000201/),
        md5: expect.any(String),
        expiresAt: expect.any(Number),
      },
    });
    expect(
      await proxy.post(
        '/checkouts',
        { amount: 1, currency: 'USD' },
        { headers: { authorization: 'Bearer wrong' } },
      ),
    ).toMatchObject({ status: 401 });
    expect(
      await proxy.post(
        '/checkouts',
        { amount: 1, currency: 'EUR' },
        { headers: { authorization: 'Bearer s3cret-checkout-key' } },
      ),
    ).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_checkout' } },
    });
  });

  it('has no /checkouts route without a secret', async () => {
    proxy = await startProxy(sandbox);
    expect((await proxy.post('/checkouts', { amount: 1, currency: 'USD' })).status).toBe(404);
  });
});

describe('configuration errors are clear', () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      'no accounts',
      () => createKhqrProxy({ ...options(), merchant: { accounts: [] } }),
      /KHQR_MERCHANT_ACCOUNTS/,
    ],
    [
      'a * origin',
      () => createKhqrProxy({ ...options(), allowedOrigins: ['*'] }),
      /cannot be "\*"/,
    ],
    [
      'a foreign base URL',
      () =>
        createKhqrProxy({ ...options(), bakong: { token: 't', baseUrl: 'https://example.com' } }),
      /not a Bakong host/,
    ],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('khqr-proxy standalone server', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children) child.kill('SIGTERM');
  });
  const run = (env: Record<string, string>, until: RegExp) =>
    new Promise<{ output: string; code: number | null }>((resolve) => {
      const child = spawnProxyCli({ KHQR_DATA_DIR: temporaryDataDir('cli'), ...env });
      children.push(child);
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (until.test(output)) resolve({ output, code: null });
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => resolve({ output, code }));
    });

  it('serves /check and /health from environment configuration', async () => {
    const { output } = await run(
      {
        BAKONG_TOKEN: DEV_TOKEN,
        BAKONG_BASE_URL: sandbox.url,
        KHQR_MERCHANT_ACCOUNTS: MERCHANT,
        KHQR_CHECKOUT_SECRET: 's3cret-checkout-key',
      },
      /listening on \S+/,
    );
    const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1] as string;
    expect(output).not.toContain(DEV_TOKEN);
    const created = await request(`${url}/checkouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret-checkout-key' },
      body: JSON.stringify({ amount: 100, currency: 'KHR' }),
    });
    const md5 = created.json?.md5 as string;
    expect(
      (
        await request(`${url}/check`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ md5 }),
        })
      ).json,
    ).toMatchObject({ status: 'pending' });
    expect((await request(`${url}/health`)).json).toMatchObject({ ok: true });
  });

  it('explains missing configuration and exits with 2', async () => {
    const { output, code } = await run({ BAKONG_BASE_URL: sandbox.url }, /$^/);
    expect(code).toBe(2);
    expect(output).toContain('BAKONG_TOKEN is not set');
  });
});
