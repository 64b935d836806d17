import {
  decodeKhqr,
  fromMinorUnits,
  generateKhqr,
  KhqrError,
  khqrMd5,
  toMinorUnits,
  verifyKhqr,
} from '@khqr-checkout/khqr';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validInput } from '../test/arbitraries.ts';
import { crc16 } from './crc16.ts';

const SEED = 20261123;

/** Calls `fn`; anything thrown other than a KhqrError fails the property. */
function onlyKhqrErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof KhqrError)) throw error;
  }
}

describe('properties', () => {
  it('decode(generate(x)) gives back x, and verify accepts it', () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const { qr, md5, expiresAt } = generateKhqr(input);
        expect(md5).toBe(khqrMd5(qr));
        const data = decodeKhqr(qr);
        expect(data.bakongAccountId).toBe(input.bakongAccountId);
        expect(data.merchantName).toBe(input.merchantName);
        expect(data.merchantCity).toBe(input.merchantCity ?? 'Phnom Penh');
        expect(data.currency).toBe(input.currency);
        expect(data.type).toBe(input.merchantId ? 'merchant' : 'individual');
        expect(data.merchantId).toBe(input.merchantId);
        expect(data.acquiringBank).toBe(input.acquiringBank);
        expect(data.accountInformation).toBe(
          input.merchantId ? undefined : input.accountInformation,
        );
        expect(data.billNumber).toBe(input.billNumber);
        expect(data.mobileNumber).toBe(input.mobileNumber);
        expect(data.storeLabel).toBe(input.storeLabel);
        expect(data.terminalLabel).toBe(input.terminalLabel);
        expect(data.purpose).toBe(input.purpose);
        expect(data.alternateLanguage).toEqual(input.alternateLanguage);
        expect(data.merchantCategoryCode).toBe(input.merchantCategoryCode ?? '5999');
        expect(data.dynamic).toBe(input.amount !== undefined);
        if (input.amount !== undefined) {
          const currency = input.currency ?? 'KHR';
          expect(toMinorUnits(data.amount as string, currency)).toBe(
            toMinorUnits(input.amount, currency),
          );
          expect(data.createdAt).toBe(input.now);
          expect(data.expiresAt).toBe(expiresAt);
        }
        const verification = verifyKhqr(qr, { now: input.now as number });
        expect(verification.valid).toBe(true);
        if (verification.valid) expect(verification.data).toEqual(data);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('fromMinorUnits and toMinorUnits undo each other for every sum up to 10^10 minor units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 10 }),
        fc.constantFrom('KHR' as const, 'USD' as const),
        (minor, currency) => {
          const text = fromMinorUnits(minor, currency);
          expect(text).toMatch(currency === 'KHR' ? /^\d+$/ : /^\d+\.\d\d$/);
          expect(toMinorUnits(text, currency)).toBe(minor);
          // And a QR made from it carries that sum.
          const { qr } = generateKhqr({
            bakongAccountId: 'shop@devb',
            merchantName: 'Shop',
            currency,
            amount: text,
          });
          expect(toMinorUnits(decodeKhqr(qr).amount as string, currency)).toBe(minor);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('the compat decode reads generated QRs the same way', () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const { qr } = generateKhqr(input);
        const official = BakongKHQR.decode(qr).data as Record<string, string | null>;
        expect(official.bakongAccountID).toBe(input.bakongAccountId);
        expect(official.merchantName).toBe(input.merchantName);
        expect(official.billNumber).toBe(input.billNumber ?? null);
        expect(official.merchantID).toBe(input.merchantId ?? null);
        expect(official.transactionCurrency).toBe(input.currency === 'USD' ? '840' : '116');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('arbitrary strings never make decode or verify throw anything but KhqrError, nor hang', () => {
    const anyString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 600 }),
      fc.string({ unit: fc.constantFrom(...'0123456789ABab@ .'), maxLength: 300 }),
    );
    fc.assert(
      fc.property(anyString, (s) => {
        onlyKhqrErrors(() => decodeKhqr(s));
        expect(typeof verifyKhqr(s).valid).toBe('boolean');
        expect(typeof BakongKHQR.verify(s).isValid).toBe('boolean');
        expect([0, 1]).toContain(BakongKHQR.decode(s).status.code);
        expect(BakongKHQR.decodeNonKhqr(s).status.code).toBe(0);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('mutated QRs, with the CRC recomputed, never throw anything but KhqrError, nor hang', () => {
    const mutation = fc.record({
      position: fc.nat(),
      kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
      char: fc.constantFrom(...'0123456789AZaz@-. ', 'ក'),
      fixCrc: fc.boolean(),
    });
    fc.assert(
      fc.property(
        validInput,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (input, mutations) => {
          let body = generateKhqr(input).qr.slice(0, -8);
          for (const m of mutations) {
            const i = m.position % (body.length + 1);
            if (m.kind === 'replace') body = body.slice(0, i) + m.char + body.slice(i + 1);
            else if (m.kind === 'insert') body = body.slice(0, i) + m.char + body.slice(i);
            else if (m.kind === 'delete') body = body.slice(0, i) + body.slice(i + 1);
            else body = body.slice(0, i);
          }
          const qr = mutations.some((m) => m.fixCrc)
            ? `${body}6304${crc16(`${body}6304`)}`
            : `${body}6304ABCD`;
          onlyKhqrErrors(() => decodeKhqr(qr));
          const verification = verifyKhqr(qr, { now: input.now as number });
          if (verification.valid) expect(verification.data).toEqual(decodeKhqr(qr));
          expect(typeof BakongKHQR.verify(qr).isValid).toBe('boolean');
          expect([0, 1]).toContain(BakongKHQR.decode(qr).status.code);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
