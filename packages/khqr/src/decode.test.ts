import {
  decodeKhqr,
  generateKhqr,
  KhqrError,
  KhqrErrorCode,
  MAX_KHQR_LENGTH,
} from '@khqr-checkout/khqr';
import { describe, expect, it } from 'vitest';
import { crc16 } from './crc16.ts';
import { tlv } from './tlv.ts';

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
      tags: expect.any(Array),
    });
  });

  it('keeps every top-level data object in order, known or not, and they rebuild the QR', () => {
    // ACLEDA-style: 39 and 61 beside tag 30, sub-tag 30-05, a template 62-99 nested in 62.
    const qr = withCrc(
      '000201010211' +
        tlv(
          '30',
          tlv('00', 'khqr@aclb') + tlv('01', '85512464906') + tlv('02', 'ACLEDA') + tlv('05', 'X1'),
        ) +
        tlv('39', '2CCY') +
        '5204599953038405802KH5907BUN MAO6010Phnom Penh610212' +
        tlv('62', tlv('01', 'A-1') + tlv('99', tlv('00', 'abc'))),
    );
    const data = decodeKhqr(qr);
    expect(data.tags.map(([tag]) => tag).join(' ')).toBe('00 01 30 39 52 53 58 59 60 61 62 63');
    expect(data.tags[3]).toEqual(['39', '2CCY']);
    expect(data.tags[10]).toEqual(['62', '0103A-199070003abc']);
    expect(data.tags.map(([tag, value]) => tlv(tag, value)).join('')).toBe(qr);
    expect(data).toMatchObject({
      merchantId: '85512464906',
      acquiringBank: 'ACLEDA',
      billNumber: 'A-1',
    });
  });

  it("reads a static QR whose tag 99 is an issuer's own, leaving it in tags", () => {
    // ABA merchant QR (the official SDK's own test string, vector decode-289).
    const qr =
      '000201010211021641277800000000980416518352888000006030470016abaakhppxxx@abaa0115316600770110242' +
      '0204abaa5204224253038405802KH5910USD OUTLET6010PHNOM PENH62250509115B02750070827CE1980' +
      '9924001339CA026411FDA6803mmp63043870';
    const data = decodeKhqr(qr);
    expect(data).toMatchObject({ type: 'merchant', dynamic: false, terminalLabel: '27CE1980' });
    expect(data.createdAt).toBeUndefined();
    expect(data.tags).toContainEqual(['99', '001339CA026411FDA6803mmp']);
    expect(data.tags.slice(2, 4)).toEqual([
      ['02', '4127780000000098'],
      ['04', '5183528880000060'],
    ]);
  });

  it('still reads tag 99 as timestamps on a dynamic QR, and refuses other content there', () => {
    const head = '00020101021229070003a@b520459995303116540410005802KH5901x6002PP';
    const stamps = tlv('00', String(NOW)) + tlv('01', String(NOW + 60_000));
    expect(decodeKhqr(withCrc(head + tlv('99', `${stamps}0203TTT`)))).toMatchObject({
      createdAt: NOW,
      expiresAt: NOW + 60_000,
    });
    expect(errorOf(withCrc(head + tlv('99', '001339CA026411FDA6803mmp'))).code).toBe(
      KhqrErrorCode.EXPIRATION_TIMESTAMP_LENGTH_INVALID,
    );
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
        'tags',
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
