import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKhqr } from '@khqr-checkout/khqr';
import { PaymentRefused, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, dynamicQr, start } from '../test/helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

function refusal(fn: () => unknown): PaymentRefused {
  try {
    fn();
  } catch (error) {
    if (error instanceof PaymentRefused) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('paying a QR made by our SDK', () => {
  it('records a transaction that the md5 check returns with the QR amount, currency and account', async () => {
    const { qr, md5 } = dynamicQr(sandbox, {
      bakongAccountId: 'phsar@devb',
      currency: 'KHR',
      amount: 12000,
    });
    const paid = (await call(sandbox, '/_sandbox/pay', { qr, payer: 'chan_sophea@devb' })).json;
    expect(paid).toMatchObject({ md5, status: 'paid', amount: '12000', currency: 'KHR' });
    const { json } = await call(sandbox, 'check_transaction_by_md5', { md5 });
    expect(json?.data).toMatchObject({
      amount: 12000,
      currency: 'KHR',
      toAccountId: 'phsar@devb',
      fromAccountId: 'chan_sophea@devb',
    });
  });

  it('refuses to pay twice', async () => {
    const { qr } = dynamicQr(sandbox);
    sandbox.pay({ qr });
    expect(refusal(() => sandbox.pay({ qr }))).toMatchObject({
      reason: 'already-paid',
      message: 'This QR is already paid.',
    });
    expect(await call(sandbox, '/_sandbox/pay', { qr })).toMatchObject({
      status: 409,
      json: { error: 'This QR is already paid.' },
    });
  });

  it('refuses an expired QR, by the sandbox clock', () => {
    const { qr } = dynamicQr(sandbox, { lifetime: 60 });
    sandbox.clock.advance(60_001);
    expect(refusal(() => sandbox.pay({ qr }))).toMatchObject({
      reason: 'expired',
      message: expect.stringContaining('expired'),
    });
  });

  it('refuses a static QR, whose payment Bakong cannot find by md5', () => {
    const { qr } = generateKhqr({ bakongAccountId: 'phsar@devb', merchantName: 'Phsar' });
    expect(refusal(() => sandbox.pay({ qr }))).toMatchObject({
      reason: 'static-qr',
      message: expect.stringContaining('static'),
    });
  });

  it('refuses a QR with a wrong CRC or that is not a KHQR', () => {
    const { qr } = dynamicQr(sandbox);
    expect(refusal(() => sandbox.pay({ qr: `${qr.slice(0, -4)}0000` })).reason).toBe('invalid-qr');
    expect(refusal(() => sandbox.pay({ qr: 'hello' })).reason).toBe('invalid-qr');
  });

  it('pays by md5 only a QR it has seen', async () => {
    const { qr, md5 } = dynamicQr(sandbox);
    expect(await call(sandbox, '/_sandbox/pay', { md5 })).toMatchObject({
      status: 404,
      json: { error: expect.stringContaining('scan') },
    });
    sandbox.see(qr);
    expect((await call(sandbox, '/_sandbox/pay', { md5 })).json).toMatchObject({ status: 'paid' });
  });

  it('records failures: md5 checks answer errorCode 3; a failed QR may be paid on a retry, a paid one not failed', async () => {
    const { qr, md5 } = dynamicQr(sandbox);
    expect((await call(sandbox, '/_sandbox/fail', { qr })).json).toMatchObject({
      status: 'failed',
    });
    expect((await call(sandbox, 'check_transaction_by_md5', { md5 })).json).toMatchObject({
      errorCode: 3,
    });
    sandbox.pay({ qr });
    expect((await call(sandbox, 'check_transaction_by_md5', { md5 })).json).toMatchObject({
      responseCode: 0,
    });
    expect(await call(sandbox, '/_sandbox/fail', { qr })).toMatchObject({ status: 409 });
  });

  it('can record a transaction that differs from the QR, to test a checker', async () => {
    const { qr, md5 } = dynamicQr(sandbox, { amount: '10.00' });
    await call(sandbox, '/_sandbox/pay', {
      qr,
      overrides: { amount: 1, toAccountId: 'thief@devb' },
    });
    expect((await call(sandbox, 'check_transaction_by_md5', { md5 })).json?.data).toMatchObject({
      amount: 1,
      toAccountId: 'thief@devb',
    });
  });

  it('keeps the ledger across a restart when persisting to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'khqr-sandbox-'));
    try {
      const file = join(dir, 'ledger.json');
      const first = await start({ persist: file });
      const { qr, md5 } = dynamicQr(first);
      first.pay({ qr });
      await first.close();
      expect(JSON.parse(readFileSync(file, 'utf8')).ledger.records).toHaveLength(1);
      const second = await start({ persist: file });
      try {
        expect((await call(second, 'check_transaction_by_md5', { md5 })).json).toMatchObject({
          responseCode: 0,
          data: { amount: 2.5 },
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
