import type { FaultSpec, Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, dynamicQr, start } from '../test/helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await start({ seed: 42 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const md5 = 'a'.repeat(32);
const check = (init = {}) => call(sandbox, 'check_transaction_by_md5', { md5 }, init);
const checkList = (md5s: string[]) => call(sandbox, 'check_transaction_by_md5_list', md5s);
const inject = async (spec: FaultSpec) => {
  const answer = await call(sandbox, '/_sandbox/faults', spec);
  expect(answer.status).toBe(201);
  return answer.json;
};

describe('fault injection through the admin API', () => {
  it('delays an answer (latency)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'latency', latencyMs: 300 });
    const started = performance.now();
    expect((await check()).json).toMatchObject({ errorCode: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('answers 5xx with a JSON envelope (server-error)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'server-error', status: 503 });
    expect(await check()).toMatchObject({ status: 503, json: { responseCode: 1 } });
  });

  it('answers 429 with Retry-After (rate-limit)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'rate-limit', retryAfter: 7 });
    const answer = await check();
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
  });

  it("answers 403 with nginx's HTML page (forbidden, as outside Cambodia)", async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'forbidden' });
    const answer = await check();
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    expect(answer.text).toContain('<center><h1>403 Forbidden</h1></center>');
    expect(answer.json).toBeNull();
  });

  it('resets the connection (reset)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'reset' });
    await expect(check()).rejects.toThrow(/fetch failed/);
    expect(sandbox.counters().check_transaction_by_md5?.byStatus.reset).toBe(1);
  });

  it('answers 200 with HTML instead of JSON (non-json)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'non-json' });
    const answer = await check();
    expect(answer.status).toBe(200);
    expect(answer.json).toBeNull();
  });

  it('never answers until the client gives up (hang)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'hang' });
    const hung = fetch(`${sandbox.url}/v1/check_transaction_by_md5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ md5 }),
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow(/aborted|timeout/i);
    expect(sandbox.counters().check_transaction_by_md5?.byStatus.hang).toBe(1);
    expect((await check()).status).toBe(200);
  });

  it("answers 504 with nginx's HTML page, after latencyMs (gateway-timeout)", async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'gateway-timeout', latencyMs: 200 });
    const started = performance.now();
    const answer = await check();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(answer.status).toBe(504);
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    expect(answer.text).toContain('<center><h1>504 Gateway Time-out</h1></center>');
    expect(answer.json).toBeNull();
  });

  it('answers 200 with the errorCode 6 envelope (unauthorized-in-200)', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'unauthorized-in-200' });
    expect(await check()).toMatchObject({
      status: 200,
      json: {
        responseCode: 1,
        errorCode: 6,
        responseMessage: 'Unauthorized, not yet requested for token or code invalid',
        data: null,
      },
    });
    expect((await check()).json).toMatchObject({ errorCode: 1 });
  });

  it('answers every md5 of a list SERVICE_FAILED in a 200 success, a count counting calls (service-failed)', async () => {
    const paid = dynamicQr(sandbox, { amount: '1.00' });
    sandbox.pay({ qr: paid.qr });
    const md5s = [paid.md5, 'b'.repeat(32), 'c'.repeat(32)];
    await inject({ endpoint: 'check_transaction_by_md5_list', kind: 'service-failed', count: 2 });
    for (let i = 0; i < 2; i++) {
      expect(await checkList(md5s)).toMatchObject({
        status: 200,
        json: {
          responseCode: 0,
          errorCode: null,
          data: md5s.map((md5) => ({ md5, status: 'SERVICE_FAILED', data: null })),
        },
      });
    }
    expect((await checkList(md5s)).json?.data).toMatchObject([
      { md5: paid.md5, status: 'SUCCESS', data: { amount: 1 } },
      { status: 'NOT_FOUND' },
      { status: 'NOT_FOUND' },
    ]);
  });

  it('answers paid md5s of a list SUCCESS without data, the others as usual (success-without-data)', async () => {
    const paid = dynamicQr(sandbox, { amount: '1.00' });
    const failed = dynamicQr(sandbox, { amount: '2.00' });
    sandbox.pay({ qr: paid.qr });
    sandbox.fail({ qr: failed.qr });
    await inject({ endpoint: 'check_transaction_by_md5_list', kind: 'success-without-data' });
    const { status, json } = await checkList([paid.md5, failed.md5, 'b'.repeat(32)]);
    expect(status).toBe(200);
    expect(json).toMatchObject({ responseCode: 0, errorCode: null });
    expect(json?.data).toEqual([
      {
        md5: paid.md5,
        status: 'SUCCESS',
        message: 'Getting transaction successfully.',
        data: null,
      },
      { md5: failed.md5, status: 'FAILED', message: 'Transaction failed.', data: null },
      expect.objectContaining({ md5: 'b'.repeat(32), status: 'NOT_FOUND', data: null }),
    ]);
    expect((await checkList([paid.md5])).json?.data).toMatchObject([
      { status: 'SUCCESS', data: { amount: 1 } },
    ]);
  });

  it('hits only the next N requests of the named endpoint, then answers normally', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'server-error', count: 2 });
    expect((await check()).status).toBe(500);
    expect(
      (await call(sandbox, 'check_transaction_by_hash', { hash: 'b'.repeat(64) })).status,
    ).toBe(200);
    expect((await check()).status).toBe(500);
    expect((await check()).status).toBe(200);
    expect((await call(sandbox, '/_sandbox/faults', null, { method: 'GET' })).json).toEqual([]);
  });

  it('hits a seeded share of requests to every endpoint with "*", until cleared', async () => {
    await inject({ endpoint: '*', kind: 'server-error', share: 0.5 });
    const statuses = [];
    for (let i = 0; i < 100; i++) statuses.push((await check()).status);
    const failures = statuses.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(30);
    expect(failures).toBeLessThan(70);
    expect((await call(sandbox, '/_sandbox/faults', null, { method: 'DELETE' })).status).toBe(200);
    expect((await check()).status).toBe(200);
    // The same seed gives the same sequence after a reset.
    sandbox.reset();
    await inject({ endpoint: '*', kind: 'server-error', share: 0.5 });
    const again = [];
    for (let i = 0; i < 100; i++) again.push((await check()).status);
    expect(again).toEqual(statuses);
  });

  it('counts requests per endpoint and status', async () => {
    await inject({ endpoint: 'check_transaction_by_md5', kind: 'rate-limit' });
    await check();
    await check();
    await check({ token: null });
    expect((await call(sandbox, '/_sandbox/counters', null, { method: 'GET' })).json).toEqual({
      check_transaction_by_md5: {
        requests: 3,
        byStatus: { '429': 1, '200': 1, '401': 1 },
        byErrorCode: { '1': 1, '6': 1 },
      },
    });
  });

  it.each<[string, unknown]>([
    ['an unknown endpoint', { endpoint: 'nope', kind: 'reset' }],
    ['an unknown kind', { endpoint: '*', kind: 'explode' }],
    ['a share over 1', { endpoint: '*', kind: 'reset', share: 2 }],
    ['count and share', { endpoint: '*', kind: 'reset', share: 0.5, count: 1 }],
    ['a status that is not 5xx', { endpoint: '*', kind: 'server-error', status: 404 }],
    ['service-failed on another endpoint', { endpoint: '*', kind: 'service-failed' }],
    [
      'success-without-data on another endpoint',
      { endpoint: 'check_transaction_by_md5', kind: 'success-without-data' },
    ],
  ])('refuses %s with a readable 400', async (_, spec) => {
    const answer = await call(sandbox, '/_sandbox/faults', spec);
    expect(answer.status).toBe(400);
    expect(String(answer.json?.error)).toMatch(/fault\./);
  });
});
