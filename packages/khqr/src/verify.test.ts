import { generateKhqr, KhqrErrorCode, verifyKhqr } from '@khqr-checkout/khqr';
import { BakongKHQR } from '@khqr-checkout/khqr/compat';
import { describe, expect, it, vi } from 'vitest';
import { casesOf } from '../test/vectors.ts';
import { crc16 } from './crc16.ts';
import { tlv } from './tlv.ts';

const NOW = 1767225600000;
const withCrc = (body: string) => `${body}6304${crc16(`${body}6304`)}`;
const dynamic = generateKhqr({
  bakongAccountId: 'shop@aclb',
  merchantName: 'Shop',
  amount: 5000,
  lifetime: 120,
  now: NOW,
});

function codeOf(qr: string, options = {}): number | undefined {
  const result = verifyKhqr(qr, { now: NOW, ...options });
  return result.valid ? undefined : result.error.code;
}

describe('verifyKhqr', () => {
  it('accepts a fresh dynamic QR and returns its data', () => {
    const result = verifyKhqr(dynamic.qr, { now: NOW + 1000 });
    expect(result).toMatchObject({
      valid: true,
      data: { amount: '5000', currency: 'KHR', expiresAt: NOW + 120_000 },
    });
  });

  it('checks expiry against the injected clock', () => {
    expect(codeOf(dynamic.qr, { now: NOW + 120_000 })).toBeUndefined();
    expect(codeOf(dynamic.qr, { now: NOW + 120_001 })).toBe(KhqrErrorCode.KHQR_EXPIRED);
    expect(codeOf(dynamic.qr, { now: NOW + 999_999, ignoreExpiry: true })).toBeUndefined();
  });

  it('uses Date.now() when no clock is given', () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW + 200_000);
    try {
      expect(verifyKhqr(dynamic.qr)).toMatchObject({
        valid: false,
        error: { code: KhqrErrorCode.KHQR_EXPIRED },
      });
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('refuses a QR whose lifetime exceeds 10 minutes unless allowed', () => {
    const long = generateKhqr({
      bakongAccountId: 'shop@aclb',
      merchantName: 'Shop',
      amount: 1,
      lifetime: 3600,
      allowLongExpiry: true,
      now: NOW,
    });
    expect(codeOf(long.qr)).toBe(KhqrErrorCode.EXPIRY_TOO_FAR);
    expect(codeOf(long.qr, { allowLongExpiry: true })).toBeUndefined();
    expect(codeOf(long.qr, { ignoreExpiry: true })).toBeUndefined();
    expect(codeOf(long.qr, { ignoreExpiry: true, allowLongExpiry: false })).toBe(
      KhqrErrorCode.EXPIRY_TOO_FAR,
    );
  });

  it('with ignoreExpiry, skips the clock checks but not the structural ones', () => {
    // A 24-hour QR as Canadia issues them, read two days later.
    const body = `00020101021229070003a@b5204599953031165405250005802KH5901x6002PP`;
    const day = (expires: number) =>
      withCrc(body + tlv('99', tlv('00', String(NOW)) + tlv('01', String(expires))));
    const later = { now: NOW + 2 * 86_400_000 };
    expect(codeOf(day(NOW + 86_400_000), later)).toBe(KhqrErrorCode.KHQR_EXPIRED);
    expect(codeOf(day(NOW + 86_400_000), { ...later, ignoreExpiry: true })).toBeUndefined();
    expect(codeOf(day(NOW - 1), { ...later, ignoreExpiry: true })).toBe(
      KhqrErrorCode.EXPIRATION_TIMESTAMP_IN_THE_PAST,
    );
    expect(codeOf(day(NOW + 86_400_000).replace('25000', '25001'), { ignoreExpiry: true })).toBe(
      KhqrErrorCode.CRC_MISMATCH,
    );
  });

  it('detects a changed character through the CRC', () => {
    const altered = dynamic.qr.replace('5000', '5001');
    expect(codeOf(altered)).toBe(KhqrErrorCode.CRC_MISMATCH);
    expect(verifyKhqr(altered)).toMatchObject({
      valid: false,
      error: { message: expect.stringContaining('altered') },
    });
  });

  const head = '00020101021229070003a@b52045999';
  const tail = `5802KH5901x6002PP`;
  const stamps = tlv('99', tlv('00', String(NOW)) + tlv('01', String(NOW + 60_000)));
  it.each<[string, string, number]>([
    [
      'a foreign country code',
      '00020101021129070003a@b5204599953031165802US5901x6002PP',
      KhqrErrorCode.COUNTRY_CODE_INVALID,
    ],
    [
      'a non-numeric amount',
      `${head}5303840${tlv('54', 'abc')}${tail}${stamps}`,
      KhqrErrorCode.TRANSACTION_AMOUNT_INVALID,
    ],
    [
      'a USD amount with 3 decimals',
      `${head}5303840${tlv('54', '1.505')}${tail}${stamps}`,
      KhqrErrorCode.TRANSACTION_AMOUNT_INVALID,
    ],
    [
      'a dynamic QR without amount',
      `${head}5303116${tail}${stamps}`,
      KhqrErrorCode.INVALID_DYNAMIC_KHQR,
    ],
    [
      'a static QR with an amount',
      `${head.replace('010212', '010211')}5303116${tlv('54', '1000')}${tail}`,
      KhqrErrorCode.INVALID_DYNAMIC_KHQR,
    ],
    [
      'a dynamic QR without tag 99',
      `${head}5303116${tlv('54', '1000')}${tail}`,
      KhqrErrorCode.EXPIRATION_TIMESTAMP_REQUIRED,
    ],
    [
      'an expiry before creation',
      `${head}5303116${tlv('54', '1000')}${tail}${tlv('99', tlv('00', String(NOW)) + tlv('01', String(NOW - 1)))}`,
      KhqrErrorCode.EXPIRATION_TIMESTAMP_IN_THE_PAST,
    ],
    [
      'a 2-digit MCC',
      '00020101021129070003a@b520259' + '53031165802KH5901x6002PP',
      KhqrErrorCode.MERCHANT_CODE_LENGTH_INVALID,
    ],
    [
      'an account with two @',
      '00020101021129090005a@b@c5204599953031165802KH5901x6002PP',
      KhqrErrorCode.BAKONG_ACCOUNT_ID_INVALID,
    ],
    [
      'a 27-character terminal label',
      `00020101021129070003a@b5204599953031165802KH5901x6002PP${tlv('62', tlv('07', 'Cooooooooooooooooooounter 2'))}`,
      KhqrErrorCode.TERMINAL_LABEL_LENGTH_INVALID,
    ],
    [
      'a merchant QR without merchant ID',
      '00020101021130070003a@b5204599953031165802KH5901x6002PP',
      KhqrErrorCode.MERCHANT_ID_REQUIRED,
    ],
  ])('refuses %s', (_, body, code) => {
    expect(codeOf(withCrc(body))).toBe(code);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 42, {}, '', '6304', 'x'.repeat(10_000)]) {
      expect(verifyKhqr(input as string).valid).toBe(false);
    }
  });

  it('is at least as strict as the official verify on every decode vector', () => {
    for (const c of casesOf('decode')) {
      vi.spyOn(Date, 'now').mockReturnValue(c.now);
      const official = c.verifyHangs ? false : c.verify?.isValid;
      const ours = verifyKhqr(c.input, { now: c.now }).valid;
      if (!official) expect(ours, c.id).toBe(false);
      // And it agrees with the compat verify on the ones the official SDK accepts and we do too.
      if (ours) expect(BakongKHQR.verify(c.input).isValid, c.id).toBe(true);
      vi.restoreAllMocks();
    }
  });

  it('accepts every valid official vector at its own time', () => {
    for (const c of casesOf('valid')) {
      const result = verifyKhqr(c.qr, { now: c.now, allowLongExpiry: true });
      expect(result.valid, `${c.id} ${JSON.stringify(result)}`).toBe(true);
    }
  });
});
