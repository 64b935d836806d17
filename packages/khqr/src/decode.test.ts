import {
  decodeKhqr,
  generateKhqr,
  KhqrError,
  KhqrErrorCode,
  MAX_KHQR_LENGTH,
} from '@khqr-checkout/khqr';
import { describe, expect, it } from 'vitest';
import { crc16 } from './crc16.ts';

const NOW = 1767225600000;
const withCrc = (body: string) => `${body}6304${crc16(`${body}6304`)}`;
const STATIC_BODY =
  '00020101021129190015john_smith@devb5204599953031165802KH5910John Smith6010Phnom Penh';

function errorOf(input: unknown): KhqrError {
  try {
    decodeKhqr(input as string);
  } catch (error) {
    if (error instanceof KhqrError) return error;
    throw error;
  }
  throw new Error('decodeKhqr did not throw');
}

describe('decodeKhqr', () => {
  it('reads every field of a generated QR into a typed record', () => {
    const { qr } = generateKhqr({
      bakongAccountId: 'jonhsmith@nbcq',
      accountInformation: '012345678',
      acquiringBank: 'Dev Bank',
      merchantName: 'Jonh Smith',
      merchantCity: 'Siem Reap',
      currency: 'USD',
      amount: 12.5,
      billNumber: 'INV-2021-07-65822',
      mobileNumber: '85512345678',
      storeLabel: 'BKK-1',
      terminalLabel: '012345',
      purpose: 'Coffee',
      alternateLanguage: { language: 'km', merchantName: 'ចន ស្មីន', merchantCity: 'សៀមរាប' },
      merchantCategoryCode: '5812',
      now: NOW,
    });
    expect(decodeKhqr(qr)).toEqual({
      type: 'individual',
      dynamic: true,
      bakongAccountId: 'jonhsmith@nbcq',
      accountInformation: '012345678',
      acquiringBank: 'Dev Bank',
      merchantName: 'Jonh Smith',
      merchantCity: 'Siem Reap',
      countryCode: 'KH',
      merchantCategoryCode: '5812',
      currency: 'USD',
      amount: '12.50',
      billNumber: 'INV-2021-07-65822',
      mobileNumber: '85512345678',
      storeLabel: 'BKK-1',
      terminalLabel: '012345',
      purpose: 'Coffee',
      alternateLanguage: { language: 'km', merchantName: 'ចន ស្មីន', merchantCity: 'សៀមរាប' },
      createdAt: NOW,
      expiresAt: NOW + 300_000,
      crc: qr.slice(-4),
    });
  });

  it('leaves absent optional fields out', () => {
    const data = decodeKhqr(withCrc(STATIC_BODY));
    expect(Object.keys(data).sort()).toEqual(
      [
        'type',
        'dynamic',
        'bakongAccountId',
        'merchantName',
        'merchantCity',
        'countryCode',
        'merchantCategoryCode',
        'currency',
        'crc',
      ].sort(),
    );
    expect(data.dynamic).toBe(false);
  });

  it.each<[string, unknown, number]>([
    ['a number', 42, KhqrErrorCode.MALFORMED_TLV],
    ['a non-numeric length', '00020101A211', KhqrErrorCode.MALFORMED_TLV],
    ['a non-numeric tag', 'AB0201', KhqrErrorCode.MALFORMED_TLV],
    ['a length past the end', '0002010199', KhqrErrorCode.MALFORMED_TLV],
    ['a trailing fragment', `${withCrc(STATIC_BODY)}0`, KhqrErrorCode.MALFORMED_TLV],
    [
      'a non-numeric sub-length (hangs the official SDK)',
      withCrc(`${STATIC_BODY}620501AB1`),
      KhqrErrorCode.MALFORMED_TLV,
    ],
    ['an overlong string', '0'.repeat(MAX_KHQR_LENGTH + 1), KhqrErrorCode.INPUT_TOO_LONG],
    ['a repeated tag', withCrc(`${STATIC_BODY}5802KH`), KhqrErrorCode.DUPLICATE_TAG],
    ['a repeated sub-tag', withCrc(`${STATIC_BODY}62100101a0101b`), KhqrErrorCode.DUPLICATE_TAG],
    ['both tag 29 and 30', withCrc(`${STATIC_BODY}30070003a@b`), KhqrErrorCode.DUPLICATE_TAG],
    [
      'no account template',
      withCrc('000201010211520459995303116' + '5802KH5910John Smith6010Phnom Penh'),
      KhqrErrorCode.BAKONG_ACCOUNT_ID_REQUIRED,
    ],
    [
      'no merchant name',
      withCrc('00020101021129190015john_smith@devb5204599953031165802KH6010Phnom Penh'),
      KhqrErrorCode.MERCHANT_NAME_REQUIRED,
    ],
    ['no CRC', STATIC_BODY, KhqrErrorCode.CRC_TAG_REQUIRED],
    ['the CRC not last', `${withCrc(STATIC_BODY)}9900`, KhqrErrorCode.CRC_LENGTH_INVALID],
    [
      'currency 978',
      withCrc(STATIC_BODY.replace('5303116', '5303978')),
      KhqrErrorCode.UNSUPPORTED_CURRENCY,
    ],
    [
      'point of initiation 13',
      withCrc(STATIC_BODY.replace('010211', '010213')),
      KhqrErrorCode.POINT_OF_INITIATION_METHOD_INVALID,
    ],
    ['an empty string', '', KhqrErrorCode.PAYLOAD_FORMAT_INDICATOR_TAG_REQUIRED],
  ])('rejects %s with a KhqrError', (_, input, code) => {
    expect(errorOf(input).code).toBe(code);
  });
});
