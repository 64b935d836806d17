import type { KhqrCurrency } from './amount.ts';
import { fail, type KhqrErrorCodeValue } from './errors.ts';
import { MAX_KHQR_LENGTH, parseTlv, type TlvEntry } from './tlv.ts';

/** A decoded KHQR. Absent optional fields are left out. */
export interface KhqrData {
  /** `individual` (tag 29) or `merchant` (tag 30). */
  type: 'individual' | 'merchant';
  /** True when tag 01 is `12` or, without tag 01, when the QR carries an amount. */
  dynamic: boolean;
  bakongAccountId: string;
  /** Merchant KHQR only (tag 30-01). */
  merchantId?: string;
  acquiringBank?: string;
  /** Individual KHQR only (tag 29-01). */
  accountInformation?: string;
  merchantName: string;
  merchantCity: string;
  countryCode: string;
  merchantCategoryCode: string;
  currency: KhqrCurrency;
  /** Tag 54 as written in the QR, e.g. `"12.50"`; use `toMinorUnits` to compare. */
  amount?: string;
  billNumber?: string;
  mobileNumber?: string;
  storeLabel?: string;
  terminalLabel?: string;
  purpose?: string;
  alternateLanguage?: { language: string; merchantName: string; merchantCity?: string };
  upiMerchantAccount?: string;
  /** Tag 99-00 of a dynamic QR, ms. */
  createdAt?: number;
  /** Tag 99-01 of a dynamic QR, ms. */
  expiresAt?: number;
  /** Tag 63, as written. */
  crc: string;
  /**
   * Every top-level data object, `[tag, value]`, in the order written, known or not, templates
   * unparsed: bank-specific tags (39, 40, 61, …) and sub-tags (29-10, 30-05, 62-68, a tag 99 that
   * is no KHQR timestamp, …) are read from here. Writing each back as `tag + 2-digit length +
   * value` gives the QR again.
   */
  tags: TlvEntry[];
}

const REQUIRED: Array<[tag: string, code: KhqrErrorCodeValue, name: string]> = [
  ['00', 23 /* PAYLOAD_FORMAT_INDICATOR_TAG_REQUIRED */, 'payload format'],
  ['52', 25 /* MERCHANT_CATEGORY_TAG_REQUIRED */, 'category code'],
  ['53', 9 /* CURRENCY_TYPE_REQUIRED */, 'currency'],
  ['58', 26 /* COUNTRY_CODE_TAG_REQUIRED */, 'country'],
  ['59', 2 /* MERCHANT_NAME_REQUIRED */, 'merchant name'],
  ['60', 27 /* MERCHANT_CITY_TAG_REQUIRED */, 'city'],
  ['63', 24 /* CRC_TAG_REQUIRED */, 'CRC'],
];

function timestamp(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{13}$/.test(value)) {
    fail(
      49 /* EXPIRATION_TIMESTAMP_LENGTH_INVALID */,
      `The ${name} time ${JSON.stringify(value)} is not 13 digits.`,
    );
  }
  return Number(value);
}

/**
 * Reads a KHQR into a typed record. Checks the structure (well-formed tags and lengths, no tag
 * twice, the required tags, tag 63 last) but not the CRC, the field rules or the expiry: use
 * `verifyKhqr` before trusting a scanned payload. Never loops, whatever the input.
 * @throws {KhqrError} code 102 (malformed), 103 (too long), 106 (duplicate tag), or the code of
 *   the missing required tag.
 * @example decodeKhqr(qr).amount // '12.50'
 */
export function decodeKhqr(qr: string): KhqrData {
  if (typeof qr !== 'string')
    return fail(102 /* MALFORMED_TLV */, `A KHQR is a string, got ${typeof qr}.`);
  if (qr.length > MAX_KHQR_LENGTH) {
    fail(
      103 /* INPUT_TOO_LONG */,
      `A KHQR has at most ${MAX_KHQR_LENGTH} characters, not ${qr.length}.`,
    );
  }
  const top = parseTlv(qr, 'KHQR');
  for (const [tag, code, name] of REQUIRED) {
    if (!top.has(tag)) fail(code, `This is not a KHQR: the ${name} (tag ${tag}) is missing.`);
  }
  const crc = top.get('63') as string;
  if (!qr.endsWith(`6304${crc}`) || crc.length !== 4) {
    fail(22 /* CRC_LENGTH_INVALID */, 'The CRC (tag 63) must come last, with 4 hex digits.');
  }
  const individual = top.get('29');
  const merchant = top.get('30');
  if (individual !== undefined && merchant !== undefined) {
    fail(106 /* DUPLICATE_TAG */, 'Tags 29 and 30 are both present.');
  }
  const mai = individual ?? merchant;
  if (mai === undefined) {
    return fail(1 /* BAKONG_ACCOUNT_ID_REQUIRED */, 'This is not a KHQR: no tag 29 or 30.');
  }
  const account = parseTlv(mai, `tag ${individual === undefined ? 30 : 29}`);
  const bakongAccountId = account.get('00');
  if (bakongAccountId === undefined) {
    return fail(1 /* BAKONG_ACCOUNT_ID_REQUIRED */, 'The account template has no sub-tag 00.');
  }
  const currencyCode = top.get('53');
  const currency = currencyCode === '116' ? 'KHR' : currencyCode === '840' ? 'USD' : undefined;
  if (currency === undefined) {
    return fail(
      28 /* UNSUPPORTED_CURRENCY */,
      `Currency ${currencyCode} (tag 53) is not 116 or 840.`,
    );
  }
  const additional = parseTlv(top.get('62') ?? '', 'tag 62');
  const language = parseTlv(top.get('64') ?? '', 'tag 64');
  if (top.get('00') !== '01') {
    fail(
      16 /* PAYLOAD_FORMAT_INDICATOR_LENGTH_INVALID */,
      'The payload format indicator (tag 00) must be "01".',
    );
  }
  const amount = top.get('54');
  const poi = top.get('01');
  if (poi !== undefined && poi !== '11' && poi !== '12') {
    fail(
      48 /* POINT_OF_INITIATION_METHOD_INVALID */,
      `Tag 01 ${JSON.stringify(poi)} must be 11 or 12.`,
    );
  }
  const dynamic = poi === undefined ? amount !== undefined : poi === '12';
  // Tag 99 is the KHQR timestamp template on a dynamic QR only. On a static one the official SDK
  // does not read it, and issuers put their own data there (ABA merchants: `99 24 0013
  // 39CA026411FDA 6803mmp`): it stays in `tags`, unread.
  const times = parseTlv((dynamic && top.get('99')) || '', 'tag 99');

  const data: KhqrData = {
    type: individual === undefined ? 'merchant' : 'individual',
    dynamic,
    bakongAccountId,
    merchantName: top.get('59') as string,
    merchantCity: top.get('60') as string,
    countryCode: top.get('58') as string,
    merchantCategoryCode: top.get('52') as string,
    currency,
    crc,
    tags: [...top],
  };
  const optional: Array<[keyof KhqrData, string | number | undefined]> = [
    [individual === undefined ? 'merchantId' : 'accountInformation', account.get('01')],
    ['acquiringBank', account.get('02')],
    ['amount', amount],
    ['billNumber', additional.get('01')],
    ['mobileNumber', additional.get('02')],
    ['storeLabel', additional.get('03')],
    ['terminalLabel', additional.get('07')],
    ['purpose', additional.get('08')],
    ['upiMerchantAccount', top.get('15')],
    ['createdAt', timestamp(times.get('00'), 'creation')],
    ['expiresAt', timestamp(times.get('01'), 'expiration')],
  ];
  const record = data as unknown as Record<string, unknown>;
  for (const [key, value] of optional) if (value !== undefined) record[key] = value;
  const languagePreference = language.get('00');
  const alternateName = language.get('01');
  if (languagePreference !== undefined || alternateName !== undefined || language.has('02')) {
    const alt: NonNullable<KhqrData['alternateLanguage']> = {
      language: languagePreference ?? '',
      merchantName: alternateName ?? '',
    };
    const city = language.get('02');
    if (city !== undefined) alt.merchantCity = city;
    data.alternateLanguage = alt;
  }
  return data;
}
