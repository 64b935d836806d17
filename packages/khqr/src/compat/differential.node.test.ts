// Differential test against the official SDK (a devDependency, loaded as CommonJS in sloppy mode,
// the only way it works). Seeded, 10,000 generated inputs per run.
import { createRequire } from 'node:module';
import { BakongKHQR, type KHQRResponse } from '@khqr-checkout/khqr/compat';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accountId, text } from '../../test/arbitraries.ts';
import { infoFor } from '../../test/official-input.ts';
import type { OfficialInput } from '../../test/vectors.ts';

type Official = {
  BakongKHQR: {
    new (): {
      generateIndividual(i: unknown): KHQRResponse<{ qr: unknown; md5: string }>;
      generateMerchant(i: unknown): KHQRResponse<{ qr: unknown; md5: string }>;
    };
    decode(qr: string): unknown;
    verify(qr: string): { isValid: boolean };
  };
  IndividualInfo: new (...args: unknown[]) => unknown;
  MerchantInfo: new (...args: unknown[]) => unknown;
};
const official = createRequire(import.meta.url)('bakong-khqr') as Official;
const SEED = 20261123;
const NOW = 1767225600000;

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const orInvalid = <T>(valid: fc.Arbitrary<T>, ...invalid: fc.Arbitrary<unknown>[]) =>
  fc.oneof(
    { arbitrary: valid, weight: 30 },
    ...invalid.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );

const amount = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 99_999_999 }).map((c) => c / 100), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 2_000_000_000 }), weight: 6 },
  { arbitrary: fc.integer({ min: 1, max: 99_999 }).map((c) => (c / 100).toFixed(2)), weight: 2 },
  {
    arbitrary: pick<unknown>(
      undefined,
      0,
      '0',
      '1.5',
      '.5',
      '5.',
      '1.0',
      '100.5',
      '1,000.5',
      ' 5',
      'abc',
      '1e3',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e21,
      -1.5,
      1.005,
      0.1 + 0.2,
      '1.234',
      12345678901234,
      99999999999.99,
      1e-7,
    ),
    weight: 2,
  },
);

const officialInput = fc.record(
  {
    bakongAccountID: orInvalid(
      accountId,
      pick<unknown>(
        '',
        null,
        undefined,
        'johnsmith',
        `${'a'.repeat(28)}@aclb`,
        'a@b@c',
        'a@',
        '@b',
        123,
      ),
    ),
    merchantName: orInvalid(text(1, 25), text(26, 28), pick<unknown>('', null, 12345, 'Café 😀')),
    merchantCity: orInvalid(text(1, 15), text(16, 17), pick('', undefined, null)),
    merchantID: orInvalid(fc.stringMatching(/^[0-9]{1,20}$/), pick('', null, 'M'.repeat(33))),
    acquiringBank: orInvalid(text(1, 20), pick('', undefined, 'B'.repeat(33))),
    optional: fc.record(
      {
        currency: orInvalid(
          pick<unknown>(116, 840, '116', '840'),
          pick<unknown>(978, 'KHR', 'USD', '8400'),
        ),
        amount,
        expirationTimestamp: orInvalid(
          fc.integer({ min: 0, max: 3_600_000 }).map((d) => NOW + d),
          fc.integer({ min: 0, max: 3_600_000 }).map((d) => String(NOW + d)),
          pick<unknown>(1767226200, NOW - 1, '2026-01-01T00:10:00.000Z', NOW + 0.5),
        ),
        billNumber: orInvalid(text(1, 25), text(26, 27), pick(12345)),
        mobileNumber: orInvalid(fc.stringMatching(/^[0-9]{6,25}$/), text(26, 26)),
        storeLabel: orInvalid(text(1, 25), text(26, 26)),
        terminalLabel: orInvalid(text(1, 25), text(26, 26)),
        purposeOfTransaction: orInvalid(text(1, 25), text(26, 26)),
        accountInformation: orInvalid(text(1, 32), text(33, 33)),
        languagePreference: orInvalid(pick('km', 'en'), pick('k', 'kmr')),
        merchantNameAlternateLanguage: orInvalid(text(1, 25), text(26, 26)),
        merchantCityAlternateLanguage: orInvalid(text(1, 15), text(16, 16)),
        // Rare, since UnionPay with USD is an error that would hide the rest.
        upiMerchantAccount: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 6 },
          {
            arbitrary: orInvalid(fc.stringMatching(/^[0-9]{1,40}$/), pick('1'.repeat(100))),
            weight: 1,
          },
        ),
        merchantCategoryCode: orInvalid(
          fc.stringMatching(/^[0-9]{4}$/),
          pick<unknown>('59', 59, '12345', '-1', '59.9', 5812),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  {
    requiredKeys: [
      'bakongAccountID',
      'merchantName',
      'merchantCity',
      'merchantID',
      'acquiringBank',
      'optional',
    ],
  },
);

const loose = {
  // biome-ignore lint/suspicious/noDoubleEquals: the official constructors drop values loosely equal to "".
  dropped: (v: unknown) => v == null || v == '',
  // biome-ignore lint/suspicious/noDoubleEquals: the official static rule is `amount == undefined || amount == 0`.
  isStatic: (v: unknown) => v == undefined || v == 0,
};

/** Where ours is deliberately stricter than the official SDK, and the codes ours answers there. */
function stricterRules(
  kind: 'individual' | 'merchant',
  input: OfficialInput,
): Map<string, number[]> {
  const o = Object.fromEntries(
    Object.entries(input.optional ?? {}).filter(([, v]) => !loose.dropped(v)),
  );
  const rules = new Map<string, number[]>();
  const texts = [
    input.bakongAccountID,
    input.merchantName,
    input.merchantCity,
    input.merchantID,
    input.acquiringBank,
    ...Object.values(o),
  ];
  if (texts.some((t) => typeof t === 'string' && /[\uD800-\uDFFF]/.test(t)))
    rules.set('astral character', [105]);
  const id = input.bakongAccountID;
  if (
    typeof id === 'number' ||
    (typeof id === 'string' && id.includes('@') && !/^[^@]+@[^@]+$/.test(id))
  ) {
    rules.set('account not name@bank', [3]);
  }
  const mcc = o.merchantCategoryCode;
  if (mcc !== undefined && /^\d+$/.test(String(mcc)) && String(mcc).length < 4)
    rules.set('MCC not 4 digits', [18]);
  const name = o.merchantNameAlternateLanguage;
  if (name === undefined && o.merchantCityAlternateLanguage !== undefined)
    rules.set('alt city alone', [39]);
  if (name !== undefined && o.languagePreference === undefined)
    rules.set('alt name without language', [37]);
  if (name !== undefined && String(o.languagePreference).length === 1)
    rules.set('1-letter language', [38]);
  if (!loose.isStatic(o.amount)) {
    const a = o.amount;
    const plain =
      typeof a === 'number'
        ? Number.isFinite(a) && !/e/i.test(String(a))
        : /^(\d*)(\.\d*)?$/.test(String(a));
    if (!plain) rules.set('amount not plain decimal', [4]);
  }
  const len = (v: unknown) =>
    v === undefined || v === null || v === '' ? 0 : 4 + String(v).length;
  const mai =
    len(id) +
    (kind === 'merchant'
      ? len(input.merchantID) + len(input.acquiringBank)
      : len(o.accountInformation) + len(o.acquiringBank));
  if (mai > 99) rules.set('account template over 99', [101]);
  const additional = [
    'billNumber',
    'mobileNumber',
    'storeLabel',
    'terminalLabel',
    'purposeOfTransaction',
  ].reduce((n, k) => n + len(o[k]), 0);
  if (additional > 99) rules.set('additional data over 99', [101]);
  return rules;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('differential against bakong-khqr 1.0.20', () => {
  it('gives the same qr and md5 on valid input and the same error code on invalid input', () => {
    const stats = { same: 0, sameError: 0, stricter: new Map<string, number>() };
    const khqr = new BakongKHQR();
    const theirs = new official.BakongKHQR();
    fc.assert(
      fc.property(
        pick<'individual' | 'merchant'>('individual', 'merchant'),
        officialInput,
        (kind, input) => {
          vi.spyOn(Date, 'now').mockReturnValue(NOW);
          const o = input.optional ?? {};
          const v = (key: keyof OfficialInput) => input[key];
          let expected: KHQRResponse<{ qr: unknown; md5: string }>;
          try {
            expected =
              kind === 'merchant'
                ? theirs.generateMerchant(
                    new official.MerchantInfo(
                      v('bakongAccountID'),
                      v('merchantName'),
                      v('merchantCity'),
                      v('merchantID'),
                      v('acquiringBank'),
                      o,
                    ),
                  )
                : theirs.generateIndividual(
                    new official.IndividualInfo(
                      v('bakongAccountID'),
                      v('merchantName'),
                      v('merchantCity'),
                      o,
                    ),
                  );
          } catch {
            return; // Constructor refusals are covered by the vectors.
          }
          const info = infoFor(kind, input);
          const actual =
            kind === 'merchant'
              ? khqr.generateMerchant(info as never)
              : khqr.generateIndividual(info);
          const okQr = expected.status.code === 0 && typeof expected.data?.qr === 'string';
          if (okQr && actual.status.code === 0 && actual.data?.qr === expected.data?.qr) {
            expect(actual.data?.md5).toBe(expected.data?.md5);
            const qr = actual.data?.qr as string;
            expect(BakongKHQR.decode(qr)).toEqual(official.BakongKHQR.decode(qr));
            expect(BakongKHQR.verify(qr)).toEqual({
              isValid: official.BakongKHQR.verify(qr).isValid,
            });
            stats.same++;
            return;
          }
          if (expected.status.code === 1 && actual.status.errorCode === expected.status.errorCode) {
            expect(actual).toEqual(expected);
            stats.sameError++;
            return;
          }
          const rules = stricterRules(kind, input);
          const allowed = [...rules.values()].flat();
          expect(
            actual.status.code === 1 && allowed.includes(actual.status.errorCode as number),
            `ours ${JSON.stringify(actual.status)} vs official ${JSON.stringify(expected.status)} ${String(expected.data?.qr)} for ${kind} ${JSON.stringify(input)}; stricter rules: ${[...rules.keys()]}`,
          ).toBe(true);
          for (const rule of rules.keys())
            stats.stricter.set(rule, (stats.stricter.get(rule) ?? 0) + 1);
        },
      ),
      { seed: SEED, numRuns: 10_000 },
    );
    // The generator must exercise all three outcomes, or the test proves little.
    expect(stats.same).toBeGreaterThan(1000);
    expect(stats.sameError).toBeGreaterThan(1000);
    expect(stats.stricter.size).toBeGreaterThanOrEqual(6);
  });
});
