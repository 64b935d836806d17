import { decodeKhqr, generateKhqr, KhqrError } from '@khqr-checkout/khqr';
import { checkoutInput } from '@khqr-checkout/khqr/session';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 10, 24, 9, 0, 0);

describe('checkoutInput', () => {
  it('makes a KHR QR that lives 300 s when the card gives no currency or lifetime', () => {
    const input = checkoutInput({
      bakongAccountId: 'shop@devb',
      merchantName: 'Shop',
      amount: 4000,
    });
    expect(input).toMatchObject({ currency: 'KHR', lifetime: 300 });
    const data = decodeKhqr(generateKhqr({ ...input, now: NOW }).qr);
    expect(data).toMatchObject({ currency: 'KHR', amount: '4000', createdAt: NOW });
    expect(data.expiresAt).toBe(NOW + 300_000);
  });

  it('passes every given field through, and undefined ones count as absent', () => {
    const given = {
      bakongAccountId: 'shop@devb',
      merchantName: 'Shop',
      merchantCity: 'Siem Reap',
      currency: 'USD',
      amount: '2.50',
      lifetime: 120,
      billNumber: 'INV-7',
      storeLabel: 'Riverside',
      terminalLabel: 'T2',
      mobileNumber: '85512345678',
      purpose: 'Coffee',
    } as const;
    expect(checkoutInput(given)).toEqual(given);
    const sparse = checkoutInput({ ...given, merchantCity: undefined, purpose: undefined });
    const { merchantCity: _c, purpose: _p, ...rest } = given;
    expect(generateKhqr({ ...sparse, now: NOW }).qr).toBe(generateKhqr({ ...rest, now: NOW }).qr);
  });

  it('takes only the card fields from a whole props object', () => {
    const props = {
      bakongAccountId: 'shop@devb',
      merchantName: 'Shop',
      amount: 100,
      endpoint: '/api/khqr/check',
      lang: 'km',
      expiresAt: 1,
      onSuccess() {},
    };
    expect(Object.keys(checkoutInput(props)).sort()).toEqual(
      ['amount', 'bakongAccountId', 'currency', 'lifetime', 'merchantName'].sort(),
    );
  });

  it.each([
    ['bakongAccountId', /account/i],
    ['merchantName', /merchantName/],
  ] as const)('leaves a missing %s empty, so generateKhqr names it', (field, message) => {
    const input = checkoutInput({
      bakongAccountId: 'shop@devb',
      merchantName: 'Shop',
      amount: 100,
      [field]: undefined,
    });
    expect(input[field]).toBe('');
    expect(() => generateKhqr(input)).toThrow(KhqrError);
    expect(() => generateKhqr(input)).toThrow(message);
  });
});
