import { generateKhqr } from '@khqr-checkout/khqr';
import { DEV_TOKEN, type Sandbox } from '@khqr-checkout/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, dynamicQr, start } from '../test/helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const NOT_FOUND = {
  responseCode: 1,
  responseMessage: 'Transaction could not be found. Please check and try again.',
  errorCode: 1,
  data: null,
};

// The success sample of the integration document (section "Check transaction by md5").
const SEED_SAMPLE = JSON.parse(`{
  "responseCode": 0,
  "responseMessage": "Getting transaction successfully.",
  "data": {
    "hash": "8465d722d7d5065f2886f0a474a4d34dc6a7855355b611836f7b6111228893e9",
    "fromAccountId": "rieu_dhqj_1984@devb",
    "toAccountId": "bridge_account@devb",
    "currency": "USD",
    "amount": 1.0,
    "description": "testing bakong generator"
  }
}`) as { data: Record<string, unknown> } & Record<string, unknown>;

describe('check_transaction_by_md5', () => {
  it('answers "not found" (errorCode 1) for an md5 nobody paid', async () => {
    const { md5 } = dynamicQr(sandbox);
    expect(await call(sandbox, 'check_transaction_by_md5', { md5 })).toMatchObject({
      status: 200,
      json: NOT_FOUND,
    });
  });

  it('answers the transaction once the QR is paid, shaped like the seed sample', async () => {
    const { qr, md5 } = dynamicQr(sandbox, { billNumber: 'INV-7' });
    const before = sandbox.clock.now();
    sandbox.pay({ qr }, { payer: 'chan_sophea@devb' });
    const after = sandbox.clock.now();
    const { status, json } = await call(sandbox, 'check_transaction_by_md5', { md5 });
    expect(status).toBe(200);
    const data = json?.data as Record<string, unknown>;
    expect(json).toMatchObject({
      responseCode: 0,
      responseMessage: SEED_SAMPLE.responseMessage,
      errorCode: null,
    });
    expect(data).toMatchObject({
      fromAccountId: 'chan_sophea@devb',
      toAccountId: 'coffee_shop@devb',
      currency: 'USD',
      amount: 2.5,
      description: 'INV-7',
    });
    expect(data.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(data.createdDateMs).toBeGreaterThanOrEqual(before);
    expect(data.createdDateMs).toBeLessThanOrEqual(after);
    expect(data.acknowledgedDateMs as number).toBeGreaterThan(data.createdDateMs as number);
    expect(typeof data.externalRef).toBe('string');
    // Every field of the seed's sample is there, with the same JSON type.
    for (const [key, value] of Object.entries(SEED_SAMPLE)) {
      if (key !== 'data') expect(typeof json?.[key], key).toBe(typeof value);
    }
    for (const [key, value] of Object.entries(SEED_SAMPLE.data))
      expect(typeof data[key], key).toBe(typeof value);
  });

  it('answers errorCode 3 for a failed payment and errorCode 2 for a static QR', async () => {
    const { qr, md5 } = dynamicQr(sandbox);
    sandbox.fail({ qr });
    expect((await call(sandbox, 'check_transaction_by_md5', { md5 })).json).toMatchObject({
      responseCode: 1,
      errorCode: 3,
      responseMessage: 'Transaction failed.',
      data: null,
    });
    const fixed = generateKhqr({ bakongAccountId: 'coffee_shop@devb', merchantName: 'Sok Coffee' });
    sandbox.see(fixed.qr);
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5: fixed.md5 })).json,
    ).toMatchObject({ responseCode: 1, errorCode: 2 });
  });

  it.each<[string, string | null]>([
    ['no Authorization header', null],
    ['an unknown token', 'not-a-token'],
  ])('answers 401 / errorCode 6 with %s', async (_, token) => {
    const { md5 } = dynamicQr(sandbox);
    expect(await call(sandbox, 'check_transaction_by_md5', { md5 }, { token })).toMatchObject({
      status: 401,
      json: { responseCode: 1, errorCode: 6, data: null },
    });
  });

  it('refuses a token once it expires', async () => {
    const { token } = sandbox.issueToken(60_000);
    const { md5 } = dynamicQr(sandbox);
    expect((await call(sandbox, 'check_transaction_by_md5', { md5 }, { token })).status).toBe(200);
    sandbox.clock.advance(60_001);
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5 }, { token })).json,
    ).toMatchObject({ errorCode: 6 });
    const other = sandbox.issueToken();
    sandbox.expireToken(other.token);
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5 }, { token: other.token })).status,
    ).toBe(401);
  });

  it.each<[string, unknown]>([
    ['no md5', {}],
    ['an empty md5', { md5: '' }],
    ['a number', { md5: 42 }],
    ['256 characters', { md5: 'a'.repeat(256) }],
    ['an array body', ['x']],
  ])('answers 400 / errorCode 5 for %s', async (_, body) => {
    expect(await call(sandbox, 'check_transaction_by_md5', body)).toMatchObject({
      status: 400,
      json: { responseCode: 1, errorCode: 5, data: null },
    });
  });

  it('accepts an md5 of 255 characters (the documented maximum) as not found', async () => {
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5: 'a'.repeat(255) })).json,
    ).toEqual(NOT_FOUND);
  });
});

describe('check_transaction_by_hash and by_short_hash', () => {
  it('finds a paid transaction by its hash, and by short hash with amount and currency', async () => {
    const { qr } = dynamicQr(sandbox, { currency: 'KHR', amount: 40000 });
    const paid = sandbox.pay({ qr });
    const hash = paid.transaction?.hash as string;
    expect((await call(sandbox, 'check_transaction_by_hash', { hash })).json).toMatchObject({
      responseCode: 0,
      data: { hash, amount: 40000, currency: 'KHR' },
    });
    const short = { hash: hash.slice(0, 8), amount: 40000, currency: 'KHR' };
    expect((await call(sandbox, 'check_transaction_by_short_hash', short)).json).toMatchObject({
      responseCode: 0,
      data: { hash },
    });
    expect(
      (await call(sandbox, 'check_transaction_by_short_hash', { ...short, amount: 39999 })).json,
    ).toEqual(NOT_FOUND);
    expect(
      (await call(sandbox, 'check_transaction_by_short_hash', { ...short, currency: 'USD' })).json,
    ).toEqual(NOT_FOUND);
    expect(
      (await call(sandbox, 'check_transaction_by_hash', { hash: 'f'.repeat(64) })).json,
    ).toEqual(NOT_FOUND);
  });

  it.each<[string, string, unknown]>([
    ['by_hash without hash', 'check_transaction_by_hash', {}],
    [
      'by_short_hash with 9 characters',
      'check_transaction_by_short_hash',
      { hash: 'abcdef012', amount: 1, currency: 'USD' },
    ],
    [
      'by_short_hash without amount',
      'check_transaction_by_short_hash',
      { hash: 'abcdef01', currency: 'USD' },
    ],
    [
      'by_short_hash with currency EUR',
      'check_transaction_by_short_hash',
      { hash: 'abcdef01', amount: 1, currency: 'EUR' },
    ],
  ])('answers 400 / errorCode 5 for %s', async (_, endpoint, body) => {
    expect(await call(sandbox, endpoint, body)).toMatchObject({
      status: 400,
      json: { errorCode: 5 },
    });
  });

  it('needs a token', async () => {
    expect(
      (await call(sandbox, 'check_transaction_by_hash', { hash: 'f'.repeat(64) }, { token: null }))
        .status,
    ).toBe(401);
  });
});

describe('bulk checks', () => {
  it('answers an md5 list item by item, matched by md5, whichever body form is used', async () => {
    const paid = dynamicQr(sandbox, { amount: '1.00' });
    const failed = dynamicQr(sandbox, { amount: '2.00' });
    const pending = dynamicQr(sandbox, { amount: '3.00' });
    sandbox.pay({ qr: paid.qr });
    sandbox.fail({ qr: failed.qr });
    const md5s = [pending.md5, paid.md5, failed.md5];
    for (const body of [md5s, { md5List: md5s }]) {
      const { status, json } = await call(sandbox, 'check_transaction_by_md5_list', body);
      expect(status).toBe(200);
      const items = json?.data as Array<Record<string, unknown>>;
      const byMd5 = Object.fromEntries(items.map((item) => [item.md5, item]));
      expect(byMd5[pending.md5]).toMatchObject({ status: 'NOT_FOUND', data: null });
      expect(byMd5[paid.md5]).toMatchObject({
        status: 'SUCCESS',
        data: { amount: 1, toAccountId: 'coffee_shop@devb' },
      });
      expect(byMd5[failed.md5]).toMatchObject({ status: 'FAILED', data: null });
    }
  });

  it('answers a hash list item by item', async () => {
    const paid = sandbox.pay({ qr: dynamicQr(sandbox).qr });
    const hash = paid.transaction?.hash as string;
    const { json } = await call(sandbox, 'check_transaction_by_hash_list', [hash, 'e'.repeat(64)]);
    expect(json?.data).toEqual([
      expect.objectContaining({ hash, status: 'SUCCESS', data: expect.objectContaining({ hash }) }),
      expect.objectContaining({ hash: 'e'.repeat(64), status: 'NOT_FOUND', data: null }),
    ]);
  });

  it.each<[string, unknown]>([
    ['51 md5s', Array.from({ length: 51 }, (_, i) => String(i).padStart(32, '0'))],
    ['an empty list', []],
    ['a non-string item', ['a', 1]],
    ['an object without md5List', { md5: 'x' }],
  ])('answers 400 / errorCode 5 for %s', async (_, body) => {
    expect(await call(sandbox, 'check_transaction_by_md5_list', body)).toMatchObject({
      status: 400,
      json: { errorCode: 5 },
    });
  });
});

describe('generate_deeplink_by_qr', () => {
  const sourceInfo = {
    appIconUrl: 'https://shop.test/icon.png',
    appName: 'Shop',
    appDeepLinkCallback: 'https://shop.test/done',
  };

  it('needs no token and links to the QR in the bank-app page', async () => {
    const { qr, md5 } = dynamicQr(sandbox);
    const { status, json } = await call(
      sandbox,
      'generate_deeplink_by_qr',
      { qr, sourceInfo },
      { token: null },
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({
      responseCode: 0,
      errorCode: null,
      data: { shortLink: `${sandbox.url}/bank/?md5=${md5}` },
    });
    // The QR is now known, so it can be paid by md5.
    expect(sandbox.pay(md5).status).toBe('paid');
  });

  it.each<[string, unknown, number, number]>([
    ['no qr', { sourceInfo }, 400, 5],
    ['incomplete sourceInfo', { qr: 'x', sourceInfo: { appName: 'Shop' } }, 400, 5],
    ['a QR that does not decode', { qr: 'not a khqr' }, 200, 4],
  ])('refuses %s', async (_, body, status, errorCode) => {
    expect(await call(sandbox, 'generate_deeplink_by_qr', body, { token: null })).toMatchObject({
      status,
      json: { responseCode: 1, errorCode },
    });
  });
});

describe('renew_token and check_bakong_account', () => {
  it('renews the token of a registered email; the new one works', async () => {
    const { json } = await call(
      sandbox,
      'renew_token',
      { email: 'dev@sandbox.khqr-checkout.test' },
      { token: null },
    );
    const token = String((json?.data as { token?: unknown } | null)?.token);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(token).not.toBe(DEV_TOKEN);
    expect(
      (await call(sandbox, 'check_transaction_by_md5', { md5: 'a'.repeat(32) }, { token })).status,
    ).toBe(200);
    expect(
      (await call(sandbox, 'renew_token', { email: 'nobody@x.test' }, { token: null })).json,
    ).toMatchObject({ responseCode: 1, errorCode: 10 });
    expect((await call(sandbox, 'renew_token', {}, { token: null })).json).toMatchObject({
      errorCode: 5,
    });
  });

  it('knows configured accounts and every receiver of a seen QR', async () => {
    const check = async (accountId: unknown) =>
      (await call(sandbox, 'check_bakong_account', { accountId }, { token: null })).json;
    expect(await check('sok_dara@devb')).toMatchObject({
      responseCode: 0,
      errorCode: null,
      data: null,
    });
    expect(await check('nobody@devb')).toMatchObject({ responseCode: 1, errorCode: 11 });
    sandbox.see(generateKhqr({ bakongAccountId: 'nobody@devb', merchantName: 'N' }).qr);
    expect(await check('nobody@devb')).toMatchObject({ responseCode: 0 });
    expect(await check('no-at-sign')).toMatchObject({ responseCode: 1, errorCode: 12 });
    expect(await check(undefined)).toMatchObject({ errorCode: 5 });
  });
});

describe('HTTP', () => {
  it('answers 405 to other methods, 404 to unknown paths and 415 to other content types', async () => {
    expect(await call(sandbox, 'check_transaction_by_md5', null, { method: 'GET' })).toMatchObject({
      status: 405,
      json: { responseCode: 1 },
    });
    expect(
      (await call(sandbox, 'check_transaction_by_md5', null, { method: 'GET' })).headers.get(
        'allow',
      ),
    ).toBe('POST');
    expect(await call(sandbox, 'no_such_endpoint', {})).toMatchObject({
      status: 404,
      json: { responseCode: 1 },
    });
    expect(
      await call(sandbox, 'check_transaction_by_md5', null, {
        contentType: 'text/plain',
        raw: '{"md5":"a"}',
      }),
    ).toMatchObject({
      status: 415,
      json: { errorCode: 5 },
    });
  });
});
