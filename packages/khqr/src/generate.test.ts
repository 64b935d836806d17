import {
  decodeKhqr,
  generateKhqr,
  KhqrError,
  KhqrErrorCode,
  type KhqrInput,
  khqrMd5,
  verifyKhqr,
} from '@khqr-checkout/khqr';
import { describe, expect, it } from 'vitest';
import { modernInputFor } from '../test/modern-input.ts';
import { casesOf } from '../test/vectors.ts';

const NOW = 1767225600000;
const base: KhqrInput = {
  bakongAccountId: 'sok_coffee@aclb',
  merchantName: 'Sok Coffee',
  now: NOW,
};

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KhqrError);
    return (error as KhqrError).code;
  }
  return undefined;
}

describe('generateKhqr', () => {
  it.each(casesOf('valid').map((c) => [`${c.id} ${c.note}`, c] as const))(
    'matches the official SDK byte for byte: %s',
    (_, c) => {
      const result = generateKhqr(modernInputFor(c.kind, c.input, c.now));
      expect(result.qr).toBe(c.qr);
      expect(result.md5).toBe(c.md5);
    },
  );

  it('makes a static individual QR without tag 54 or 99', () => {
    const { qr, md5, createdAt, expiresAt } = generateKhqr(base);
    expect(qr).toBe(
      '00020101021129190015sok_coffee@aclb5204599953031165802KH5910Sok Coffee6010Phnom Penh6304' +
        qr.slice(-4),
    );
    expect(md5).toBe(khqrMd5(qr));
    expect(createdAt).toBeNull();
    expect(expiresAt).toBeNull();
    expect(verifyKhqr(qr).valid).toBe(true);
  });

  it('makes a dynamic QR that expires after 5 minutes by default', () => {
    const result = generateKhqr({ ...base, amount: '2.5', currency: 'USD' });
    expect(result.createdAt).toBe(NOW);
    expect(result.expiresAt).toBe(NOW + 300_000);
    const data = decodeKhqr(result.qr);
    expect(data).toMatchObject({
      dynamic: true,
      currency: 'USD',
      amount: '2.50',
      createdAt: NOW,
      expiresAt: NOW + 300_000,
    });
  });

  it('takes a lifetime in seconds or an absolute expiry', () => {
    expect(generateKhqr({ ...base, amount: 1000, lifetime: 90 }).expiresAt).toBe(NOW + 90_000);
    expect(generateKhqr({ ...base, amount: 1000, expiresAt: NOW + 600_000 }).expiresAt).toBe(
      NOW + 600_000,
    );
  });

  it('refuses an expiry beyond 10 minutes unless allowed', () => {
    expect(codeOf(() => generateKhqr({ ...base, amount: 1000, lifetime: 601 }))).toBe(
      KhqrErrorCode.EXPIRY_TOO_FAR,
    );
    expect(
      generateKhqr({ ...base, amount: 1000, lifetime: 3600, allowLongExpiry: true }).expiresAt,
    ).toBe(NOW + 3_600_000);
  });

  it('makes a merchant QR (tag 30) when merchantId is given', () => {
    const { qr } = generateKhqr({ ...base, merchantId: '123456', acquiringBank: 'ACLEDA Bank' });
    expect(qr).toContain('30440015sok_coffee@aclb01061234560211ACLEDA Bank');
    expect(decodeKhqr(qr)).toMatchObject({
      type: 'merchant',
      merchantId: '123456',
      acquiringBank: 'ACLEDA Bank',
    });
  });

  it('writes Khmer alternate names in tag 64 counting characters, not bytes', () => {
    const { qr } = generateKhqr({
      ...base,
      alternateLanguage: { language: 'km', merchantName: 'កាហ្វេសុខ', merchantCity: 'ភ្នំពេញ' },
    });
    expect(qr).toContain('64300002km0109កាហ្វេសុខ0207ភ្នំពេញ');
    expect(verifyKhqr(qr).valid).toBe(true);
  });

  it.each<[string, Partial<KhqrInput> & Record<string, unknown>, number]>([
    ['no account', { bakongAccountId: '' }, KhqrErrorCode.BAKONG_ACCOUNT_ID_REQUIRED],
    ['account without @', { bakongAccountId: 'sok' }, KhqrErrorCode.BAKONG_ACCOUNT_ID_INVALID],
    ['account with two @', { bakongAccountId: 'a@b@c' }, KhqrErrorCode.BAKONG_ACCOUNT_ID_INVALID],
    ['account ending in @', { bakongAccountId: 'sok@' }, KhqrErrorCode.BAKONG_ACCOUNT_ID_INVALID],
    [
      'account of 33',
      { bakongAccountId: `${'a'.repeat(28)}@aclb` },
      KhqrErrorCode.BAKONG_ACCOUNT_ID_LENGTH_INVALID,
    ],
    ['no name', { merchantName: '' }, KhqrErrorCode.MERCHANT_NAME_REQUIRED],
    ['name of 26', { merchantName: 'n'.repeat(26) }, KhqrErrorCode.MERCHANT_NAME_LENGTH_INVALID],
    ['city of 16', { merchantCity: 'c'.repeat(16) }, KhqrErrorCode.MERCHANT_CITY_LENGTH_INVALID],
    ['emoji in the name', { merchantName: 'Café 😀' }, KhqrErrorCode.UNSUPPORTED_CHARACTER],
    ['lone surrogate', { storeLabel: 'a\uD800' }, KhqrErrorCode.UNSUPPORTED_CHARACTER],
    ['currency EUR', { currency: 'EUR' as 'USD' }, KhqrErrorCode.UNSUPPORTED_CURRENCY],
    ['KHR with decimals', { amount: 100.5 }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    [
      'USD with 3 decimals',
      { amount: '1.005', currency: 'USD' },
      KhqrErrorCode.TRANSACTION_AMOUNT_INVALID,
    ],
    ['NaN', { amount: Number.NaN, currency: 'USD' }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    ['Infinity', { amount: Number.POSITIVE_INFINITY }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    ['1e21', { amount: 1e21, currency: 'USD' }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    [
      'thousands separator',
      { amount: '1,000.5', currency: 'USD' },
      KhqrErrorCode.TRANSACTION_AMOUNT_INVALID,
    ],
    ['negative', { amount: -5 }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    ['zero', { amount: 0 }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    ['14 digits', { amount: 12345678901234 }, KhqrErrorCode.TRANSACTION_AMOUNT_INVALID],
    ['MCC of 2 digits', { merchantCategoryCode: '59' }, KhqrErrorCode.MERCHANT_CODE_LENGTH_INVALID],
    [
      'MCC of 5 digits',
      { merchantCategoryCode: '12345' },
      KhqrErrorCode.MERCHANT_CODE_LENGTH_INVALID,
    ],
    [
      'MCC not digits',
      { merchantCategoryCode: '59a9' },
      KhqrErrorCode.INVALID_MERCHANT_CATEGORY_CODE,
    ],
    ['bill of 26', { billNumber: 'b'.repeat(26) }, KhqrErrorCode.BILL_NUMBER_LENGTH_INVALID],
    ['mobile of 26', { mobileNumber: '8'.repeat(26) }, KhqrErrorCode.MOBILE_NUMBER_LENGTH_INVALID],
    ['store of 26', { storeLabel: 's'.repeat(26) }, KhqrErrorCode.STORE_LABEL_LENGTH_INVALID],
    [
      'terminal of 26',
      { terminalLabel: 't'.repeat(26) },
      KhqrErrorCode.TERMINAL_LABEL_LENGTH_INVALID,
    ],
    [
      'purpose of 26',
      { purpose: 'p'.repeat(26) },
      KhqrErrorCode.PURPOSE_OF_TRANSACTION_LENGTH_INVALID,
    ],
    [
      'tag 62 over 99',
      {
        billNumber: 'b'.repeat(25),
        mobileNumber: '1'.repeat(25),
        storeLabel: 's'.repeat(25),
        terminalLabel: 't'.repeat(10),
      },
      KhqrErrorCode.TEMPLATE_TOO_LONG,
    ],
    [
      'tag 30 over 99',
      {
        bakongAccountId: `${'a'.repeat(27)}@aclb`,
        merchantId: 'm'.repeat(32),
        acquiringBank: 'b'.repeat(32),
      },
      KhqrErrorCode.TEMPLATE_TOO_LONG,
    ],
    ['merchant without bank', { merchantId: '1' }, KhqrErrorCode.ACQUIRING_BANK_REQUIRED],
    [
      'language of 1 letter',
      { alternateLanguage: { language: 'k', merchantName: 'ចន' } },
      KhqrErrorCode.LANGUAGE_PREFERENCE_LENGTH_INVALID,
    ],
    [
      'language missing',
      { alternateLanguage: { language: '', merchantName: 'ចន' } },
      KhqrErrorCode.LANGUAGE_PREFERENCE_REQUIRED,
    ],
    [
      'alternate city alone',
      { alternateLanguage: { language: 'km', merchantName: '', merchantCity: 'ភ្នំពេញ' } },
      KhqrErrorCode.MERCHANT_NAME_ALTERNATE_LANGUAGE_REQUIRED,
    ],
    [
      'UPI with USD',
      { upiMerchantAccount: '123', currency: 'USD' },
      KhqrErrorCode.UPI_ACCOUNT_INFORMATION_INVALID_CURRENCY,
    ],
    [
      'expiry in seconds',
      { amount: 100, expiresAt: 1767226200 },
      KhqrErrorCode.EXPIRATION_TIMESTAMP_LENGTH_INVALID,
    ],
    [
      'expiry in the past',
      { amount: 100, expiresAt: NOW - 1 },
      KhqrErrorCode.EXPIRATION_TIMESTAMP_IN_THE_PAST,
    ],
    [
      'expiry and lifetime',
      { amount: 100, expiresAt: NOW + 1000, lifetime: 60 },
      KhqrErrorCode.INVALID_OPTION,
    ],
    ['lifetime on a static QR', { lifetime: 60 }, KhqrErrorCode.INVALID_OPTION],
    ['negative lifetime', { amount: 100, lifetime: -1 }, KhqrErrorCode.INVALID_OPTION],
    [
      'name of the wrong type',
      { merchantName: { toString: () => 'x' } as unknown as string },
      KhqrErrorCode.INVALID_OPTION,
    ],
  ])('rejects %s with a clear error', (_, patch, code) => {
    let error: unknown;
    try {
      generateKhqr({ ...base, ...patch } as KhqrInput);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KhqrError);
    expect((error as KhqrError).code).toBe(code);
    expect((error as KhqrError).message).toMatch(/^\[khqr\] .{20,}/);
  });

  it('names the bad value and the fix in its messages', () => {
    expect(() => generateKhqr({ ...base, amount: 100.5 })).toThrow(
      '[khqr] Invalid amount 100.5: KHR has no decimals.',
    );
    expect(() => generateKhqr({ ...base, amount: 100, expiresAt: 1767226200 })).toThrow(
      /looks like seconds/,
    );
  });

  it('refuses a missing options object', () => {
    expect(codeOf(() => generateKhqr(undefined as unknown as KhqrInput))).toBe(
      KhqrErrorCode.INVALID_OPTION,
    );
  });
});
