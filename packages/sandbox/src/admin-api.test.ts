import type { Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, dynamicQr, start } from '../test/helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const get = (path: string) => call(sandbox, path, null, { method: 'GET' });

describe('admin API', () => {
  it('moves and sets the clock', async () => {
    const before = (await get('/_sandbox/clock')).json?.now as number;
    const moved = (await call(sandbox, '/_sandbox/clock', { advanceMs: 3_600_000 })).json
      ?.now as number;
    expect(moved - before).toBeGreaterThanOrEqual(3_600_000);
    expect(moved - before).toBeLessThan(3_605_000);
    expect(
      (await call(sandbox, '/_sandbox/clock', { now: 1_767_225_600_000 })).json?.now,
    ).toBeGreaterThanOrEqual(1_767_225_600_000);
    expect(await call(sandbox, '/_sandbox/clock', { advanceMs: 'soon' })).toMatchObject({
      status: 400,
    });
  });

  it('issues and expires tokens', async () => {
    const issued = (await call(sandbox, '/_sandbox/tokens', { ttlSeconds: 60 })).json as {
      token: string;
      expiresAt: number;
    };
    expect(issued.expiresAt - sandbox.clock.now()).toBeLessThanOrEqual(60_000);
    const check = () =>
      call(sandbox, 'check_transaction_by_md5', { md5: 'c'.repeat(32) }, { token: issued.token });
    expect((await check()).status).toBe(200);
    expect((await call(sandbox, '/_sandbox/tokens/expire', { token: issued.token })).status).toBe(
      200,
    );
    expect((await check()).status).toBe(401);
    expect((await call(sandbox, '/_sandbox/tokens/expire', { token: 'nope' })).status).toBe(404);
  });

  it('lists seen and checked QRs, newest first', async () => {
    const scanned = dynamicQr(sandbox, { merchantName: 'Scanned' });
    await call(sandbox, '/_sandbox/qrs', { qr: scanned.qr });
    const onlyChecked = dynamicQr(sandbox, { merchantName: 'Only checked' });
    await call(sandbox, 'check_transaction_by_md5', { md5: onlyChecked.md5 });
    const list = (await get('/_sandbox/qrs')).json as unknown as Array<Record<string, unknown>>;
    expect(list.map((q) => q.md5)).toEqual([onlyChecked.md5, scanned.md5]);
    expect(list[0]).toMatchObject({ qr: null, checks: 1, merchantName: null });
    expect(list[1]).toMatchObject({
      merchantName: 'Scanned',
      amount: '2.50',
      currency: 'USD',
      status: 'unpaid',
      expired: false,
    });
    expect(await call(sandbox, '/_sandbox/qrs', { qr: 'garbage' })).toMatchObject({ status: 409 });
  });

  it('resets QRs, faults and counters but keeps tokens', async () => {
    const { token } = sandbox.issueToken();
    await call(sandbox, '/_sandbox/qrs', { qr: dynamicQr(sandbox).qr });
    await call(sandbox, '/_sandbox/faults', { endpoint: '*', kind: 'reset', count: 5 });
    expect((await call(sandbox, '/_sandbox/reset', {})).status).toBe(200);
    expect((await get('/_sandbox/qrs')).json).toEqual([]);
    expect((await get('/_sandbox/faults')).json).toEqual([]);
    expect((await get('/_sandbox/counters')).json).toEqual({});
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5: 'd'.repeat(32) }, { token })).status,
    ).toBe(200);
  });

  it('answers unknown admin routes 404 and wrong methods 405', async () => {
    expect((await get('/_sandbox/nope')).status).toBe(404);
    expect((await get('/_sandbox/pay')).status).toBe(405);
    expect(await call(sandbox, '/_sandbox/pay', { neither: true })).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('"qr"') },
    });
  });
});
