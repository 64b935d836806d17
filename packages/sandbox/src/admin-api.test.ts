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

  it('clears the list of seen QRs but keeps payments and failures; QRs seen later are listed', async () => {
    const paid = dynamicQr(sandbox, {
      merchantName: 'Paid',
      billNumber: 'KH-1',
      storeLabel: 'Kampot',
      purpose: 'Pepper',
    });
    const failed = dynamicQr(sandbox, { merchantName: 'Failed', amount: '3.00' });
    const checkedOnly = 'c'.repeat(32);
    sandbox.pay({ qr: paid.qr });
    sandbox.fail({ qr: failed.qr });
    await call(sandbox, 'check_transaction_by_md5', { md5: checkedOnly });
    const before = (await get('/_sandbox/qrs')).json as unknown as Array<Record<string, unknown>>;
    expect(before.find((q) => q.md5 === paid.md5)).toMatchObject({
      billNumber: 'KH-1',
      storeLabel: 'Kampot',
      purpose: 'Pepper',
    });
    expect(before.find((q) => q.md5 === failed.md5)).toMatchObject({
      storeLabel: null,
      purpose: null,
    });

    expect(await call(sandbox, '/_sandbox/qrs/clear', {})).toMatchObject({
      status: 200,
      json: { cleared: 3 },
    });
    expect((await get('/_sandbox/qrs')).json).toEqual([]);
    // Bakong answers as before, and checking a cleared QR does not list it again.
    expect((await call(sandbox, 'check_transaction_by_md5', { md5: paid.md5 })).json).toMatchObject(
      { responseCode: 0, data: { amount: 2.5, description: 'KH-1' } },
    );
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5: failed.md5 })).json,
    ).toMatchObject({ errorCode: 3 });
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5: checkedOnly })).json,
    ).toMatchObject({ errorCode: 1 });
    expect(await call(sandbox, '/_sandbox/pay', { md5: paid.md5 })).toMatchObject({ status: 409 });
    expect((await get('/_sandbox/qrs')).json).toEqual([]);

    // New QRs, and cleared ones scanned again, are listed.
    const later = dynamicQr(sandbox, { merchantName: 'Later', amount: '4.00' });
    await call(sandbox, '/_sandbox/qrs', { qr: later.qr });
    sandbox.see(failed.qr);
    const after = (await get('/_sandbox/qrs')).json as unknown as Array<Record<string, unknown>>;
    expect(after.map((q) => [q.merchantName, q.status]).sort()).toEqual([
      ['Failed', 'failed'],
      ['Later', 'unpaid'],
    ]);
    expect(sandbox.clearList()).toBe(2);
    expect(await call(sandbox, '/_sandbox/qrs/clear', {})).toMatchObject({ json: { cleared: 0 } });
    expect((await get('/_sandbox/qrs/clear')).status).toBe(405);
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

  it('counts the errorCode of every envelope answered, per endpoint, until reset', async () => {
    const md5 = 'e'.repeat(32);
    const failed = dynamicQr(sandbox);
    sandbox.fail({ qr: failed.qr });
    const paid = dynamicQr(sandbox, { amount: '3.00' });
    sandbox.pay({ qr: paid.qr });
    await call(sandbox, 'check_transaction_by_md5', { md5 });
    await call(sandbox, 'check_transaction_by_md5', { md5: failed.md5 });
    await call(sandbox, 'check_transaction_by_md5', { md5: paid.md5 });
    await call(sandbox, 'check_transaction_by_md5', { md5 }, { token: null });
    await call(sandbox, 'check_transaction_by_md5', {});
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'unauthorized-in-200' });
    await call(sandbox, 'check_transaction_by_md5', { md5 });
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'server-error' });
    await call(sandbox, 'check_transaction_by_md5', { md5 });
    sandbox.injectFault({ endpoint: 'check_transaction_by_md5', kind: 'non-json' });
    await call(sandbox, 'check_transaction_by_md5', { md5 });
    sandbox.quota.setLimit(0);
    await call(sandbox, 'check_transaction_by_md5_list', [md5]);
    sandbox.quota.setLimit(null);
    const counters = (await get('/_sandbox/counters')).json;
    expect(counters).toEqual({
      check_transaction_by_md5: {
        requests: 8,
        byStatus: { '200': 5, '401': 1, '400': 1, '500': 1 },
        byErrorCode: { '1': 1, '3': 1, '5': 1, '6': 2 },
      },
      check_transaction_by_md5_list: {
        requests: 1,
        byStatus: { '200': 1 },
        byErrorCode: { '17': 1 },
      },
    });
    expect(sandbox.counters()).toEqual(counters);
    sandbox.reset();
    expect(sandbox.counters()).toEqual({});
    expect((await get('/_sandbox/counters')).json).toEqual({});
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
