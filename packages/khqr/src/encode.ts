import { CURRENCY_CODES, formatAmount } from './amount.ts';
import { crc16 } from './crc16.ts';
import { KhqrErrorCode as E, fail, type KhqrErrorCodeValue } from './errors.ts';
import { tlv } from './tlv.ts';

/**
 * Every field of a KHQR before validation, in the loose form both front ends (the modern
 * `generateKhqr` and the compat `BakongKHQR`) reduce their input to. `verifyKhqr` feeds decoded
 * QRs through the same rules, so generate and verify can never disagree.
 * @internal
 */
export interface KhqrFields {
  merchant: boolean;
  account: unknown;
  merchantId?: unknown;
  acquiringBank?: unknown;
  accountInformation?: unknown;
  upi?: unknown;
  mcc?: unknown;
  currency: unknown;
  /** Present exactly when the QR is dynamic. */
  amount?: unknown;
  name: unknown;
  city?: unknown;
  billNumber?: unknown;
  mobileNumber?: unknown;
  storeLabel?: unknown;
  terminalLabel?: unknown;
  purpose?: unknown;
  languagePreference?: unknown;
  alternateName?: unknown;
  alternateCity?: unknown;
  /** Creation timestamp (ms) written to tag 99. */
  created: number;
  expires?: unknown;
  /** The clock, for the "already expired" check. */
  now: number;
  /** Longest allowed lifetime in ms; absent means unlimited (the official rule). */
  maxLifetimeMs?: number | undefined;
}

const q = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A field's text, or undefined when absent (`undefined`, `null` or `''`). */
export function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    return fail(E.INVALID_OPTION, `${name} must be a string, got ${typeof value}.`);
  }
  if (/[\uD800-\uDFFF]/.test(value)) {
    fail(
      E.UNSUPPORTED_CHARACTER,
      `${name} ${q(value)} contains an emoji or another character outside the Basic Multilingual Plane: bank apps disagree on its length. Remove it.`,
    );
  }
  return value;
}

function limit(value: string, max: number, code: KhqrErrorCodeValue, name: string): string {
  if (value.length > max) {
    fail(code, `${name} ${q(value)} is ${value.length} characters long; the limit is ${max}.`);
  }
  return value;
}

function optional(
  tag: string,
  value: unknown,
  max: number,
  code: KhqrErrorCodeValue,
  name: string,
): string {
  const s = text(value, name);
  return s === undefined ? '' : tlv(tag, limit(s, max, code, name));
}

function template(tag: string, value: string, name: string): string {
  if (value.length > 99) {
    fail(
      E.TEMPLATE_TOO_LONG,
      `The ${name} (tag ${tag}) would be ${value.length} characters long; the limit is 99. Shorten its fields.`,
    );
  }
  return value ? tlv(tag, value) : '';
}

/** Tag 53 from a loose currency value (`116`, `'840'`, …), with the official SDK's checks. */
export function currencyCode(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    fail(E.CURRENCY_TYPE_REQUIRED, 'currency is required: "KHR" or "USD".');
  }
  if (typeof value === 'string' && value.length > 3) {
    fail(
      E.TRANSACTION_CURRENCY_LENGTH_INVALID,
      `currency ${q(value)} is too long: use "KHR" or "USD".`,
    );
  }
  const s = String(value);
  if (s === CURRENCY_CODES.KHR || s === CURRENCY_CODES.USD) return s;
  return fail(E.UNSUPPORTED_CURRENCY, `currency ${q(value)} is not supported: use "KHR" or "USD".`);
}

/**
 * Validates `f` in the official SDK's order (first failure wins, same codes) plus the stricter
 * rules, and returns the KHQR string with its CRC.
 * @throws {KhqrError}
 */
export function encodeKhqr(f: KhqrFields): string {
  const upi = optional(
    '15',
    f.upi,
    99,
    E.UPI_ACCOUNT_INFORMATION_LENGTH_INVALID,
    'upiMerchantAccount',
  );

  const account = text(f.account, 'bakongAccountId');
  if (account === undefined) {
    fail(
      E.BAKONG_ACCOUNT_ID_REQUIRED,
      'bakongAccountId is required: the receiving Bakong account, such as "shop@aclb".',
    );
  }
  limit(account, 32, E.BAKONG_ACCOUNT_ID_LENGTH_INVALID, 'bakongAccountId');
  if (!/^[^@]+@[^@]+$/.test(account)) {
    fail(
      E.BAKONG_ACCOUNT_ID_INVALID,
      `bakongAccountId ${q(account)} is not a Bakong account ID: it must look like "name@bank", with exactly one "@".`,
    );
  }
  let mai = tlv('00', account);
  if (f.merchant) {
    const id = text(f.merchantId, 'merchantId');
    if (id === undefined)
      fail(E.MERCHANT_ID_REQUIRED, 'merchantId is required for a merchant KHQR.');
    limit(id, 32, E.MERCHANT_ID_LENGTH_INVALID, 'merchantId');
    const bank = text(f.acquiringBank, 'acquiringBank');
    if (bank === undefined) {
      fail(E.ACQUIRING_BANK_REQUIRED, 'acquiringBank is required for a merchant KHQR.');
    }
    mai +=
      tlv('01', id) + tlv('02', limit(bank, 32, E.ACQUIRING_BANK_LENGTH_INVALID, 'acquiringBank'));
  } else {
    mai +=
      optional(
        '01',
        f.accountInformation,
        32,
        E.ACCOUNT_INFORMATION_LENGTH_INVALID,
        'accountInformation',
      ) + optional('02', f.acquiringBank, 32, E.ACQUIRING_BANK_LENGTH_INVALID, 'acquiringBank');
  }
  mai = template(f.merchant ? '30' : '29', mai, 'merchant account information');

  const mcc = f.mcc === undefined || f.mcc === null ? '5999' : String(f.mcc);
  if (mcc === '') fail(E.MERCHANT_CATEGORY_TAG_REQUIRED, 'merchantCategoryCode must not be empty.');
  limit(mcc, 4, E.MERCHANT_CODE_LENGTH_INVALID, 'merchantCategoryCode');
  if (!/^\d+$/.test(mcc)) {
    fail(
      E.INVALID_MERCHANT_CATEGORY_CODE,
      `merchantCategoryCode ${q(mcc)} must be 4 digits (ISO 18245), such as "5999".`,
    );
  }
  if (mcc.length !== 4) {
    fail(
      E.MERCHANT_CODE_LENGTH_INVALID,
      `merchantCategoryCode ${q(mcc)} must be exactly 4 digits (ISO 18245), such as "5999".`,
    );
  }

  const currency = currencyCode(f.currency);
  if (upi && currency === CURRENCY_CODES.USD) {
    fail(
      E.UPI_ACCOUNT_INFORMATION_INVALID_CURRENCY,
      'A UnionPay account (tag 15) cannot be used with USD: use KHR.',
    );
  }
  const dynamic = f.amount !== undefined;
  const amount = dynamic ? tlv('54', formatAmount(f.amount, currency)) : '';

  const name = text(f.name, 'merchantName');
  if (name === undefined) fail(E.MERCHANT_NAME_REQUIRED, 'merchantName is required.');
  limit(name, 25, E.MERCHANT_NAME_LENGTH_INVALID, 'merchantName');
  const city = limit(
    text(f.city, 'merchantCity') ?? 'Phnom Penh',
    15,
    E.MERCHANT_CITY_LENGTH_INVALID,
    'merchantCity',
  );

  const additional = template(
    '62',
    optional('01', f.billNumber, 25, E.BILL_NUMBER_LENGTH_INVALID, 'billNumber') +
      optional('02', f.mobileNumber, 25, E.MOBILE_NUMBER_LENGTH_INVALID, 'mobileNumber') +
      optional('03', f.storeLabel, 25, E.STORE_LABEL_LENGTH_INVALID, 'storeLabel') +
      optional('07', f.terminalLabel, 25, E.TERMINAL_LABEL_LENGTH_INVALID, 'terminalLabel') +
      optional('08', f.purpose, 25, E.PURPOSE_OF_TRANSACTION_LENGTH_INVALID, 'purpose'),
    'additional data',
  );

  const language = languageTemplate(f);
  let timestamps = '';
  if (dynamic) timestamps = tlv('99', tlv('00', String(f.created)) + tlv('01', String(expiry(f))));

  const payload = `0002010102${dynamic ? '12' : '11'}${upi}${mai}${tlv('52', mcc)}5303${currency}${amount}5802KH${tlv('59', name)}${tlv('60', city)}${additional}${language}${timestamps}6304`;
  return payload + crc16(payload);
}

function languageTemplate(f: KhqrFields): string {
  const preference = text(f.languagePreference, 'alternateLanguage.language');
  const name = text(f.alternateName, 'alternateLanguage.merchantName');
  const city = text(f.alternateCity, 'alternateLanguage.merchantCity');
  if (name === undefined) {
    if (preference !== undefined || city !== undefined) {
      fail(
        E.MERCHANT_NAME_ALTERNATE_LANGUAGE_REQUIRED,
        'alternateLanguage.merchantName is required when a language or an alternate city is given.',
      );
    }
    return '';
  }
  if (preference === undefined) {
    fail(
      E.LANGUAGE_PREFERENCE_REQUIRED,
      'alternateLanguage.language is required with an alternate name: a 2-letter ISO 639-1 code such as "km".',
    );
  }
  if (preference.length !== 2) {
    fail(
      E.LANGUAGE_PREFERENCE_LENGTH_INVALID,
      `alternateLanguage.language ${q(preference)} must be a 2-letter ISO 639-1 code such as "km".`,
    );
  }
  return template(
    '64',
    tlv('00', preference) +
      tlv(
        '01',
        limit(
          name,
          25,
          E.MERCHANT_NAME_ALTERNATE_LANGUAGE_LENGTH_INVALID,
          'alternateLanguage.merchantName',
        ),
      ) +
      (city === undefined
        ? ''
        : tlv(
            '02',
            limit(
              city,
              15,
              E.MERCHANT_CITY_ALTERNATE_LANGUAGE_LENGTH_INVALID,
              'alternateLanguage.merchantCity',
            ),
          )),
    'language template',
  );
}

function expiry(f: KhqrFields): number {
  const raw = f.expires;
  const expires = Number(raw);
  if (!raw || !expires) {
    fail(
      E.EXPIRATION_TIMESTAMP_REQUIRED,
      'A dynamic KHQR needs an expiry: pass expiresAt (ms) or lifetime (seconds).',
    );
  }
  if (String(expires).length !== 13) {
    fail(
      E.EXPIRATION_TIMESTAMP_LENGTH_INVALID,
      `Expiry ${q(raw)} is not a 13-digit timestamp in milliseconds${String(expires).length === 10 ? ' (it looks like seconds: multiply by 1000)' : ''}.`,
    );
  }
  if (expires < f.created) {
    fail(
      E.EXPIRATION_TIMESTAMP_IN_THE_PAST,
      `Expiry ${new Date(expires).toISOString()} is before the QR's creation time.`,
    );
  }
  if (expires < f.now)
    fail(E.KHQR_EXPIRED, `This dynamic KHQR expired at ${new Date(expires).toISOString()}.`);
  if (f.maxLifetimeMs !== undefined && expires - f.created > f.maxLifetimeMs) {
    fail(
      E.EXPIRY_TOO_FAR,
      `Expiry ${new Date(expires).toISOString()} is ${Math.round((expires - f.created) / 1000)} s after creation; Bakong's limit is ${f.maxLifetimeMs / 1000} s. Pass allowLongExpiry: true only if your acquirer allows it.`,
    );
  }
  return expires;
}
