import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKhqr } from '@khqr-checkout/khqr';
import { checkBaseUrl, createBakongClient } from '@khqr-checkout/proxy';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MERCHANT, startBank } from '../test/harness.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startBank();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const client = (options = {}) =>
  createBakongClient({
    token: DEV_TOKEN,
    baseUrl: sandbox.url,
    backoffMs: 5,
    timeoutMs: 1500,
    ...options,
  });
const qr = (amount = '2.00') =>
  generateKhqr({
    bakongAccountId: MERCHANT,
    merchantName: 'Shop',
    currency: 'USD',
    amount,
    now: sandbox.clock.now(),
  });

describe('createBakongClient against the sandbox', () => {
  it('checks by md5, hash, short hash, md5 list and hash list', async () => {
    const paid = qr();
    const pending = qr('3.00');
    const record = sandbox.pay({ qr: paid.qr });
    const hash = record.transaction?.hash as string;
    const bakong = client();
    expect(await bakong.checkTransactionByMd5(paid.md5)).toMatchObject({
      kind: 'success',
      data: { hash, amount: 2, currency: 'USD', toAccountId: MERCHANT },
    });
    expect(await bakong.checkTransactionByMd5(pending.md5)).toEqual({ kind: 'not-found' });
    expect(await bakong.checkTransactionByHash(hash)).toMatchObject({
      kind: 'success',
      data: { hash },
    });
    expect(
      await bakong.checkTransactionByShortHash({
        hash: hash.slice(0, 8),
        amount: 2,
        currency: 'USD',
      }),
    ).toMatchObject({ kind: 'success' });
    const list = await bakong.checkTransactionByMd5List([pending.md5, paid.md5]);
    expect(
      list.kind === 'success' && Object.fromEntries(list.data.map((i) => [i.md5, i.outcome.kind])),
    ).toEqual({ [pending.md5]: 'not-found', [paid.md5]: 'success' });
    const hashes = await bakong.checkTransactionByHashList([hash]);
    expect(hashes).toMatchObject({
      kind: 'success',
      data: [{ hash, outcome: { kind: 'success' } }],
    });
  });

  it('makes deep links, renews tokens and checks accounts', async () => {
    const bakong = client();
    expect(
      await bakong.generateDeepLink(qr().qr, {
        appIconUrl: 'https://s.test/i.png',
        appName: 'S',
        appDeepLinkCallback: 'https://s.test/cb',
      }),
    ).toMatchObject({
      kind: 'success',
      data: { shortLink: expect.stringContaining('/bank/?md5=') },
    });
    expect(await bakong.generateDeepLink('not a qr')).toMatchObject({
      kind: 'rejected',
      errorCode: 4,
    });
    expect(await bakong.renewToken('dev@sandbox.khqr-checkout.test')).toMatchObject({
      kind: 'success',
      data: { token: expect.any(String) },
    });
    expect(await bakong.checkBakongAccount(MERCHANT)).toEqual({ kind: 'success', data: null });
    expect(await bakong.checkBakongAccount('nobody@devb')).toMatchObject({
      kind: 'rejected',
      errorCode: 11,
    });
    expect(await bakong.checkBakongAccount('bad')).toMatchObject({
      kind: 'rejected',
      errorCode: 12,
    });
  });

  it('classifies an unknown token as unauthorized and does not retry it', async () => {
    expect(await client({ token: 'nope' }).checkTransactionByMd5('a'.repeat(32))).toEqual({
      kind: 'unauthorized',
    });
    expect(sandbox.counters().check_transaction_by_md5?.requests).toBe(1);
  });

  it('retries transient trouble with backoff, honouring Retry-After', async () => {
    sandbox.injectFault({
      endpoint: 'check_transaction_by_md5',
      kind: 'rate-limit',
      retryAfter: 0,
      count: 1,
    });
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'reset', count: 1 });
    expect(await client().checkTransactionByMd5('a'.repeat(32))).toEqual({ kind: 'not-found' });
    expect(sandbox.counters().check_transaction_by_md5?.requests).toBe(3);
  });

  it('does not wait past its budget for a Retry-After', async () => {
    sandbox.injectFault({
      endpoint: 'check_transaction_by_md5',
      kind: 'rate-limit',
      retryAfter: 60,
      count: 1,
    });
    expect(await client().checkTransactionByMd5('a'.repeat(32))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 60_000,
    });
    expect(sandbox.counters().check_transaction_by_md5?.requests).toBe(1);
  });

  it('times out a hanging call within its budget', async () => {
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'hang', count: 5 });
    const started = Date.now();
    expect(await client({ timeoutMs: 400 }).checkTransactionByMd5('a'.repeat(32))).toEqual({
      kind: 'upstream-error',
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('queues calls within the global budget (concurrency)', async () => {
    sandbox.injectFault({
      endpoint: 'check_transaction_by_md5',
      kind: 'latency',
      latencyMs: 100,
      count: 4,
    });
    const bakong = client({ budget: { concurrency: 1, ratePerSecond: 100 }, timeoutMs: 5000 });
    const started = Date.now();
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map(() => bakong.checkTransactionByMd5('a'.repeat(32))),
    );
    expect(outcomes.every((o) => o.kind === 'not-found')).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('answers "blocked" from a 403 probe and "reachable" from a 401 one', async () => {
    expect(await client().probe()).toBe('reachable');
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'forbidden' });
    expect(await client().probe()).toBe('blocked');
    expect(
      await createBakongClient({
        token: 'x',
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: 500,
      }).probe(),
    ).toBe('unreachable');
  });
});

describe('createBakongClient safety', () => {
  it('never follows a redirect', async () => {
    let targetHits = 0;
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/elsewhere')) {
        targetHits++;
        res.end('{"responseCode":0,"data":{}}');
        return;
      }
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(
        await createBakongClient({ token: 't', baseUrl: url, retries: 0 }).checkTransactionByMd5(
          'a'.repeat(32),
        ),
      ).toEqual({
        kind: 'upstream-error',
        reason: 'redirect',
        status: 302,
      });
      expect(targetHits).toBe(0);
    } finally {
      server.close();
    }
  });

  it('reads md5_list items: SERVICE_FAILED is no answer yet, a SUCCESS without data is unconfirmed', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          responseCode: 0,
          errorCode: null,
          responseMessage: 'Getting transaction successfully.',
          data: [
            {
              md5: 'a'.repeat(32),
              status: 'SERVICE_FAILED',
              message: 'Service failed',
              data: null,
            },
            { md5: 'b'.repeat(32), status: 'SUCCESS', message: 'Success', data: null },
            { md5: 'c'.repeat(32), status: 'NOT_FOUND', message: 'Not found', data: null },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const outcome = await createBakongClient({
        token: 't',
        baseUrl: url,
        retries: 0,
      }).checkTransactionByMd5List(['a', 'b', 'c'].map((c) => c.repeat(32)));
      expect(outcome).toEqual({
        kind: 'success',
        data: [
          { md5: 'a'.repeat(32), outcome: { kind: 'upstream-error', reason: 'service-failed' } },
          { md5: 'b'.repeat(32), outcome: { kind: 'upstream-error', reason: 'unconfirmed' } },
          { md5: 'c'.repeat(32), outcome: { kind: 'not-found' } },
        ],
      });
    } finally {
      server.close();
    }
  });

  it('accepts only Bakong hosts or loopback as base URL', () => {
    expect(checkBaseUrl('https://api-bakong.nbc.gov.kh/')).toBe('https://api-bakong.nbc.gov.kh');
    expect(checkBaseUrl('https://sit-api-bakong.nbc.gov.kh')).toBe(
      'https://sit-api-bakong.nbc.gov.kh',
    );
    expect(checkBaseUrl('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
    expect(() => checkBaseUrl('https://evil.example')).toThrow(/not a Bakong host/);
    expect(() => checkBaseUrl('http://api-bakong.nbc.gov.kh')).toThrow(/not a Bakong host/);
    expect(() => checkBaseUrl('nope')).toThrow(/not a URL/);
    expect(() => createBakongClient({ token: '', baseUrl: 'http://127.0.0.1:1' })).toThrow(
      /token is required/,
    );
  });
});
