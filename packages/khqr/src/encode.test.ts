// The encoder keeps the last merchant's validated fields (account, names, currency…) and reuses
// them while they stay the same: these tests check that a QR made that way is the QR made from
// scratch, error for error, whatever changes between two calls.
import {
  formatAmount,
  generateKhqr,
  KhqrError,
  type KhqrInput,
  verifyKhqr,
} from '@khqr-checkout/khqr';
import { BakongKHQR, IndividualInfo } from '@khqr-checkout/khqr/compat';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validInput } from '../test/arbitraries.ts';
import { amountText } from './encode.ts';

const NOW = 1767225600000;

/** What generateKhqr answers: the QR and md5, or the error's code and message. */
function outcome(input: KhqrInput): object {
  try {
    const { qr, md5 } = generateKhqr(input);
    return { qr, md5 };
  } catch (error) {
    if (!(error instanceof KhqrError)) throw error;
    return { code: error.code, message: error.message };
  }
}

/** Makes the next call start from scratch: another merchant replaces the one kept. */
const forget = () =>
  generateKhqr({ bakongAccountId: 'forget@cache', merchantName: 'Forget', now: NOW });

/** outcome(input) right after `before`, and from scratch: they must be equal. */
function afterAndFresh(before: KhqrInput, input: KhqrInput): [object, object] {
  outcome(before);
  const after = outcome(input);
  forget();
  return [after, outcome(input)];
}

const base: KhqrInput = {
  bakongAccountId: 'sok_coffee@aclb',
  merchantName: 'Sok Coffee',
  merchantCity: 'Siem Reap',
  currency: 'USD',
  amount: '2.50',
  billNumber: 'INV-1',
  now: NOW,
};

/** The fields a merchant's QRs share, which the encoder keeps. */
const MERCHANT_FIELDS = [
  'bakongAccountId',
  'merchantName',
  'merchantCity',
  'merchantId',
  'acquiringBank',
  'accountInformation',
  'upiMerchantAccount',
  'merchantCategoryCode',
  'currency',
  'alternateLanguage',
] as const;

describe('the merchant kept between two QRs', () => {
  it.each<[string, Record<string, unknown>]>([
    ['the same fields', {}],
    ['another account', { bakongAccountId: 'dara@wing' }],
    ['another name', { merchantName: 'Sok Tea' }],
    ['another city', { merchantCity: 'Kampot' }],
    ['no city (the default)', { merchantCity: undefined }],
    ['a merchant QR', { merchantId: 'M-1', acquiringBank: 'ACLEDA' }],
    ['account information', { accountInformation: '012345678' }],
    ['an acquiring bank', { acquiringBank: 'Wing' }],
    ['a category code', { merchantCategoryCode: '5812' }],
    ['riel', { currency: 'KHR', amount: 10000 }],
    ['a UnionPay account in dollars (refused)', { upiMerchantAccount: '1234567890' }],
    [
      'a UnionPay account in riel',
      { upiMerchantAccount: '1234567890', currency: 'KHR', amount: 1 },
    ],
    ['a Khmer name', { alternateLanguage: { language: 'km', merchantName: 'សុខ កាហ្វេ' } }],
    [
      'a Khmer city',
      { alternateLanguage: { language: 'km', merchantName: 'សុខ', merchantCity: 'កំពត' } },
    ],
    [
      'a 3-letter language (refused)',
      { alternateLanguage: { language: 'khm', merchantName: 'x' } },
    ],
    ['a name too long (refused)', { merchantName: 'x'.repeat(26) }],
    ['an emoji in the name (refused)', { merchantName: 'Sok 😀' }],
    ['a bad amount', { amount: '2.505' }],
    ['a bill number too long', { billNumber: 'b'.repeat(26) }],
    ['no amount (static)', { amount: undefined }],
    ['an expiry in the past', { expiresAt: NOW - 1 }],
  ])('%s: as if made from scratch', (_, change) => {
    const input = { ...base, ...change } as KhqrInput;
    const [after, fresh] = afterAndFresh(base, input);
    expect(after).toEqual(fresh);
    // And back: the first merchant is not left behind by the second.
    const [back, backFresh] = afterAndFresh(input, base);
    expect(back).toEqual(backFresh);
  });

  it('sees a change made to the same input object', () => {
    const input: KhqrInput = { ...base, alternateLanguage: { language: 'km', merchantName: 'សុខ' } };
    const first = generateKhqr(input).qr;
    input.merchantName = 'Sok Tea';
    (input.alternateLanguage as { merchantName: string }).merchantName = 'តែ';
    const second = generateKhqr(input).qr;
    expect(second).not.toBe(first);
    forget();
    expect(generateKhqr(input).qr).toBe(second);
  });

  it('is the same through the compat entry, verify and generate in turn', () => {
    const compat = new BakongKHQR();
    const info = new IndividualInfo('sok_coffee@aclb', 'Sok Coffee', 'Siem Reap', {
      currency: 840,
      amount: 2.5,
      billNumber: 'INV-1',
      expirationTimestamp: Date.now() + 60_000,
    });
    const first = compat.generateIndividual(info).data?.qr as string;
    expect(verifyKhqr(first).valid).toBe(true);
    const again = compat.generateIndividual(info).data?.qr as string;
    expect(again.slice(0, -46)).toBe(first.slice(0, -46));
    expect(verifyKhqr(again).valid).toBe(true);
  });

  it('any sequence of merchants and orders, valid or not: each QR or error as from scratch', () => {
    const broken = fc.constantFrom<Partial<KhqrInput>>(
      {},
      {},
      {},
      { merchantName: 'x'.repeat(26) },
      { amount: 'abc' },
      { billNumber: 'b'.repeat(26) },
      { bakongAccountId: 'no-at-sign' },
      { alternateLanguage: { language: 'khm', merchantName: 'x' } },
      { currency: 'EUR' as never },
      { upiMerchantAccount: 'UPI0000123' },
      { merchantCategoryCode: '59A9' },
      { merchantCity: '' },
      { storeLabel: '😀' },
    );
    const pick = (from: KhqrInput, keep: boolean) =>
      Object.fromEntries(
        Object.entries(from).filter(([k]) =>
          (MERCHANT_FIELDS as readonly string[]).includes(k) ? keep : !keep,
        ),
      );
    fc.assert(
      fc.property(
        fc.array(validInput, { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(2), validInput, broken, fc.boolean()), { maxLength: 12 }),
        (merchants, steps) => {
          forget();
          for (const [m, order, change, verify] of steps) {
            const input = {
              ...pick(order, false),
              ...pick(merchants[m] as KhqrInput, true),
              ...change,
            } as KhqrInput;
            const after = outcome(input);
            forget();
            expect(after).toEqual(outcome(input));
            // verifyKhqr runs the same rules on the decoded QR: it changes the merchant kept.
            if (verify && 'qr' in after)
              verifyKhqr(after.qr as string, { now: input.now as number });
          }
        },
      ),
      { seed: 20261128, numRuns: 300 },
    );
  });
});

describe('amountText, the fast path for number amounts', () => {
  /** The text, or the error's code and message. */
  const answer = (format: typeof formatAmount, amount: unknown, currency: string) => {
    try {
      return format(amount, currency);
    } catch (error) {
      if (!(error instanceof KhqrError)) throw error;
      return `${error.code} ${error.message}`;
    }
  };

  it('answers as formatAmount for any number, in riel and in dollars', () => {
    const amounts = fc.oneof(
      fc.integer({ min: 1, max: 99_999_999_999 }),
      // Cents at every magnitude: 13 characters is the limit, "9999999999.99" or 13 digits.
      fc
        .tuple(fc.integer({ min: 1, max: 16 }), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([digits, f]) => Math.floor(f * 10 ** digits) / 100),
      fc.integer({ min: 1, max: 99_999_999 }).map((c) => c / 1000),
      fc.double({ min: -1e3, max: 1e14, noNaN: false }),
      fc.constantFrom(
        0,
        -0,
        0.01,
        0.005,
        0.1 + 0.2,
        1.005,
        12.5,
        1e-7,
        9_999_999_999.99,
        9_999_999_999.999,
        1e10,
        1e10 - 1,
        1e13,
        1e21,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.MAX_SAFE_INTEGER,
      ),
    );
    fc.assert(
      fc.property(amounts, fc.constantFrom('116', '840'), (amount, currency) => {
        expect(answer(amountText, amount, currency)).toBe(answer(formatAmount, amount, currency));
      }),
      { seed: 20261128, numRuns: 20_000 },
    );
  });

  it('leaves strings and other values to formatAmount', () => {
    for (const amount of ['12.50', '12.5', '1500', 'abc', '', null, {}, 12n])
      for (const currency of ['116', '840'])
        expect(answer(amountText, amount, currency)).toBe(answer(formatAmount, amount, currency));
  });
});
